#!/usr/bin/env bash
# dialog-stop: where conversations end, by rules, by a judge model and by both (--stop
# hybrid); pass-through, bad input, the summary and the exit status.
. "$(dirname "$0")/lib.sh"

C=$FIXTURES/conversations
unset OPENAI_API_KEY OPENAI_BASE_URL

# A judge prompt of the tests' own, so the tests never depend on the shipped wording.
# The offline stand-in recognises a stop judge by the word "ended".
cat >judge.txt <<'EOF'
Has this conversation ended? It has {{turns}} turns so far; the last ones are:
{{transcript}}
Reply with JSON only: {"verdict": true, "reason": "..."}, true when it has ended.
EOF
JP=$TRASH/judge.txt

# judge_through NAME [OPTION]...: dialog-stop --judge via mock NAME on stdin; status in $status.
judge_through() {
	local name=$1 url
	shift
	eval "url=\$${name}_URL"
	status=0
	OPENAI_API_KEY=sk-test-dialog-stop-3f9a dialog-stop --judge-prompt "$JP" --base-url "$url" --model j "$@" >out 2>err || status=$?
}

# asked_at LOG: the points the judge was asked at (its turn counts), one a line.
asked_at() {
	jq -r '.body.messages[0].content | capture("It has (?<n>[0-9]+) turns").n' "$1"
}

test_expect_success 'a closure turn cuts right after it: keep 5, reason closure, by rules' '
	dialog-stop <"$C/closure.jsonl" >out 2>err &&
	jq -c "[(.turns | length), .turns[-1].text, .stop]" out >got &&
	echo "[5,\"Thanks, that really helps. Bye!\",{\"reason\":\"closure\",\"by\":\"rules\",\"after\":5}]" >want &&
	test_cmp want got
'

test_expect_success 'a farewell exchange keeps the partner'"'"'s farewell' '
	dialog-stop <"$C/farewell.jsonl" >out 2>/dev/null &&
	jq -c "[(.turns | length), .turns[-1].text, .stop]" out >got &&
	echo "[6,\"You'"'"'re welcome, take care!\",{\"reason\":\"closure\",\"by\":\"rules\",\"after\":6}]" >want &&
	test_cmp want got
'

test_expect_success '"thanks, but what about X?" is no closure: the conversation is not cut' '
	dialog-stop <"$C/thanks-but.jsonl" >out 2>/dev/null &&
	jq -c . "$C/thanks-but.jsonl" >want && test_cmp want out
'

test_expect_success 'a loop is cut where the repetition started, reason loop' '
	dialog-stop <"$C/loop.jsonl" >out 2>/dev/null &&
	jq -c "[(.turns | length), .turns[-1].text, .stop]" out >got &&
	echo "[10,\"Have you written to him?\",{\"reason\":\"loop\",\"by\":\"rules\",\"after\":10}]" >want &&
	test_cmp want got
'

test_expect_success 'a conversation that has not ended passes byte-identical, its old stop kept' '
	dialog-stop <"$C/open.jsonl" >out 2>/dev/null &&
	jq -c . "$C/open.jsonl" >want && test_cmp want out &&
	dialog-stop --explain "$C/open.jsonl" >out 2>/dev/null && test_cmp want out
'

test_expect_success 'unknown members pass through; an earlier stop is replaced when the rules cut' '
	dialog-stop <"$C/closure.jsonl" >out 2>/dev/null &&
	jq -c "del(.turns, .stop)" "$C/closure.jsonl" >want &&
	jq -c "del(.turns, .stop)" out >got && test_cmp want got &&
	jq -c ".turns[:5]" "$C/closure.jsonl" >want &&
	jq -c ".turns" out >got && test_cmp want got &&
	jq -r "keys_unsorted | join(\" \")" out >got &&
	echo "id persona_id index context turns stop meta status" >want && test_cmp want got
'

