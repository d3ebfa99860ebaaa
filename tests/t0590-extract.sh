#!/usr/bin/env bash
# extract: validated answers, the re-ask with the validation error on the wire, json
# modes on the wire, per-participant extraction, the summary and comparisons, partition.
. "$(dirname "$0")/lib.sh"

# conv ID CONDITION CLIENT-TEXT... : a conversation record in a condition.
conv() {
	local id=$1 condition=$2
	shift 2
	jq -nc --arg id "$id" --arg c "$condition" --args '{id: $id, condition: $c,
		turns: [$ARGS.positional[] | {speaker: "client", text: .}, {speaker: "responder", text: "I see."}]}' "$@"
}

SCHEMA='{"type":"object","properties":{"resolved":{"type":"boolean","description":"Was it solved?"},"frustration":{"type":"integer","minimum":1,"maximum":5,"description":"How frustrated, 1 to 5."}},"required":["resolved","frustration"],"additionalProperties":false}'

test_expect_success 'setup: conversations in two conditions, a schema' '
	for i in 1 2 3 4 5 6; do
		conv "a$i" A "I have been waiting for weeks and nobody answers, this is frustrating" "still not working, I am angry" &&
		conv "b$i" B "thanks, that solved it" "great, it works now, I appreciate it" || return 1
	done >conv.jsonl &&
	echo "$SCHEMA" >schema.json &&
	test_line_count = 12 conv.jsonl
'

