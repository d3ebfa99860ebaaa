#!/usr/bin/env bash
# pipelines/: the demo chain and the SPASM matrix, end to end on the offline provider.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL

test_expect_success 'the demo runs the whole chain to conversations, offline' '
	OUT="$TRASH/demo" "$SRC/pipelines/demo.sh" >log 2>&1 &&
	test_line_count = 500 demo/personas.jsonl &&
	jq -e -s "map(.validation.valid and (.description | startswith(\"You are\"))) | all" demo/personas.jsonl &&
	test "$(gzip -dc demo/conversations.jsonl.gz | wc -l)" = 400 &&
	gzip -dc demo/conversations.jsonl.gz | jq -e -s "map(.status == \"ok\" and (.turns | length) > 2 and (.probes | length) > 0) | all" &&
	gzip -dc demo/conversations.jsonl.gz | jq -e -s "(map(.context) | group_by(.) | map([.[0], length])) == [[\"concat\", 200], [\"ecp\", 200]]" &&
	jq -e ". as \$s | (.groups | keys) == [\"concat\", \"ecp\"] and (.comparisons | length) == 30 and ([.ci | to_entries[] | select(.value != null) | \$s[.key] >= .value[0] - 1e-9 and \$s[.key] <= .value[1] + 1e-9] | all)" demo/summary.json &&
	grep -q "<h2>Comparisons</h2>" demo/report.html &&
	grep -q "<h2>Release QA</h2>" demo/report.html &&
	grep -q "Redacted by dialog-redact: <b>0</b> email" demo/report.html &&
	test "$(jq -s "map(select(.status == \"ok\")) | length" demo/focus-groups.jsonl)" = 2 &&
	grep -q "not a language model" log
'

test_expect_success 'spasm-matrix writes every pairing, skips finished ones, and tabulates usage' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 3 --seed 1 | persona-craft --template >p.jsonl &&
	"$SRC/pipelines/spasm-matrix.sh" -p p.jsonl -k 2 -o mx -c "a b" -r "x y" >table 2>err &&
	test "$(ls mx/*.jsonl.gz | wc -l)" = 4 &&
	for f in mx/*.jsonl.gz; do test "$(gzip -dc "$f" | wc -l)" = 6 || exit 1; done &&
	gzip -dc mx/a--y.jsonl.gz | jq -e -s "map(.client.model == \"a\" and .responder.model == \"y\") | all" &&
	test_line_count = 5 table &&
	grep -q "^a--x .* 6 *0 " table &&
	"$SRC/pipelines/spasm-matrix.sh" -p p.jsonl -k 2 -o mx -c "a b" -r "x y" >table2 2>err2 &&
	test "$(grep -c "already done" err2)" = 4 &&
	test_cmp table table2
'

test_expect_success 'spasm-matrix needs its personas' '
	test_expect_code 2 "$SRC/pipelines/spasm-matrix.sh" -o mx 2>err &&
	grep -q "personas.jsonl is required" err
'

test_done
