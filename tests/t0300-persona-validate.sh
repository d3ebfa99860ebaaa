#!/usr/bin/env bash
# persona-validate: rules, near-duplicates, the judge, streaming, bad input.
. "$(dirname "$0")/lib.sh"

RULES=$FIXTURES/rules/small.json
unset OPENAI_API_KEY OPENAI_BASE_URL

persona() {   # persona ID AGE OCCUPATION HOBBIES-JSON
	printf '{"id":"%s","schema":"small@2","fields":{"age":%s,"gender":"woman","occupation":"%s","hobbies":%s}}\n' "$@"
}

test_expect_success 'every failing rule is named, in rule order, and the record goes to --rejects' '
	{ persona a1 30 nurse "[\"running\"]"; persona a2 16 retired "[\"chess\"]"; } >in.jsonl &&
	persona-validate --rules "$RULES" --rejects rej <in.jsonl >out 2>err &&
	jq -r .id out >ids && echo a1 >want && test_cmp want ids &&
	jq -e ".validation == {\"checks\":[],\"valid\":true}" out &&
	jq -c ".validation" rej >got &&
	echo "{\"checks\":[{\"rule\":\"adult\",\"message\":\"younger than 18\"},{\"rule\":\"retired-needs-age\",\"message\":\"retired before 55\"},{\"rule\":\"no-chess\",\"message\":\"chess players are out of scope\"}],\"valid\":false}" >want &&
	test_cmp want got &&
	echo "persona-validate: 2 checked, 1 passed, 1 failed rules (adult 1, retired-needs-age 1, no-chess 1), 0 duplicates" >want &&
	test_cmp want err
'

test_expect_success 'a passing record is its input line with "validation" added; an earlier one is replaced' '
	printf "%s\n" "{ \"id\": \"s1\", \"n\": 1.50, \"fields\": {\"age\": 30, \"occupation\": \"nurse\", \"hobbies\": []} } " \
		"{\"id\":\"s2\",\"validation\":{\"valid\":false},\"fields\":{\"age\":40,\"occupation\":\"nurse\",\"hobbies\":[]},\"z\":1}" >in.jsonl &&
	printf "\r\n" >>in.jsonl &&
	persona-validate --rules "$RULES" --keep-order <in.jsonl >out 2>/dev/null &&
	printf "%s\n" "{ \"id\": \"s1\", \"n\": 1.50, \"fields\": {\"age\": 30, \"occupation\": \"nurse\", \"hobbies\": []} ,\"validation\":{\"checks\":[],\"valid\":true}}" \
		"{\"id\":\"s2\",\"validation\":{\"checks\":[],\"valid\":true},\"fields\":{\"age\":40,\"occupation\":\"nurse\",\"hobbies\":[]},\"z\":1}" >want &&
	test_cmp want out
'

test_expect_success '--keep writes rejected personas to stdout, flagged' '
	{ persona a1 30 nurse "[]"; persona a2 16 nurse "[]"; } >in.jsonl &&
	persona-validate --rules "$RULES" --keep --keep-order <in.jsonl >out 2>/dev/null &&
	jq -c "[.id, .validation.valid]" out >got &&
	printf "[\"a1\",true]\n[\"a2\",false]\n" >want && test_cmp want got
'

test_expect_success 'a rule that raises a jq error fails with the error, never passes' '
	persona a1 30 nurse 5 >in.jsonl &&
	persona-validate --rules "$RULES" --keep <in.jsonl >out 2>/dev/null &&
	jq -e ".validation.valid == false and .validation.checks[0].rule == \"no-chess\" and .validation.checks[0].message == \"rule error: Cannot iterate over number (5)\"" out
'

test_expect_success 'shipped rules are picked by each record'"'"'s schema' '
	echo "{\"id\":\"p1\",\"schema\":\"spasm@1\",\"fields\":{\"age\":19,\"gender\":\"man\",\"occupation\":\"retired\",\"domain\":\"pension planning\",\"emotion\":\"calm\",\"intensity\":\"severe\"}}" >in.jsonl &&
	persona-validate --keep <in.jsonl >out 2>/dev/null &&
	jq -r ".validation.checks[].rule" out >got &&
	printf "retired-too-young\npension-planning-too-young\ncalm-but-severe\n" >want && test_cmp want got
'