test_expect_success 'offline: every record gets answers that validate, asked once' '
	extract --schema schema.json <conv.jsonl >out 2>err &&
	test_line_count = 12 out &&
	jq -e -s "all(.[]; (.extraction.answers.resolved | type) == \"boolean\" and (.extraction.answers.frustration | . >= 1 and . <= 5 and . == floor) and .extraction.answers_asked == 1 and .extraction.model == \"offline\")" out &&
	jq -e -s "map(select(.condition == \"A\") | .extraction.answers.frustration) | min > (\$b | max)" --argjson b "$(jq -s "map(select(.condition == \"B\") | .extraction.answers.frustration)" out)" out &&
	grep -q "^extract: 12 records extracted, 0 failed$" err &&
	jq -c "del(.extraction)" out >back && test_cmp conv.jsonl back
'

test_expect_success 'an invalid answer is asked again with the validation error, then accepted' '
	printf "%s\n" "Sure! {\"resolved\": true, \"frustration\": 7}" "{\"resolved\": true, \"frustration\": 2}" >replies &&
	start_mock m --replies replies &&
	head -n 1 conv.jsonl | OPENAI_API_KEY=test-key-1 extract --base-url "$m_URL" --model m --schema schema.json >out 2>err &&
	stop_mock m &&
	jq -e ".extraction.answers == {\"resolved\": true, \"frustration\": 2} and .extraction.answers_asked == 2" out &&
	test_line_count = 2 m.log &&
	jq -c ".body.messages[2:]" m.log | sed -n 2p >sent &&
	jq -nc --arg bad "Sure! {\"resolved\": true, \"frustration\": 7}" "[{role: \"assistant\", content: \$bad}, {role: \"user\", content: \"Your answer was not valid: \$.frustration: 7 is more than the maximum 5. Reply again with one JSON object that fits the schema, and nothing else.\"}]" >want &&
	test_cmp want sent &&
	jq -r ".body.messages[1].content" m.log | sed -n "\$p" | grep -qxF "SCHEMA: $SCHEMA"
'

test_expect_success 'never a partial answer: after --tries invalid answers the record carries the error, exit 1' '
	printf "%s\n" "{\"resolved\": \"yes\"}" >replies &&
	start_mock m --replies replies &&
	head -n 1 conv.jsonl | test_expect_code 1 env OPENAI_API_KEY=test-key-1 extract --base-url "$m_URL" --model m --schema schema.json --tries 2 >out 2>err &&
	stop_mock m &&
	test_line_count = 2 m.log &&
	jq -e ".extraction | has(\"answers\") | not" out &&
	jq -e ".extraction.error == \"no valid answer in 2: \$.resolved: must be a boolean, not a string\"" out &&
	grep -q "^extract: a1: extraction failed: no valid answer in 2: " err
'

test_expect_success '--json-mode object and schema on the wire' '
	start_mock m --reply "{\"resolved\": false, \"frustration\": 3}" &&
	head -n 1 conv.jsonl | OPENAI_API_KEY=test-key-1 extract --base-url "$m_URL" --model m --schema schema.json --json-mode object >/dev/null 2>&1 &&
	head -n 1 conv.jsonl | OPENAI_API_KEY=test-key-1 extract --base-url "$m_URL" --model m --schema schema.json --json-mode schema >/dev/null 2>&1 &&
	head -n 1 conv.jsonl | OPENAI_API_KEY=test-key-1 extract --base-url "$m_URL" --model m --schema schema.json >/dev/null 2>&1 &&
	stop_mock m &&
	jq -c ".body.response_format" m.log >got &&
	printf "%s\n" "{\"type\":\"json_object\"}" "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answers\",\"schema\":$SCHEMA}}" null >want &&
	test_cmp want got
'

test_expect_success '--per participant: one answer per participant of a group, in order' '
	jq -nc "{id: \"g1/0\", participants: [{id: \"p1\", name: \"Ana\"}, {id: \"p2\", name: \"Ben\"}],
		turns: [{speaker: \"p1\", name: \"Ana\", text: \"the price is too high for me\"}, {speaker: \"p2\", name: \"Ben\", text: \"I would buy it, quality matters\"}]}" >group.jsonl &&
	extract --schema focus-group --per participant <group.jsonl >out 2>/dev/null &&
	jq -e "(.extraction.participants | map(.name)) == [\"Ana\", \"Ben\"] and all(.extraction.participants[]; .answers.purchase_intent >= 1 and .answers.purchase_intent <= 5 and (.answers.top_objection | IN(\"price\", \"quality\", \"trust\", \"need\", \"none\")))" out &&
	test_expect_code 1 extract --schema support --per participant --rejects rej <conv.jsonl >out2 2>err &&
	test_line_count = 12 rej &&
	grep -q "^extract: stdin:1: record has no \"participants\" array$" err
'

test_expect_success 'the summary: shares with Wilson intervals, means with bootstrap intervals, by group, compared' '
	extract --schema schema.json --summary s.json --by .condition --compare <conv.jsonl >/dev/null 2>&1 &&
	jq -e ".groups | keys == [\"A\", \"B\"]" s.json &&
	jq -e ".questions.resolved.n == 12 and (.questions.resolved.values | length) >= 1" s.json &&
	jq -e "[.groups[].questions.frustration | .mean >= .ci[0] and .mean <= .ci[1]] | all" s.json &&
	jq -e "[.comparisons[] | select(.question == \"frustration\")][0] | .test == \"welch\" and .p < 0.05 and .p_holm >= .p" s.json &&
	jq -e "[.comparisons[] | select(.question == \"resolved\")][0] | .test == \"chi-square\" and .df == 1" s.json
'

test_expect_success 'a schema with an unknown keyword, or none, or a bad --by is a usage error' '
	echo "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\",\"maximun\":3}}}" >bad.json &&
	test_expect_code 2 extract --schema bad.json <conv.jsonl >out 2>err &&
	test ! -s out &&
	grep -q "^extract: --schema '\''bad.json'\'': properties.x" err &&
	test_expect_code 2 extract <conv.jsonl >out 2>err &&
	grep -q "^extract: --schema FILE is required" err &&
	test_expect_code 2 extract --schema schema.json --compare <conv.jsonl >out 2>err &&
	grep -q "^extract: --compare compares the groups of --by: give --by EXPR$" err &&
	test_expect_code 2 extract --schema schema.json --by ".[" <conv.jsonl >out 2>err &&
	test ! -s out &&
	grep -q "^extract: --by '\''\.\['\'' is not a valid jq expression: .*syntax error" err &&
	test_expect_code 2 score --by ".[" --summary s2.json <conv.jsonl >out 2>err &&
	grep -q "^score: --by '\''\.\['\'' is not a valid jq expression: .*syntax error" err
'

test_expect_success 'extract through GNU parallel (fanout) equals one run' '
	extract --schema support <conv.jsonl >seq 2>/dev/null &&
	"$SRC/pipelines/fanout.sh" -j 3 -b 1k -i conv.jsonl -o par -- extract --schema support 2>/dev/null &&
	sort seq >a && sort par >b && test_cmp a b
'

test_expect_success 'pipelines/ab-test.sh: the same personas through A and B, extracted and compared' '
	"$SRC/pipelines/ab-test.sh" -o ab -k 1 >out 2>err &&
	test_line_count = 40 ab/conversations-A.jsonl &&
	test_line_count = 40 ab/conversations-B.jsonl &&
	jq -r .persona_id ab/conversations-A.jsonl >pa && jq -r .persona_id ab/conversations-B.jsonl >pb && test_cmp pa pb &&
	jq -e ".groups | keys == [\"A\", \"B\"]" ab/summary.json &&
	grep -q "^ab-test: extract: 80 records extracted, 0 failed$" out &&
	test "$(grep -c "^ab-test: [a-z_]*	\(chi-square\|welch\)	" out)" = 3 &&
	grep -q "^ab-test: frustration	welch	diff " out
'

test_done
