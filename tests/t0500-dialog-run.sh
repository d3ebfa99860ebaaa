#!/usr/bin/env bash
# dialog-run: ECP and CONCAT projections on the wire, probes, stopping, resume, failures.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
K="(The conversation starts now. Please begin.)"
CUE="(Continue the conversation: write the user's next message.)"
echo '{"id":"x","schema":"t@1","fields":{"age":30},"description":"D"}' >one.jsonl
printf 'CLIENT: {{description}}{{style}}' >cp.txt
printf 'RESPONDER' >rp.txt

# run_mock NAME [OPTION]...: one conversation over mock NAME with fixed prompts.
run_mock() {
	local name=$1 url
	shift
	eval "url=\$${name}_URL"
	OPENAI_API_KEY=test-key-1 dialog-run --base-url "$url" --client-model cm --responder-model rm \
		--client-prompt ./cp.txt --responder-role ./rp.txt "$@"
}

test_expect_success 'ECP: each agent sees its own turns as assistant and the partner as user, the opener after the kick-off (exact arrays)' '
	start_mock m &&
	run_mock m --stop none --max-turns 2 <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -c ".body.messages" m.log >got &&
	cat >want <<-EOF &&
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"$K"}]
	[{"role":"system","content":"RESPONDER"},{"role":"user","content":"mock reply 1 from cm: $K"}]
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"$K"},{"role":"assistant","content":"mock reply 1 from cm: $K"},{"role":"user","content":"mock reply 2 from rm: mock reply 1 from cm: (The conversation starts now. Please b"}]
	[{"role":"system","content":"RESPONDER"},{"role":"user","content":"mock reply 1 from cm: $K"},{"role":"assistant","content":"mock reply 2 from rm: mock reply 1 from cm: (The conversation starts now. Please b"},{"role":"user","content":"mock reply 3 from cm: mock reply 2 from rm: mock reply 1 from cm: (The conversatio"}]
	EOF
	test_cmp want got &&
	jq -e ".turns | map(.speaker) == [\"client\",\"responder\",\"client\",\"responder\"]" out &&
	jq -e ".stop == {\"reason\":\"max_turns\",\"by\":\"limit\",\"after\":4} and .context == \"ecp\" and .status == \"ok\"" out
'

test_expect_success 'CONCAT: one transcript in fixed roles for both agents, the client cued to continue (exact arrays)' '
	start_mock m &&
	run_mock m --context concat --stop none --max-turns 2 <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -c ".body.messages" m.log >got &&
	cat >want <<-EOF &&
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"$K"}]
	[{"role":"system","content":"RESPONDER"},{"role":"user","content":"mock reply 1 from cm: $K"}]
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"mock reply 1 from cm: $K"},{"role":"assistant","content":"mock reply 2 from rm: mock reply 1 from cm: (The conversation starts now. Please b"},{"role":"user","content":"$CUE"}]
	[{"role":"system","content":"RESPONDER"},{"role":"user","content":"mock reply 1 from cm: $K"},{"role":"assistant","content":"mock reply 2 from rm: mock reply 1 from cm: (The conversation starts now. Please b"},{"role":"user","content":"mock reply 3 from cm: $CUE"}]
	EOF
	test_cmp want got &&
	jq -e ".context == \"concat\"" out
'

test_expect_success 'the responder may open; it gets the same kick-off' '
	start_mock m &&
	run_mock m --opener responder --stop none --max-turns 1 <one.jsonl >out 2>err &&
	stop_mock m &&
	head -n 1 m.log | jq -c ".body.messages" >got &&
	echo "[{\"role\":\"system\",\"content\":\"RESPONDER\"},{\"role\":\"user\",\"content\":\"$K\"}]" >want &&
	test_cmp want got &&
	jq -e "(.turns | map(.speaker)) == [\"responder\",\"client\"] and .opener == \"responder\"" out
'