test_expect_success 'shipped schemas mostly pass their shipped rules' '
	for s in spasm tutoring support; do
		persona-sample --schema "$SCHEMAS/$s.json" -n 2000 --seed 3 | persona-validate >out 2>err &&
		test "$(wc -l <out)" -gt 1900 || { cat err; exit 1; }
	done
'

test_expect_success 'rules-file errors exit 2 and name the rule' '
	echo "{\"rules\":[{\"name\":\"bad\",\"expr\":\".a >>= 1\"}]}" >r.json &&
	test_expect_code 2 persona-validate --rules r.json </dev/null 2>err &&
	grep -q "^persona-validate: r.json: rule '"'"'bad'"'"' is not a valid jq expression: .*syntax error" err &&
	echo "{\"rules\":[{\"name\":\"x\",\"expr\":\"true\"},{\"name\":\"x\",\"expr\":\"true\"}]}" >r.json &&
	test_expect_code 2 persona-validate --rules r.json </dev/null 2>err &&
	echo "persona-validate: r.json: rule '"'"'x'"'"' is defined twice" >want && test_cmp want err &&
	echo "[1]" >r.json &&
	test_expect_code 2 persona-validate --rules r.json </dev/null 2>err &&
	grep -q "a rules file is" err
'

test_expect_success 'exact duplicates are rejected with the id of the first occurrence' '
	{ persona a1 30 nurse "[]"; persona a2 40 teacher "[]"; persona a3 30 nurse "[]"; persona a4 40 teacher "[]"; } >in.jsonl &&
	persona-validate --no-rules --dedup-fields age,occupation --rejects rej <in.jsonl >out 2>err &&
	jq -r .id out | tr "\n" " " >ids && echo "a1 a2 " | tr -d "\n" >want && test_cmp want ids &&
	jq -c "[.id, .validation.duplicate_of, .validation.distance]" rej >got &&
	printf "[\"a3\",\"a1\",0]\n[\"a4\",\"a2\",0]\n" >want && test_cmp want got &&
	grep -q ", 2 duplicates$" err
'

test_expect_success 'planted duplicates are always found; distinct records are all kept (property test)' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 3000 --seed 11 >pool &&
	F=age,gender,occupation,location,domain,emotion,intensity &&
	persona-validate --no-rules --dedup-fields $F <pool >kept 2>/dev/null &&
	n=$(wc -l <kept) &&
	awk "BEGIN { srand(5) } { print; if (rand() < 0.1) { sub(/\"id\":\"/, \"\\\"id\\\":\\\"copy-\"); print } }" kept >planted &&
	planted=$(grep -c copy- planted) && test "$planted" -gt 200 &&
	persona-validate --no-rules --dedup-fields $F --rejects rej <planted >out 2>/dev/null &&
	test "$(wc -l <out)" = "$n" &&
	test "$(wc -l <rej)" = "$planted" &&
	jq -e -s "map(.id == \"copy-\" + .validation.duplicate_of) | all" rej &&
	jq -c . kept >a && jq -c "del(.validation)" out >b && jq -c "del(.validation)" kept >c && test_cmp c b
'

test_expect_success 'text near-duplicates (case and punctuation only) are found with --dedup-text' '
	printf "%s\n" "{\"id\":\"d1\",\"fields\":{},\"description\":\"You are a calm nurse from Oslo who wants advice.\"}" \
		"{\"id\":\"d2\",\"fields\":{},\"description\":\"you are a CALM nurse, from Oslo, who wants advice!\"}" \
		"{\"id\":\"d3\",\"fields\":{},\"description\":\"You are an angry pilot from Lima who wants a refund.\"}" >in.jsonl &&
	persona-validate --no-rules --dedup-text description --keep <in.jsonl >out 2>/dev/null &&
	jq -c "[.id, .validation.valid, .validation.duplicate_of]" out >got &&
	printf "[\"d1\",true,null]\n[\"d2\",false,\"d1\"]\n[\"d3\",true,null]\n" >want && test_cmp want got
'

test_expect_success 'the offline judge rejects an implausible persona and says it is rule-based' '
	echo "{\"id\":\"j1\",\"schema\":\"x@1\",\"fields\":{\"age\":19,\"occupation\":\"retired\",\"domain\":\"pension planning\"}}" >in.jsonl &&
	echo "{\"id\":\"j2\",\"schema\":\"x@1\",\"fields\":{\"age\":45,\"occupation\":\"nurse\",\"domain\":\"career change\"}}" >>in.jsonl &&
	persona-validate --judge --keep --keep-order <in.jsonl >out 2>err &&
	jq -c "[.id, .validation.valid, .validation.judge.verdict]" out >got &&
	printf "[\"j1\",false,false]\n[\"j2\",true,true]\n" >want && test_cmp want got &&
	jq -e -s ".[0].validation.judge.reason | contains(\"offline judge\")" out
