#!/usr/bin/env bash
# Shared limits (--limits-dir, PERSONA_LIMITS_DIR, fanout.sh --rpm/--tpm/--budget): the
# limits of one API key hold for all jobs together, measured on the mock server's log
# (each line's arrival time "t"): no window of W seconds holds more than rate·W plus one
# second of burst, while the same jobs with per-process limits go over it.
. "$(dirname "$0")/lib.sh"

export OPENAI_API_KEY=sk-test-shared-7c1d2e
unset OPENAI_BASE_URL PERSONA_LIMITS_DIR
FANOUT="$SRC/pipelines/fanout.sh"
REPLY="You are a careful tester who wants every request checked twice."

test_expect_success 'setup: 12 and 24 personas' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 12 --seed 1 >p12.jsonl &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 24 --seed 2 >p24.jsonl &&
	test_line_count = 24 p24.jsonl
'

# fan INPUT OUTPUT [FANOUT OPTION]... -- [TOOL OPTION]...: persona-craft against the
# mock m through fanout.sh in 4 jobs (blocks of a quarter of the input); status file.
fan() {
	local in=$1 out=$2 size
	shift 2
	size=$(wc -c <"$in")
	status=0
	"$FANOUT" -i "$in" -o "$out" -j 4 -b $((size / 4 + 1)) "$@" 2>>fan.err || status=$?
	echo "$status" >status
}
craft_args() {   # craft_args MOCK: persona-craft against that mock
	eval "echo persona-craft --base-url \"\${$1_URL}\" --model m --max-tokens 20"
}

# window_max LOG W WEIGHT: the most weight (a jq expression per log line) any window
# [t, t + W) starting at a request holds.
window_max() {
	jq -r "[.t, ($3)] | @tsv" "$1" | sort -n -k1,1 |
		awk -v w="$2" '{ t[NR] = $1; x[NR] = $2 }
		END { best = 0; for (i = 1; i <= NR; i++) { s = 0
			for (j = i; j <= NR && t[j] < t[i] + w; j++) s += x[j]
			if (s > best) best = s }
		print best }'
}
# within LOG RATE_PER_S WEIGHT: every window of 1, 2 and 3 s holds at most rate·W plus
# one second of burst (rate·1).
within() {
	local w most
	for w in 1 2 3; do
		most=$(window_max "$1" "$w" "$3")
		awk -v m="$most" -v r="$2" -v w="$w" "BEGIN { exit !(m <= r * w + r) }" ||
			{ echo "window of $w s holds $most, more than $2·$w + $2" >&2; return 1; }
	done
}
TOKENS='((.body.messages | map(.content | utf8bytelength) | add) / 4 | floor) + 11'

test_expect_success 'fanout --rpm 120: four jobs together keep 2 requests/s (per-process --rpm do not)' '
	test $(echo "$REPLY" | wc -w) = 11 &&
	start_mock own --reply "$REPLY" &&
	fan p12.jsonl own.jsonl -- $(craft_args own) --rpm 120 &&
	test $(cat status) = 0 &&
	test_must_fail within own.log 2 1 &&
	start_mock m --reply "$REPLY" &&
	fan p12.jsonl shared.jsonl --rpm 120 -- $(craft_args m) &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test_line_count = 12 shared.jsonl &&
	test_line_count = 12 m.log &&
	within m.log 2 1 &&
	jq -e "{rpm: 120} == ." shared.jsonl.parts/limits/limits.json &&
	grep -q "^fanout: every job shares {\"rpm\":120}" fan.err
'

test_expect_success 'fanout --tpm 48000: the tokens of four jobs keep 800/s (per-process --tpm do not)' '
	start_mock own --reply "$REPLY" &&
	fan p12.jsonl own.jsonl -- $(craft_args own) --tpm 48000 &&
	test $(cat status) = 0 &&
	test_must_fail within own.log 800 "$TOKENS" &&
	start_mock m --reply "$REPLY" &&
	fan p12.jsonl shared.jsonl --tpm 48000 -- $(craft_args m) &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test_line_count = 12 shared.jsonl &&
	within m.log 800 "$TOKENS"
'

# spend LOG: the USD the requests of LOG cost at --price 1000,1000; cost: the dearest one.
spend() {
	jq -s "map($TOKENS) | add * 1000 / 1e6" "$1"
}
dearest() {
	jq -s "map($TOKENS) | max * 1000 / 1e6" "$1"
}