test_expect_success 'records have the SPEC layout with usage per role; K conversations per persona' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 3 --seed 2 | persona-craft --template >p.jsonl &&
	dialog-run --conversations 2 --keep-order <p.jsonl >out 2>err &&
	jq -r .id out >ids && printf "p000000/0\np000000/1\np000001/0\np000001/1\np000002/0\np000002/1\n" >want && test_cmp want ids &&
	jq -e -s "map(keys_unsorted == [\"id\",\"persona_id\",\"index\",\"schema\",\"persona\",\"description\",\"context\",\"opener\",\"client\",\"responder\",\"turns\",\"stop\",\"usage\",\"status\"]) | all" out &&
	jq -e -s "map(.client == {\"model\":\"offline\",\"temperature\":0.7} and .responder.role == \"peer\") | all" out &&
	jq -e -s "map(.usage.client.requests == (.turns | map(select(.speaker == \"client\")) | length) and .usage.responder.requests == (.turns | map(select(.speaker == \"responder\")) | length)) | all" out
'

test_expect_success 'rules stop a conversation at its closure, keeping the farewell exchange' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 5 --seed 4 | persona-craft --template >p.jsonl &&
	dialog-run <p.jsonl >out 2>/dev/null &&
	jq -e -s "map(.stop.reason == \"closure\" and .stop.by == \"rules\" and .stop.after == (.turns | length)) | all" out &&
	jq -e -s "map(.turns[-2].text | test(\"(?i)thank|bye\")) | all" out
'

test_expect_success 'a repetition loop is stopped by the loop rule' '
	start_mock m --reply "I keep saying exactly the same thing over and over again" &&
	run_mock m --max-turns 20 <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".stop.reason == \"loop\" and .stop.by == \"rules\" and (.turns | length) < 40" out
'

test_expect_success '--max-turns caps each agent' '
	dialog-run --stop none --max-turns 3 <one.jsonl >out 2>/dev/null &&
	jq -e "(.turns | length) == 6 and .stop == {\"reason\":\"max_turns\",\"by\":\"limit\",\"after\":6}" out
'

test_expect_success '--stop judge asks the judge after each exchange from --min-turns and stops when it says so' '
	start_mock j --reply "{\"verdict\": true, \"reason\": \"they said goodbye\"}" &&
	dialog-run --stop judge --min-turns 4 --judge-base-url "$j_URL" --judge-model jm <one.jsonl >out 2>err &&
	stop_mock j &&
	test "$(wc -l <j.log)" = 1 &&
	jq -e ".stop == {\"reason\":\"judge\",\"by\":\"judge\",\"after\":4,\"explain\":\"they said goodbye\"}" out &&
	jq -r ".body.messages[0].content" j.log >sent &&
	grep -q "^client: " sent &&
	jq -e ".usage.aux.requests == 1" out
'

test_expect_success 'an unparseable stop verdict never stops the conversation' '
	start_mock j --reply "Probably, yes." &&
	dialog-run --stop judge --min-turns 2 --max-turns 2 --judge-base-url "$j_URL" --judge-model jm <one.jsonl >out 2>err &&
	stop_mock j &&
	jq -e ".stop.reason == \"max_turns\"" out &&
	test "$(wc -l <j.log)" = 6
'

test_expect_success 'the judge reads the last exchange too: a goodbye at the turn limit is a judge stop' '
	printf "%s\n" "{\"verdict\": false}" "{\"verdict\": true, \"reason\": \"bye\"}" >verdicts &&
	start_mock j --replies verdicts &&
	dialog-run --stop judge --max-turns 2 --judge-base-url "$j_URL" --judge-model jm <one.jsonl >out 2>err &&
	stop_mock j &&
	jq -c "[(.turns | length), .stop.reason, .stop.by, .usage.aux.requests]" out >got &&
	echo "[4,\"judge\",\"judge\",2]" >want && test_cmp want got
'

test_expect_success 'probes: a baseline and every N exchanges, never in the turns' '
	dialog-run --stop none --max-turns 4 <one.jsonl >plain 2>/dev/null &&
	dialog-run --stop none --max-turns 4 --probes "$SRC/share/probes/default.json" --probe-every 2 <one.jsonl >probed 2>/dev/null &&
	jq -c .turns plain >a && jq -c .turns probed >b && test_cmp a b &&
	n=$(jq length "$SRC/share/probes/default.json") &&
	jq -e "(.probes | length) == 3 * $n and (.probes | map(.after) | unique) == [0,4,8]" probed &&
	jq -e "[.probes[].answer] - [.turns[].text] | length == 3 * $n" probed &&
	jq -e ".usage.aux.requests == 3 * $n" probed
