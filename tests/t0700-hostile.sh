#!/usr/bin/env bash
# Hostile input: no tool crashes, hangs or loses a good line; bad lines are named and routed.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
# See tests/hostile/README.md: jq 1.6 leaks inside its parser on some invalid JSON.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
	export LSAN_OPTIONS="suppressions=$SRC/tests/fuzz/lsan.supp:print_suppressions=0"
fi

good='{"id":"g1","fields":{"age":30},"description":"You are calm.","turns":[{"speaker":"client","text":"thanks, bye"},{"speaker":"responder","text":"take care"}]}'
{
	printf '%s\r\n' "$good"                                   # 1 CRLF
	printf '%s\n' "$(printf '%.0s[' $(seq 10000))$(printf '%.0s]' $(seq 10000))"   # 2 deep nesting: not an object
	printf '{"id":"g2","id":"g3","fields":{"n":1e400,"z":-0,"s":"a\\u0000b"},"description":"d","turns":[1,null,{"speaker":5,"text":[1]}]}\n'  # 3 odd but valid
	printf '\xff\xfe not utf-8\n'                             # 4
	printf '{"id":"nul",\0"x":1}\n'                           # 5 raw NUL byte
	printf '["a" "b"]\n'                                      # 6 jq 1.6 parser leak case
	printf '%s' "$good"                                       # 7 no final newline
} >mixed.jsonl
head -c 2000 /dev/urandom | tr -d '\n' >garbage.jsonl
: >empty.jsonl

tools=("persona-validate --no-rules" "persona-craft --template" "persona-craft" "dialog-run --max-turns 2"
       "dialog-stop" "embed" "embed --of turns" "score --summary sum.json")

test_expect_success 'every tool: bad lines named by file:line, exactly the bad lines in --rejects, exit 1' '
	for tool in "${tools[@]}"; do
		rm -f rej && status=0 &&
		timeout 60 $tool --rejects rej mixed.jsonl >out 2>err || status=$? &&
		{ [ "$status" = 1 ] || { echo "$tool: status $status"; cat err; exit 1; }; } &&
		for line in 2 4 5 6; do
			grep -q "mixed.jsonl:$line: " err || { echo "$tool: line $line not named"; cat err; exit 1; }
		done &&
		test "$(wc -l <rej)" -ge 4 &&
		sed -n "2p;4p;5p;6p" mixed.jsonl | cmp -s - <(head -n 4 rej) || { echo "$tool: rejects differ"; exit 1; }
	done
'

test_expect_success 'every tool: garbage and empty input end with 0 or 1, never a crash or a hang' '
	for tool in "${tools[@]}"; do
		for f in garbage.jsonl empty.jsonl; do
			status=0 &&
			timeout 60 $tool "$f" >out 2>err || status=$? &&
			{ [ "$status" -le 1 ] || { echo "$tool < $f: status $status"; tail -3 err; exit 1; }; }
		done
	done
'

test_expect_success 'every tool: a good line after hostile ones still comes out (the final one without newline)' '
	for tool in "persona-validate --no-rules" "persona-craft --template" "dialog-stop" "embed" "score"; do
		$tool mixed.jsonl 2>/dev/null | jq -r .id >ids || true
		grep -qx g1 ids || { echo "$tool lost g1"; exit 1; }
	done
'

test_expect_success 'truncated and corrupt gzip: reported as damaged, exit 1, no crash' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 300 | persona-craft --template | gzip >p.gz &&
	head -c $(( $(wc -c <p.gz) / 2 )) p.gz >cut.gz &&
	for tool in "${tools[@]}"; do
		status=0 &&
		timeout 60 $tool cut.gz >out 2>err || status=$? &&
		test "$status" = 1 &&
		grep -q "cut.gz: damaged input after line" err || { echo "$tool: status $status"; tail -2 err; exit 1; }
	done
'

test_done
