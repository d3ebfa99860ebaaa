#!/usr/bin/env bash
# Values taken from records are data, never instructions: prompt templates insert them
# literally (a "{{...}}" inside a value is not expanded again), and a value that looks
# like a file path is never opened (checked with strace on every tool that reads records).
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL

# prompts NAME: every message text sent to mock NAME, one JSON string per line.
prompts() {
	jq -c ".body.messages[].content" "$1.log"
}

test_expect_success 'persona-craft: {{...}} in field values and ids reaches the model literally' '
	echo "{\"id\":\"{{fields}}\",\"schema\":\"s@1\",\"fields\":{\"hobby\":\"{{id}} and {{description}}\",\"{{fields}}\":\"k\"}}" >p.jsonl &&
	start_mock m &&
	persona-craft --base-url "$m_URL" --model m p.jsonl >out 2>err &&
	stop_mock m &&
	prompts m >sent &&
	grep -qF "{{id}} and {{description}}" sent &&
	grep -qF "{{fields}}: k" sent
'

test_expect_success 'dialog-run: a description holding {{style}} and {{description}} is inserted once, literally' '
	echo "{\"id\":\"d1\",\"fields\":{\"age\":30},\"description\":\"Say {{style}} then {{description}}.\"}" >d.jsonl &&
	start_mock m &&
	dialog-run --base-url "$m_URL" --model m --max-turns 1 --stop none d.jsonl >out 2>err &&
	stop_mock m &&
	jq -r "select(.body.messages[0].role == \"system\") | .body.messages[0].content" m.log >systems &&
	head -n 1 systems >system &&
	test "$(grep -oF "Say {{style}} then {{description}}." system | wc -l)" = 1
'

test_expect_success 'persona-validate --judge, dialog-stop --judge, score --judge: record text reaches the judge literally' '
	echo "{\"id\":\"{{fields}}\",\"schema\":\"s@1\",\"fields\":{\"note\":\"{{id}}\"}}" >v.jsonl &&
	start_mock m --reply "{\"verdict\": true, \"reason\": \"ok\"}" &&
	persona-validate --judge --base-url "$m_URL" --model m v.jsonl >out 2>err &&
	prompts m >sent &&
	grep -qF "Profile {{fields}}:" sent &&
	grep -qF "{{id}}" sent &&
	stop_mock m &&
	echo "{\"id\":\"c1\",\"description\":\"{{transcript}}\",\"turns\":[{\"speaker\":\"client\",\"text\":\"{{description}} {{turns}}\"},{\"speaker\":\"responder\",\"text\":\"{{transcript}}\"}]}" >c.jsonl &&
	start_mock m --reply "{\"verdict\": false, \"reason\": \"no\"}" &&
	dialog-stop --judge --min-turns 1 --base-url "$m_URL" --model m c.jsonl >out 2>err &&
	stop_mock m &&
	prompts m >sent &&
	grep -qF "{{description}} {{turns}}" sent &&
	start_mock m --reply "{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"ok\"}" &&
	score --judge --base-url "$m_URL" --model m c.jsonl >out 2>err &&
	stop_mock m &&
	prompts m >sent &&
	grep -qF "{{description}} {{turns}}" sent &&
	grep -cF "{{transcript}}" sent >count &&
	test "$(cat count)" -ge 1
'

P=$TRASH/planted
test_expect_success 'setup: records whose every value looks like a path to a file that exists' '
	mkdir -p planted &&
	for f in id schema description field turn persona prompt rules embedding; do
		echo "{\"secret\": \"planted $f\"}" >"planted/$f" || return 1
	done &&
	test "$(ls planted | wc -l)" = 9 &&
	cat >records.jsonl <<-EOF &&
	{"id":"$P/id","schema":"$P/schema","persona_id":"$P/persona","description":"$P/description","fields":{"file":"$P/field","prompt":"$P/prompt","rules":"$P/rules"},"turns":[{"speaker":"client","text":"$P/turn"},{"speaker":"responder","text":"$P/turn"}],"embedding":{"model":"$P/embedding","vector":[1,0]}}
	{"id":"../../planted/id","schema":"../planted/schema@1","description":"planted/description","fields":{"file":"planted/field"},"turns":[{"speaker":"client","text":"file://$P/turn"}]}
	EOF
	sed -e "s/\"description\"/\"persona_description\"/; s/\"fields\"/\"persona_fields\"/" records.jsonl >spasm.jsonl &&
	jq -e -s "length == 2 and all(.[]; .fields.file | test(\"planted/field$\"))" records.jsonl &&
	jq -e -s "length == 2 and all(.[]; has(\"persona_description\") and has(\"persona_fields\"))" spasm.jsonl
'

if ! command -v strace >/dev/null 2>&1; then
	test_skip 'no tool opens a path taken from a record' "strace is not installed (make deps installs it)"
else
	test_expect_success 'no tool opens a path taken from a record (strace of every file call)' '
		for tool in "persona-validate" "persona-validate --no-rules --dedup-fields file" "persona-craft --template" \
			"persona-craft" "dialog-run --max-turns 1" "dialog-stop" "embed" "embed --of description" \
			"score --summary summary.json" "dialog-import --from spasm"; do
			input=records.jsonl &&
			case $tool in dialog-import*) input=spasm.jsonl ;; esac &&
			{ strace -f -qq -e trace=%file -o trace.txt $tool $input >out 2>err || true; } &&
			{ grep -q "\"$input\"" trace.txt || { echo "$tool: strace saw no file calls"; return 1; }; } &&
			{ ! grep "planted" trace.txt || { echo "$tool opened a path from a record"; return 1; }; } || return 1
		done
	'
fi

test_done