test_expect_success '--explain gives the rule, the deciding turn and the matched phrase' '
	dialog-stop --explain "$C/closure.jsonl" "$C/farewell.jsonl" "$C/loop.jsonl" >out 2>/dev/null &&
	jq -c ".stop.explain" out >got &&
	cat >want <<-\EOF &&
	{"rule":"closure-phrase","turn":4,"evidence":"thanks"}
	{"rule":"farewell-exchange","turn":4,"evidence":"thanks"}
	{"rule":"repetition","turn":12,"evidence":"I just don'"'"'t know what to do about my rent."}
	EOF
	test_cmp want got
'

test_expect_success '--min-turns moves the cut past an early closure' '
	dialog-stop --explain <"$C/early.jsonl" >out 2>/dev/null &&
	jq -c "[.stop.after, .stop.explain.turn]" out >got &&
	echo "[4,2]" >want && test_cmp want got &&
	dialog-stop --explain --min-turns 6 <"$C/early.jsonl" >out 2>/dev/null &&
	jq -c "[.stop.after, .stop.explain.turn]" out >got &&
	echo "[8,6]" >want && test_cmp want got &&
	dialog-stop --min-turns 9 <"$C/early.jsonl" >out 2>/dev/null &&
	jq -c . "$C/early.jsonl" >want && test_cmp want out
'

test_expect_success 'a rules file of one'"'"'s own replaces the shipped phrases' '
	echo "{\"closure_phrases\":[\"three weeks\"]}" >rules.json &&
	dialog-stop --rules rules.json --explain <"$C/farewell.jsonl" >out 2>/dev/null &&
	jq -c ".stop" out >got &&
	echo "{\"reason\":\"closure\",\"by\":\"rules\",\"after\":3,\"explain\":{\"rule\":\"closure-phrase\",\"turn\":2,\"evidence\":\"three weeks\"}}" >want &&
	test_cmp want got
'

test_expect_success 'a bad rules file exits 2 and names the problem' '
	echo "{\"closure_phrases\":\"bye\"}" >rules.json &&
	test_expect_code 2 dialog-stop --rules rules.json <"$C/closure.jsonl" >out 2>err &&
	test ! -s out &&
	echo "dialog-stop: rules.json: '"'"'closure_phrases'"'"' must be an array of strings, not a string" >want &&
	test_cmp want err &&
	test_expect_code 2 dialog-stop --rules missing.json </dev/null 2>err &&
	grep -q "^dialog-stop: --rules: cannot open '"'"'missing.json'"'"': No such file or directory, nor is it in share/stop (shipped: rules)$" err
'

test_expect_success 'bad lines and records without turns are named, routed verbatim, the rest processed, exit 1' '
	cat "$C/closure.jsonl" >in.jsonl &&
	echo "not json" >>in.jsonl &&
	echo "{\"id\":\"no-turns\"}" >>in.jsonl &&
	echo "{\"id\":\"object-turns\",\"turns\":{\"speaker\":\"client\"}}" >>in.jsonl &&
	echo "[1,2]" >>in.jsonl &&
	cat "$C/open.jsonl" >>in.jsonl &&
	test_expect_code 1 dialog-stop --rejects rej in.jsonl >out 2>err &&
	jq -c "[.id, .stop.reason]" out >got &&
	printf "[\"c/closure\",\"closure\"]\n[\"c/open\",\"max_turns\"]\n" >want && test_cmp want got &&
	grep -q "^dialog-stop: in.jsonl:2: not JSON: " err &&
	grep -q "^dialog-stop: in.jsonl:3: record has no \"turns\" array$" err &&
	grep -q "^dialog-stop: in.jsonl:4: record has no \"turns\" array$" err &&
	grep -q "^dialog-stop: in.jsonl:5: " err &&
	sed -n 2,5p in.jsonl >want && test_cmp want rej &&
	grep -q "^dialog-stop: 2 conversations, 1 ended (closure 1, loop 0, judge 0), 1 not ended, 2 turns cut$" err
'

test_expect_success 'turns that are not objects or have no text read as empty, never a crash' '
	echo "{\"id\":\"odd\",\"turns\":[1,\"Thanks, bye!\",null,{\"speaker\":\"client\"},{\"text\":5},[\"bye\"],{\"speaker\":7,\"text\":{\"a\":1}},{\"speaker\":\"client\",\"text\":\"Thanks, bye!\"}]}" >in.jsonl &&
	dialog-stop --explain <in.jsonl >out 2>/dev/null &&
	jq -c "[(.turns | length), .stop.explain.turn]" out >got &&
	echo "[8,7]" >want && test_cmp want got &&
	dialog-stop --judge --judge-prompt "$JP" <in.jsonl >out 2>/dev/null &&
	jq -e ".id == \"odd\"" out &&
	echo "{\"id\":\"none\",\"turns\":[]}" >in.jsonl &&
	dialog-stop <in.jsonl >out 2>/dev/null && jq -c . in.jsonl >want && test_cmp want out &&
	dialog-stop --judge --judge-prompt "$JP" <in.jsonl >out 2>/dev/null && test_cmp want out
'

test_expect_success 'the summary counts conversations, ends by reason, the rest and the turns cut' '
	cat "$C/closure.jsonl" "$C/farewell.jsonl" "$C/thanks-but.jsonl" "$C/loop.jsonl" "$C/open.jsonl" >in.jsonl &&
	dialog-stop <in.jsonl >out 2>err &&
	echo "dialog-stop: 5 conversations, 3 ended (closure 2, loop 1, judge 0), 2 not ended, 8 turns cut" >want &&
	test_cmp want err &&
	dialog-stop </dev/null >out 2>err &&
	test ! -s out &&
	echo "dialog-stop: 0 conversations, 0 ended (closure 0, loop 0, judge 0), 0 not ended, 0 turns cut" >want &&
	test_cmp want err
'

test_expect_success '--judge: the first "ended" cuts there; the judge sees the transcript' '
	start_mock m --reply "{\"verdict\": true, \"reason\": \"closed\"}" &&
	judge_through m --judge --explain <"$C/closure.jsonl" &&
	stop_mock m &&
	test "$status" = 0 &&
	jq -c "[(.turns | length), .stop]" out >got &&
	echo "[2,{\"reason\":\"judge\",\"by\":\"judge\",\"after\":2,\"explain\":{\"turn\":1,\"reason\":\"closed\"}}]" >want &&
	test_cmp want got &&
	test_line_count = 1 m.log &&
	jq -r ".body.messages[0].content" m.log >got &&
	cat >want <<-\EOF &&
	Has this conversation ended? It has 2 turns so far; the last ones are:
	client: Hi, my landlord won'"'"'t fix the heating.
	responder: That sounds miserable. How long has it been broken?

	Reply with JSON only: {"verdict": true, "reason": "..."}, true when it has ended.

	EOF
	test_cmp want got &&
	grep -q "^dialog-stop: 1 conversations, 1 ended (closure 0, loop 0, judge 1), 0 not ended, 5 turns cut, 0 failed, 0 unparseable verdicts$" err
'

test_expect_success '--judge asks after every exchange and at an odd end, over the last --stop-window turns' '
	start_mock m --reply "{\"verdict\": false, \"reason\": \"still going\"}" &&
	judge_through m --judge --stop-window 2 --min-turns 3 <"$C/closure.jsonl" &&
	stop_mock m &&
	test "$status" = 0 &&
	jq -c . "$C/closure.jsonl" >want && test_cmp want out &&
	jq -r ".body.messages[0].content | split(\"\n\")[0]" m.log >got &&
	printf "Has this conversation ended? It has %s turns so far; the last ones are:\n" 4 6 7 >want &&
	test_cmp want got &&
	jq -r ".body.messages[0].content | split(\"\n\")[1:3] | join(\"|\")" m.log | tail -n 1 >got &&
	echo "responder: Remember to keep a copy of every letter you send.|client: Okay." >want &&
	test_cmp want got
'

test_expect_success 'an unparseable verdict is asked --judge-tries times per point, never cuts, exits 1' '
	start_mock m --reply "It looks finished to me." &&
	judge_through m --judge --judge-tries 2 <"$C/thanks-but.jsonl" &&
	stop_mock m &&
	test "$status" = 1 &&
	jq -c . "$C/thanks-but.jsonl" >want && test_cmp want out &&
	test_line_count = 6 m.log &&
	grep -c "^dialog-stop: warning: c/thanks-but: judge verdict unparseable after 2 answers at turn [246], read as not ended$" err >n &&
	echo 3 >want && test_cmp want n &&
	grep -q "^dialog-stop: 1 conversations, 0 ended (closure 0, loop 0, judge 0), 1 not ended, 0 turns cut, 0 failed, 3 unparseable verdicts$" err
'

test_expect_success 'a judge request that fails for good: record unchanged plus stop_error, exit 1' '
	start_mock m --faults 401 &&
	judge_through m --judge <"$C/open.jsonl" &&
	stop_mock m &&
	test "$status" = 1 &&
	jq -c "del(.stop_error)" out >got && jq -c . "$C/open.jsonl" >want && test_cmp want got &&
	jq -c .stop_error out >got &&
	echo "{\"kind\":\"http_401\",\"message\":\"Incorrect API key provided: [redacted]\"}" >want && test_cmp want got &&
	grep -qF "dialog-stop: c/open: judge http_401: Incorrect API key provided: [redacted]" err &&
	grep -q ", 1 failed, 0 unparseable verdicts$" err
'

test_expect_success 'only rate limits failed: exit 75 so the shard can be rerun' '
	start_mock m --faults 429,429 --retry-after 0 &&
	judge_through m --judge --retries 1 <"$C/open.jsonl" &&
	stop_mock m &&
	test "$status" = 75 &&
	jq -e ".stop_error.kind == \"http_429\"" out
'

test_expect_success '--judge with the offline stand-in ends a closure conversation after the farewell' '
	dialog-stop --judge --judge-prompt "$JP" --explain <"$C/farewell.jsonl" >out 2>err &&
	jq -c "[(.turns | length), .stop.reason, .stop.by, .stop.after, .stop.explain.turn]" out >got &&
	echo "[6,\"judge\",\"judge\",6,5]" >want && test_cmp want got &&
	jq -e ".stop.explain.reason | startswith(\"offline judge\")" out &&
	grep -q "^dialog-stop: judge (offline): 3 requests, " err
'

test_expect_success 'the shipped judge prompt (share/prompts/judge-stop.txt) is the default' '
	dialog-stop --judge <"$C/farewell.jsonl" >out 2>/dev/null &&
	jq -c "[(.turns | length), .stop]" out >got &&
	echo "[6,{\"reason\":\"judge\",\"by\":\"judge\",\"after\":6}]" >want && test_cmp want got
'

test_expect_success '--judge --keep-order writes conversations in input order' '
	for i in 1 2 3 4 5 6 7 8; do
		cat "$C/open.jsonl" "$C/farewell.jsonl" "$C/thanks-but.jsonl" || return 1
	done | jq -c "{id: (input_line_number | tostring), turns}" >in.jsonl &&
	dialog-stop --judge --judge-prompt "$JP" --keep-order --concurrency 2 <in.jsonl >out 2>/dev/null &&
	seq 1 24 >want && jq -r .id out >got && test_cmp want got
'

# c/hybrid: a cue at exchange 2 ("Thanks for asking, but ...?"), quiet exchanges 3, 4
# and 5 (no question mark), a goodnight the rules do not know at exchange 5, and the
# rules' end (a farewell exchange) at 12 turns.
H=$C/hybrid.jsonl

test_expect_success '--stop hybrid: the judge at a cue and every 4th quiet exchange; "not ended": the rules cut' '
	start_mock m --reply "{\"verdict\": false, \"reason\": \"open\"}" &&
	judge_through m --stop hybrid <"$H" &&
	stop_mock m &&
	test "$status" = 0 &&
	asked_at m.log >got && printf "4\n8\n" >want && test_cmp want got &&
	jq -c .stop out >got &&
	echo "{\"reason\":\"closure\",\"by\":\"rules\",\"after\":12}" >want && test_cmp want got &&
	grep -q "^dialog-stop: 1 conversations, 1 ended (closure 1, loop 0, judge 0), 0 not ended, 0 turns cut, 0 failed, 0 unparseable verdicts$" err
'

test_expect_success '--judge-every: 0 only at cues, 1 at every exchange that asks no question' '
	start_mock m --reply "{\"verdict\": false, \"reason\": \"open\"}" &&
	judge_through m --stop hybrid --judge-every 0 <"$H" &&
	asked_at m.log >got && echo 4 >want && test_cmp want got &&
	: >m.log &&
	judge_through m --stop hybrid --judge-every 1 <"$H" &&
	stop_mock m &&
	asked_at m.log >got && printf "4\n6\n8\n10\n" >want && test_cmp want got &&
	jq -e ".stop.by == \"rules\" and .stop.after == 12" out
'

test_expect_success '--stop hybrid: a turn repeating its speaker from turn 6 on (a loop not yet decided) asks the judge' '
	printf "%s\n" "{\"id\":\"loop\",\"turns\":[" \
		"{\"speaker\":\"client\",\"text\":\"My boiler stopped working last night.\"}," \
		"{\"speaker\":\"responder\",\"text\":\"Check whether the pilot light is on.\"}," \
		"{\"speaker\":\"client\",\"text\":\"How do I reset the boiler without a manual?\"}," \
		"{\"speaker\":\"responder\",\"text\":\"Hold the reset button for ten seconds.\"}," \
		"{\"speaker\":\"client\",\"text\":\"Nothing happened after that.\"}," \
		"{\"speaker\":\"responder\",\"text\":\"Then call a heating engineer.\"}," \
		"{\"speaker\":\"client\",\"text\":\"How do I reset the boiler without a manual?\"}," \
		"{\"speaker\":\"responder\",\"text\":\"Hold the reset button for ten seconds.\"}," \
		"{\"speaker\":\"client\",\"text\":\"I will call someone tomorrow.\"}," \
		"{\"speaker\":\"responder\",\"text\":\"That sounds sensible.\"}]}" | jq -c . >loop.jsonl &&
	start_mock m --reply "{\"verdict\": false, \"reason\": \"open\"}" &&
	judge_through m --stop hybrid --judge-every 0 <loop.jsonl &&
	stop_mock m &&
	asked_at m.log >got && echo 8 >want && test_cmp want got &&
	jq -c . loop.jsonl >want && test_cmp want out &&
	start_mock m --reply "{\"verdict\": true, \"reason\": \"going in circles\"}" &&
	judge_through m --stop hybrid --judge-every 0 <loop.jsonl &&
	stop_mock m &&
	jq -c .stop out >got && echo "{\"reason\":\"judge\",\"by\":\"judge\",\"after\":8}" >want && test_cmp want got
'

test_expect_success 'a clear case costs no judge call; a cue in a lone last turn is asked at the odd end' '
	start_mock m --reply "{\"verdict\": true, \"reason\": \"done\"}" &&
	judge_through m --stop hybrid <"$C/closure.jsonl" &&
	test ! -s m.log &&
	jq -c .stop out >got && echo "{\"reason\":\"closure\",\"by\":\"rules\",\"after\":5}" >want && test_cmp want got &&
	echo "{\"id\":\"odd\",\"turns\":[{\"speaker\":\"client\",\"text\":\"I need a plumber.\"},{\"speaker\":\"responder\",\"text\":\"Try the council list.\"},{\"speaker\":\"client\",\"text\":\"Thanks! Talk soon?\"}]}" >odd.jsonl &&
	judge_through m --stop hybrid --explain <odd.jsonl &&
	stop_mock m &&
	asked_at m.log >got && echo 3 >want && test_cmp want got &&
	jq -c .stop out >got &&
	echo "{\"reason\":\"judge\",\"by\":\"judge\",\"after\":3,\"explain\":{\"turn\":2,\"reason\":\"done\"}}" >want && test_cmp want got
'

test_expect_success 'the mock'"'"'s deterministic judge: the net at exchange 5 catches a goodnight the rules do not know' '
	start_mock m --dialog &&
	judge_through m --stop hybrid --judge-every 5 --explain <"$H" &&
	stop_mock m &&
	test "$status" = 0 &&
	asked_at m.log >got && printf "4\n10\n" >want && test_cmp want got &&
	jq -c "[(.turns | length), .stop.reason, .stop.by, .stop.explain.turn]" out >got &&
	echo "[10,\"judge\",\"judge\",9]" >want && test_cmp want got &&
	jq -r .stop.explain.reason out >got &&
	echo "the client said goodbye and nothing is left open" >want && test_cmp want got
'

test_expect_success '--stop hybrid over dialog-run --stop none: the same stops after the same judge calls as dialog-run --stop hybrid' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 40 --seed 4 | persona-craft --template >p.jsonl &&
	start_mock m --dialog &&
	set -- --base-url "$m_URL" --model m --max-turns 10 --keep-order &&
	OPENAI_API_KEY=k dialog-run "$@" --stop hybrid <p.jsonl >inline 2>/dev/null &&
	OPENAI_API_KEY=k dialog-run "$@" --stop none <p.jsonl >whole 2>/dev/null &&
	: >m.log &&
	judge_through m --stop hybrid --keep-order <whole &&
	stop_mock m &&
	test "$status" = 0 &&
	jq -c "[.id, .turns, .stop.reason, .stop.by, .stop.after]" inline >want &&
	jq -c "[.id, .turns, .stop.reason, .stop.by, .stop.after]" out >got &&
	test_cmp want got &&
	jq -r .stop.by inline | sort | uniq -c | awk "{ print \$2 }" >by &&
	printf "judge\nlimit\nrules\n" >want && test_cmp want by &&
	test "$(jq -s "map(.usage.aux.requests) | add" inline)" = "$(wc -l <m.log)"
'

test_expect_success '--stop hybrid: an unparseable verdict at a point is asked --judge-tries times, then the rules cut; exit 1' '
	start_mock m --reply "It looks finished to me." &&
	judge_through m --stop hybrid --judge-tries 2 <"$H" &&
	stop_mock m &&
	test "$status" = 1 &&
	asked_at m.log >got && printf "4\n4\n8\n8\n" >want && test_cmp want got &&
	jq -e ".stop.by == \"rules\" and .stop.after == 12" out &&
	grep -c "^dialog-stop: warning: c/hybrid: judge verdict unparseable after 2 answers at turn [48], read as not ended$" err >n &&
	echo 2 >want && test_cmp want n &&
	grep -q ", 0 failed, 2 unparseable verdicts$" err
'

test_expect_success '--stop hybrid: a judge request that fails for good leaves the record uncut with stop_error; exit 1' '
	start_mock m --faults 401 &&
	judge_through m --stop hybrid <"$H" &&
	stop_mock m &&
	test "$status" = 1 &&
	jq -c "del(.stop_error)" out >got && jq -c . "$H" >want && test_cmp want got &&
	jq -e ".stop_error.kind == \"http_401\"" out &&
	grep -q "^dialog-stop: 1 conversations, 0 ended (closure 0, loop 0, judge 0), 0 not ended, 0 turns cut, 1 failed, 0 unparseable verdicts$" err
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 dialog-stop --judge --rules x.json </dev/null 2>err &&
	grep -q "^dialog-stop: --rules and --judge exclude each other$" err &&
	test_expect_code 2 dialog-stop --stop judge --rules x.json </dev/null 2>err &&
	grep -q "^dialog-stop: --rules and --stop judge exclude each other$" err &&
	test_expect_code 2 dialog-stop --judge --stop hybrid </dev/null 2>err &&
	grep -q "^dialog-stop: --judge and --stop hybrid exclude each other (--judge is --stop judge)$" err &&
	test_expect_code 2 dialog-stop --stop hybird </dev/null 2>err &&
	grep -q "^dialog-stop: unknown --stop '"'"'hybird'"'"' (expected rules, judge or hybrid)$" err &&
	dialog-stop --judge --stop judge --judge-prompt "$JP" <"$C/open.jsonl" >/dev/null 2>&1 &&
	test_expect_code 2 dialog-stop --stop hybrid --judge-every -1 </dev/null 2>/dev/null &&
	test_expect_code 2 dialog-stop --min-turns -1 </dev/null 2>/dev/null &&
	test_expect_code 2 dialog-stop --judge --judge-prompt ./missing.txt </dev/null 2>err &&
	grep -q "^dialog-stop: cannot open '"'"'./missing.txt'"'"'" err
'

test_done