'

test_expect_success 'unparseable judge answers are retried, then an error, never valid' '
	start_mock m --reply "Looks plausible to me." &&
	persona a1 30 nurse "[]" >in.jsonl &&
	test_expect_code 1 env OPENAI_API_KEY=k persona-validate --no-rules --judge --base-url "$m_URL" --model j --rejects rej <in.jsonl >out 2>err &&
	stop_mock m &&
	test ! -s out &&
	test "$(wc -l <m.log)" = 3 &&
	jq -e ".validation.valid == false and .validation.error == \"judge verdict unparseable after 3 answers\" and .validation.judge.usage.requests == 3" rej &&
	grep -q "1 checked, 0 passed, 0 failed rules, 0 duplicates, 0 judged implausible, 1 judge errors" err
'

test_expect_success 'a fenced JSON verdict is read; its reason is kept' '
	start_mock m --reply "Here you go: \`\`\`json {\"verdict\": false, \"reason\": \"too young to retire\"} \`\`\`" &&
	persona a1 30 nurse "[]" >in.jsonl &&
	OPENAI_API_KEY=k persona-validate --no-rules --judge --base-url "$m_URL" --model j --keep <in.jsonl >out 2>/dev/null &&
	stop_mock m &&
	jq -e ".validation.valid == false and .validation.judge.verdict == false and .validation.judge.reason == \"too young to retire\"" out &&
	jq -r ".body.messages[0].content" m.log >sent &&
	grep -q "^- age: 30$" sent
'

test_expect_success 'no input at all is fine: persona-sample -n 0 | persona-validate' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 0 | persona-validate >out 2>err &&
	test ! -s out &&
	echo "persona-validate: 0 checked, 0 passed, 0 failed rules, 0 duplicates" >want && test_cmp want err
'

test_expect_success 'streaming re-sampling: persona-sample | persona-validate | head -n 500 gives 500 valid personas' '
	persona-sample --schema "$FIXTURES/schemas/small.json" --seed 2 |
		persona-validate --rules "$RULES" 2>/dev/null | head -n 500 >out &&
	test_line_count = 500 out &&
	jq -e -s "map(.validation.valid) | all" out &&
	test "$(jq -r .id out | sort -u | wc -l)" = 500
'

test_expect_success 'bad input lines are named, routed verbatim, the rest processed, exit 1' '
	persona a1 30 nurse "[]" >in.jsonl &&
	echo "not json" >>in.jsonl &&
	echo "{\"id\":\"nofields\"}" >>in.jsonl &&
	echo "{\"id\":\"badfields\",\"fields\":[1,2]}" >>in.jsonl &&
	persona a5 31 nurse "[]" >>in.jsonl &&
	test_expect_code 1 persona-validate --rules "$RULES" --rejects rej <in.jsonl >out 2>err &&
	jq -r .id out | tr "\n" " " >ids && printf "a1 a5 " >want && test_cmp want ids &&
	grep -q "^persona-validate: stdin:2: not JSON: " err &&
	grep -q "^persona-validate: stdin:3: record has no \"fields\" object$" err &&
	grep -q "^persona-validate: stdin:4: record has no \"fields\" object$" err &&
	printf "not json\n{\"id\":\"nofields\"}\n{\"id\":\"badfields\",\"fields\":[1,2]}\n" >want && test_cmp want rej
'

test_expect_success 'a damaged gzip input keeps the lines before the damage, names it, exits 1' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 300 --seed 1 | gzip >good.gz &&
	{ head -c 6000 good.gz; printf "garbage that is not deflate data at all %.0s" 1 2 3 4 5 6 7 8; } >bad.gz &&
	test_expect_code 1 persona-validate --no-rules bad.gz >out 2>err &&
	grep -q "^persona-validate: bad.gz: damaged input after line [0-9]*: " err &&
	test "$(wc -l <out)" -gt 200 &&
	jq -e -s "map(.validation.valid) | all" out >/dev/null
'

test_expect_success '--dedup-fields and --dedup-text together is a usage error' '
	test_expect_code 2 persona-validate --dedup-fields a --dedup-text b </dev/null 2>err &&
	grep -q "exclude each other" err
'

test_done