test_expect_success 'fanout --budget 2: four jobs stop at 2 USD together (one call each over), exit 75; --resume-failed with more finishes' '
	start_mock own --reply "$REPLY" &&
	fan p24.jsonl own.jsonl -- $(craft_args own) --concurrency 1 --price 1000,1000 --budget 2 &&
	test $(cat status) = 75 &&
	awk -v s=$(spend own.log) -v c=$(dearest own.log) "BEGIN { exit !(s > 2 + 4 * c) }" &&
	: >fan.err &&
	start_mock m --reply "$REPLY" &&
	fan p24.jsonl budget.jsonl --budget 2 -- $(craft_args m) --concurrency 1 --price 1000,1000 &&
	test $(cat status) = 75 &&
	cp m.log first.log &&
	awk -v s=$(spend m.log) -v c=$(dearest m.log) "BEGIN { exit !(s >= 2 && s <= 2 + 4 * c) }" &&
	grep -q "shared budget of 2.0000 USD reached" fan.err &&
	grep -q "stopping at the shared budget" fan.err &&
	grep -q "with rate limits (exit 75); rerun with --resume-failed" fan.err &&
	: the budget is the whole output: the same one again starts nothing, a higher one finishes &&
	fan p24.jsonl budget.jsonl --resume-failed --budget 2 -- $(craft_args m) --concurrency 1 --price 1000,1000 &&
	test $(cat status) = 75 &&
	test_cmp first.log m.log &&
	fan p24.jsonl budget.jsonl --resume-failed --budget 100 -- $(craft_args m) --concurrency 1 --price 1000,1000 &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test_line_count = 24 budget.jsonl &&
	test $(jq -r .id budget.jsonl | sort -u | wc -l) = 24 &&
	test $(jq -s "map(select(.description and .craft.usage.requests == 1)) | length" budget.jsonl) = 24
'

test_expect_success 'a shared budget needs --price; a bad limits.json or none is a usage error (exit 2)' '
	mkdir -p lim &&
	echo "{\"budget\": 1}" >lim/limits.json &&
	test_expect_code 2 persona-craft --base-url http://127.0.0.1:9/v1 --model m --limits-dir lim <p12.jsonl 2>err &&
	grep -q "shared budget of .lim/limits.json. needs the model.s --price" err &&
	echo "{\"rpm\": \"fast\"}" >lim/limits.json &&
	PERSONA_LIMITS_DIR=lim test_expect_code 2 persona-craft --base-url http://127.0.0.1:9/v1 --model m <p12.jsonl 2>err &&
	grep -q "\"rpm\" must be a number" err &&
	test_expect_code 2 persona-craft --base-url http://127.0.0.1:9/v1 --model m --limits-dir nowhere <p12.jsonl 2>err &&
	grep -q "cannot open .nowhere/limits.json." err &&
	test_expect_code 2 "$FANOUT" -i p12.jsonl --rpm fast -- persona-craft 2>err &&
	grep -q "rpm .fast. must be a number" err
'

test_expect_success 'a job killed mid-run (-9), a lock holder killed, a garbage state: the next run does not hang' '
	start_mock m --reply "$REPLY" --latency-ms 200 &&
	mkdir -p kill &&
	echo "{\"rpm\": 600}" >kill/limits.json &&
	{ persona-craft --base-url "$m_URL" --model m --limits-dir kill <p24.jsonl >/dev/null 2>&1 & } &&
	pid=$! &&
	: mid-run: once the server has a request, however slowly the program started &&
	for i in $(seq 1 300); do
		test -s m.log && break
		sleep 0.1
	done &&
	test -s m.log &&
	kill -9 $pid &&
	{ wait $pid || true; } &&
	state=$(ls kill/bucket-*.state) &&
	( exec 9<>"$state" && flock -x 9 && kill -9 $BASHPID ) || true &&
	timeout 20 persona-craft --base-url "$m_URL" --model m --limits-dir kill <p12.jsonl >after.jsonl 2>err &&
	test_line_count = 12 after.jsonl &&
	head -c 300 /dev/urandom >"$state" &&
	timeout 20 persona-craft --base-url "$m_URL" --model m --limits-dir kill <p12.jsonl >after.jsonl 2>err &&
	stop_mock m &&
	test_line_count = 12 after.jsonl &&
	grep -q "shared limit state .* is damaged; starting it afresh" err
'

# pause_run NAME [OPTION]...: 8 personas, 4 in flight, the first request answered 429
# with Retry-After: 2; NAME.log.
pause_run() {
	local name=$1
	shift
	start_mock m --reply "$REPLY" --faults 429 --retry-after 2 &&
	head -n 8 p12.jsonl | persona-craft --base-url "$m_URL" --model m --concurrency 4 "$@" >/dev/null 2>&1 &&
	stop_mock m &&
	mv m.log "$name.log"
}
# after_429 LOG FROM TO: requests that arrived between FROM and TO s after the 429.
after_429() {
	jq -s --argjson a "$2" --argjson b "$3" \
		"(map(select(.fault == \"429\"))[0].t) as \$t | map(select(.t > \$t + \$a and .t < \$t + \$b)) | length" "$1"
}

test_expect_success 'a 429 pauses every call sharing the key for its Retry-After, not only the one refused' '
	pause_run alone &&
	test $(after_429 alone.log 1.8 100) = 1 &&
	mkdir -p pause &&
	echo "{}" >pause/limits.json &&
	pause_run shared --limits-dir pause &&
	test $(after_429 shared.log 0.3 1.8) = 0 &&
	test $(after_429 shared.log 1.8 100) -ge 3 &&
	test_line_count = 9 shared.log
'

test_done