'

test_expect_success 'probe requests carry the client context plus the question (after the partner'"'"'s last turn), the baseline none' '
	start_mock m &&
	echo "[{\"name\":\"why\",\"question\":\"Why are you here?\"}]" >probes.json &&
	run_mock m --stop none --max-turns 1 --probes ./probes.json --probe-every 1 <one.jsonl >out 2>err &&
	stop_mock m &&
	# The baseline probe and the first turn run side by side: reply numbers vary.
	jq -c "select(.body.messages[-1].content | endswith(\"Why are you here?\")) | .body.messages" m.log |
		sed "s/mock reply [0-9]*/mock reply N/g" | sort >got &&
	R2="mock reply N from rm: mock reply N from cm: (The conversation starts now. Please b" &&
	cat >want <<-EOF &&
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"$K"},{"role":"assistant","content":"mock reply N from cm: $K"},{"role":"user","content":"$R2\n\nWhy are you here?"}]
	[{"role":"system","content":"CLIENT: D"},{"role":"user","content":"Why are you here?"}]
	EOF
	test_cmp want got
'

test_expect_success 'a failed call still writes the conversation: status failed, turns so far, the error' '
	start_mock m --faults ok,401 &&
	test_expect_code 1 run_mock m <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error.kind == \"http_401\" and (.turns | length) == 1 and .stop.reason == \"error\"" out &&
	grep -qF "x/0: failed: http_401: Incorrect API key provided: [redacted]" err
'

test_expect_success 'only rate-limit failures exit 75' '
	start_mock m --faults 429,429 --retry-after 0 &&
	test_expect_code 75 run_mock m --retries 1 <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error.kind == \"http_429\"" out
'

test_expect_success 'personas without description or fields are rejected by line' '
	printf "%s\n" "{\"id\":\"a\",\"fields\":{}}" "{\"id\":\"b\",\"description\":\"D\"}" >bad.jsonl && cat one.jsonl >>bad.jsonl &&
	test_expect_code 1 dialog-run --rejects rej <bad.jsonl >out 2>err &&
	test_line_count = 1 out &&
	grep -q "^dialog-run: stdin:1: record has no \"description\" (run persona-craft first)$" err &&
	grep -q "^dialog-run: stdin:2: record has no \"fields\" object$" err &&
	test_line_count = 2 rej
'

test_expect_success 'resume after kill -9 loses nothing, duplicates nothing; only calls in flight at the kill are paid twice' '
	start_mock m --latency-ms 20 &&
	persona-sample --schema "$SCHEMAS/spasm.json" -n 12 --seed 6 | persona-craft --template >p.jsonl &&
	export OPENAI_API_KEY=test-key-1 &&
	{ dialog-run --base-url "$m_URL" --model m --conversations 2 --concurrency 4 --max-turns 4 --stop none --cache cache <p.jsonl >>conv.jsonl 2>/dev/null & } &&
	pid=$! &&
	for i in $(seq 1 2000); do [ -s conv.jsonl ] && break; sleep 0.01; done &&
	kill -9 $pid &&
	{ wait $pid 2>/dev/null || true; } &&
	first=$(grep -c . conv.jsonl || true) &&
	test "$first" -gt 0 && test "$first" -lt 24 &&
	before=$(wc -l <m.log) &&
	dialog-run --base-url "$m_URL" --model m --conversations 2 --concurrency 4 --max-turns 4 --stop none --cache cache --resume conv.jsonl <p.jsonl >>conv.jsonl 2>err &&
	stop_mock m &&
	test "$(jq -r .id conv.jsonl | sort | uniq | wc -l)" = 24 &&
	test_line_count = 24 conv.jsonl &&
	grep -q "($((24 - first)) ok, 0 failed, $first already done)" err &&
	total=$(wc -l <m.log) &&
	test "$total" -ge $((24 * 8)) &&
	test "$total" -le $((24 * 8 + 4))
