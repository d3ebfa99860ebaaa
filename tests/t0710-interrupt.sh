#!/usr/bin/env bash
# SIGINT and SIGTERM with model calls in flight: every tool that waits on a model
# finishes the line it is writing, says how many records were left unwritten, prints
# its summary, frees everything (the ASan and valgrind runs of this script fail on a
# leak or an error report) and exits 128 + the signal number.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL

test_expect_success 'setup: 120 personas and one 6-turn conversation each, offline' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 120 --seed 7 | persona-craft >personas.jsonl 2>/dev/null &&
	test_line_count = 120 personas.jsonl &&
	dialog-run --max-turns 3 --stop none <personas.jsonl >conversations.jsonl 2>/dev/null &&
	test_line_count = 120 conversations.jsonl &&
	jq -e -s "all(.[]; .status == \"ok\" and (.turns | length) == 6)" conversations.jsonl
'

# interrupted SIGNAL STATUS SUMMARY-PATTERN COMMAND...: run COMMAND against mock "m"
# (stdout to out, stderr to err), send SIGNAL once the server has answered 6 requests
# (so calls are in flight, whatever the tool buffers), then check the ending.
interrupted() {
	local signal=$1 want=$2 summary=$3 i status=0
	shift 3
	"$@" >out 2>err &
	local pid=$!
	for i in $(seq 1 600); do
		[ "$(wc -l <m.log)" -ge 6 ] && break
		sleep 0.05
	done
	kill -"$signal" "$pid"
	wait "$pid" || status=$?
	if [ "$status" != "$want" ]; then
		echo "exit status $status, want $want" >&2
		cat err >&2
		return 1
	fi
	# Every written line is whole JSON, the last one ends with a newline.
	jq -c . out >/dev/null &&
	{ ! test -s out || test "$(tail -c 1 out | od -An -c | tr -d " ")" = "\n"; } &&
	grep -E "^[a-z-]+: interrupted: [1-9][0-9]* records? in progress not written$" err &&
	grep -E "$summary" err &&
	! grep -E "cancelled|ERROR: AddressSanitizer|LeakSanitizer" err
}

mock_args="--latency-ms 150"

test_expect_success 'dialog-run: SIGINT mid-run exits 130 with whole lines and its summary' '
	start_mock m $mock_args &&
	interrupted INT 130 "^dialog-run: [0-9]+ conversations \(" \
		dialog-run --base-url "$m_URL" --model x --concurrency 6 --max-turns 4 personas.jsonl &&
	stop_mock m &&
	jq -e -s "all(.[]; .status == \"ok\")" out
'

test_expect_success 'dialog-run: SIGTERM exits 143; a --resume run then completes every conversation exactly once' '
	start_mock m $mock_args &&
	interrupted TERM 143 "^dialog-run: [0-9]+ conversations \(" \
		dialog-run --base-url "$m_URL" --model x --concurrency 6 --max-turns 2 personas.jsonl &&
	mv out conv.jsonl &&
	dialog-run --base-url "$m_URL" --model x --concurrency 16 --max-turns 2 --resume conv.jsonl personas.jsonl >>conv.jsonl 2>err &&
	stop_mock m &&
	jq -r .id conv.jsonl | sort >ids &&
	jq -r ".id + \"/0\"" personas.jsonl | sort >want &&
	test_cmp want ids
'

test_expect_success 'persona-craft: SIGINT exits 130 with whole lines and the usage summary' '
	start_mock m $mock_args &&
	persona-sample --schema "$SCHEMAS/spasm.json" -n 200 --seed 3 >sampled.jsonl &&
	interrupted INT 130 "^persona-craft: [a-z-]+ \(x\): [0-9]+ requests" \
		persona-craft --base-url "$m_URL" --model x --concurrency 4 sampled.jsonl &&
	stop_mock m
'

test_expect_success 'persona-validate --judge: SIGTERM exits 143 with whole lines and the summary' '
	start_mock m $mock_args --reply "{\"verdict\": true, \"reason\": \"fine\"}" &&
	interrupted TERM 143 "requests," \
		persona-validate --judge --base-url "$m_URL" --model x --concurrency 4 personas.jsonl &&
	stop_mock m
'

test_expect_success 'dialog-stop --judge: SIGINT exits 130 with whole lines and the summary' '
	start_mock m $mock_args --reply "{\"verdict\": false, \"reason\": \"going on\"}" &&
	interrupted INT 130 "requests," \
		dialog-stop --judge --base-url "$m_URL" --model x --concurrency 4 conversations.jsonl &&
	stop_mock m
'

test_expect_success 'embed with a served model: SIGTERM exits 143 with whole lines and the summary' '
	start_mock m $mock_args --embedding-dim 8 &&
	interrupted TERM 143 "requests," \
		embed --base-url "$m_URL" --model e --of description --batch 2 --concurrency 2 personas.jsonl &&
	stop_mock m
'

test_expect_success 'score --judge: SIGINT exits 130, writes no summary file, prints the usage summary' '
	start_mock m $mock_args --reply "{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"ok\"}" &&
	interrupted INT 130 "requests," \
		score --judge --base-url "$m_URL" --model x --concurrency 2 --summary summary.json conversations.jsonl &&
	stop_mock m &&
	test ! -e summary.json
'

test_done