'

test_expect_success 'a warm cache replays a whole run (probes, judge) with zero requests and the same bytes' '
	start_mock m --latency-ms 2 &&
	start_mock j --reply "{\"verdict\": false, \"reason\": \"not yet\"}" &&
	set -- --stop judge --judge-base-url "$j_URL" --judge-model jm --max-turns 3 --cache c2 \
		--probes "$SRC/share/probes/default.json" --probe-every 1 &&
	run_mock m "$@" <one.jsonl >a 2>/dev/null &&
	n=$(wc -l <m.log) && nj=$(wc -l <j.log) &&
	run_mock m "$@" <one.jsonl >b 2>err &&
	stop_mock m && stop_mock j &&
	test "$(wc -l <m.log)" = "$n" && test "$(wc -l <j.log)" = "$nj" &&
	test_cmp a b &&
	grep -E -q "client \(cm\): ([0-9]+) requests, 0 retries, \1 cache hits" err &&
	grep -q "responder (rm): 3 requests, 0 retries, 3 cache hits" err &&
	grep -q "judge (jm): 3 requests, 0 retries, 3 cache hits" err
'

test_expect_success 'usage errors: bad --context, --stop, --opener, role' '
	test_expect_code 2 dialog-run --context sideways </dev/null 2>err && grep -q "unknown --context" err &&
	test_expect_code 2 dialog-run --stop maybe </dev/null 2>err && grep -q "unknown --stop" err &&
	test_expect_code 2 dialog-run --opener both </dev/null 2>err && grep -q "unknown --opener" err &&
	test_expect_code 2 dialog-run --responder-role lawyer </dev/null 2>err && grep -q "unknown responder role" err
'

test_expect_success '--stop hybrid: the rules decide, the judge reads only possible endings and loops (and every --judge-every-th exchange that asks no question)' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 20 --seed 9 | persona-craft --template >h.jsonl &&
	dialog-run --stop judge --keep-order <h.jsonl >judged 2>/dev/null &&
	dialog-run --stop hybrid --keep-order <h.jsonl >hybrid 2>/dev/null &&
	dialog-run --stop hybrid --judge-every 0 --keep-order <h.jsonl >cues 2>/dev/null &&
	dialog-run --stop rules --keep-order <h.jsonl >ruled 2>/dev/null &&
	j=$(jq -s "map(.usage.aux.requests) | add" judged) && h=$(jq -s "map(.usage.aux.requests) | add" hybrid) &&
	test "$h" -gt 0 && test $((h * 4)) -lt "$j" &&
	: without the net, only the loop suspicion in p000015/0 asks: turn 9 says turn 7 again, the same words &&
	test "$(jq -c "select(.usage.aux.requests > 0) | [.id, .usage.aux.requests]" cues)" = "[\"p000015/0\",1]" &&
	jq -e -s "map(select(.id == \"p000015/0\"))[0] | [.turns[7, 9].text | ascii_downcase | [scan(\"[a-z]+\")] | unique]
		| .[0] == .[1]" cues &&
	jq -c "[.turns, .stop.reason, .stop.by]" ruled >want &&
	jq -c "[.turns, .stop.reason, .stop.by]" hybrid >got &&
	test_cmp want got &&
	dialog-run --stop hybrid --judge-every 1 --max-turns 6 --keep-order <h.jsonl >every 2>/dev/null &&
	jq -e -s "map(.usage.aux.requests) | add > 0" every &&
	: asked at every exchange that asks no question or repeats, Jaccard 0.9 from turn 6, except where the rules end &&
	jq -e -s --from-file "$FIXTURES/conversations/hybrid-asks.jq" every &&
	test_expect_code 2 dialog-run --stop hybird <h.jsonl >out 2>err &&
	grep -q "^dialog-run: unknown --stop '\''hybird'\'' (expected rules, judge, none or hybrid)$" err
'

test_done
