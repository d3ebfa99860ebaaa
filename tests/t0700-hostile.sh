#!/usr/bin/env bash
# Hostile input: no tool crashes, hangs or loses a good line; bad lines are named and routed.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
good='{"id":"g1","fields":{"age":30},"description":"You are calm.","turns":[{"speaker":"client","text":"thanks, bye"},{"speaker":"responder","text":"take care"}]}'
{
	printf '%s\r\n' "$good"                                   # 1 CRLF
	printf '%s\n' "$(printf '%.0s[' $(seq 10000))$(printf '%.0s]' $(seq 10000))"   # 2 deep nesting: not an object
	printf '{"id":"g2","id":"g3","fields":{"n":1e400,"z":-0,"s":"a\\u0000b"},"description":"d","turns":[1,null,{"speaker":5,"text":[1]}]}\n'  # 3 odd but valid
	printf '\xff\xfe not utf-8\n'                             # 4
	printf '{"id":"nul",\0"x":1}\n'                           # 5 raw NUL byte
	printf '["a" "b"]\n'                                      # 6 jq 1.6 parser leak case
	printf '{"id":7,"fields":[1],"description":5,"turns":"x","persona":3,"embedding":{"vector":"x"}}\n'   # 7 wrong types
	printf '{"id":"w2","fields":{"age":"old","x":{"y":[null]}},"description":null,"turns":[{"speaker":"client","text":null},{"speaker":null}],"stop":7,"probes":"p","score":[]}\n'  # 8 wrong types inside
	printf '%s' "$good"                                       # 9 no final newline
} >mixed.jsonl
head -c 2000 /dev/urandom | tr -d '\n' >garbage.jsonl
: >empty.jsonl

test_expect_success 'setup: nine hostile lines, the last without a newline; 2000 bytes of garbage' '
	test_line_count = 8 mixed.jsonl &&
	test "$(tail -c 1 mixed.jsonl)" = "}" &&
	test "$(wc -c <garbage.jsonl)" -gt 1900 &&
	test ! -s empty.jsonl
'

tools=("persona-validate --no-rules" "persona-craft --template" "persona-craft" "dialog-run --max-turns 2"
       "dialog-stop" "dialog-export" "embed" "embed --of turns" "score --summary sum.json")
# The lines each tool must reject: not JSON, not UTF-8, NUL, deep nesting (2 4 5 6)
# everywhere, plus the records whose members the tool reads have the wrong type.
rejected_lines() {
	case $1 in
	"dialog-run"*|"embed --of description") echo "2 4 5 6 7 8" ;;
	*) echo "2 4 5 6 7" ;;
	esac
}

test_expect_success 'every tool: bad lines named by file:line, exactly the bad lines in --rejects, exit 1' '
	for tool in "${tools[@]}" "embed --of description"; do
		rm -f rej &&
		test_expect_code 1 timeout 60 $tool --rejects rej mixed.jsonl >out 2>err &&
		want=$(rejected_lines "$tool") &&
		for line in $want; do
			grep -q "^[a-z-]*: mixed.jsonl:$line: " err || { echo "line $line not named"; return 1; }
		done &&
		test "$(grep -c "mixed.jsonl:[0-9]*: " err)" = "$(echo $want | wc -w)" &&
		sed -n "$(echo $want | sed "s/\([0-9]*\)/\1p;/g")" mixed.jsonl >want-rej &&
		test_cmp want-rej rej || { echo "failed for $tool; its stderr:"; cat err; return 1; }
	done
'

test_expect_success 'every tool: garbage and empty input end with 0 or 1, never a crash or a hang' '
	for tool in "${tools[@]}"; do
		for f in garbage.jsonl empty.jsonl; do
			status=0 &&
			{ timeout 60 $tool "$f" >out 2>err || status=$?; } &&
			[ "$status" -le 1 ] || { echo "$tool < $f: status $status"; tail -3 err; return 1; }
		done || return 1
	done
'

test_expect_success 'good lines come out unchanged: persona-validate adds only "validation"' '
	test_expect_code 1 persona-validate --no-rules --keep-order mixed.jsonl >out 2>/dev/null &&
	# The CRLF line and the final line without a newline are the same record.
	printf "%s\n" "$good" "$good" | jq -c . >want &&
	jq -c "select(.id == \"g1\") | del(.validation)" out >got &&
	test_cmp want got &&
	jq -c "select(.id == \"g2\" or .id == \"g3\") | del(.validation)" out >got3 &&
	sed -n 3p mixed.jsonl | jq -c . >want3 &&
	test_cmp want3 got3
'

test_expect_success 'every tool: the good records after hostile lines keep their id and fields' '
	for tool in "persona-craft --template" "dialog-stop" "embed" "score"; do
		test_expect_code 1 $tool mixed.jsonl >out 2>/dev/null &&
		jq -c "select(.id == \"g1\") | [.id, .fields]" out >got &&
		printf "%s\n" "[\"g1\",{\"age\":30}]" "[\"g1\",{\"age\":30}]" >want &&
		test_cmp want got || { echo "$tool changed or lost g1"; return 1; }
	done
'

test_expect_success 'a 100 MB line: over the line limit it is named and copied whole to --rejects; under a raised limit it passes' '
	{
		printf "{\"id\":\"big\",\"fields\":{\"x\":\""
		head -c 104857600 /dev/zero | tr "\0" "a"
		printf "\"}}\n"
		printf "%s\n" "$good"
	} >big.jsonl &&
	for tool in "persona-validate --no-rules" "persona-craft --template" "dialog-stop" "embed" "score"; do
		rm -f rej &&
		test_expect_code 1 $tool --rejects rej big.jsonl >out 2>err &&
		grep -q "big.jsonl:1: line longer than 16777216 bytes" err &&
		head -n 1 big.jsonl | cmp - rej &&
		test "$(jq -r .id out)" = g1 || { echo "failed for $tool; its stderr:"; cat err; return 1; }
	done &&
	persona-validate --no-rules --max-line-bytes 209715200 big.jsonl >out 2>err &&
	test "$(jq -r "select(.id == \"big\") | .fields.x | length" out)" = 104857600
'

test_expect_success 'truncated and corrupt gzip: reported as damaged, exit 1, no crash' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 300 | persona-craft --template | gzip >p.gz &&
	head -c $(( $(wc -c <p.gz) / 2 )) p.gz >cut.gz &&
	# personas have no turns: embed is asked for their description (else exit 2, no such field)
	for tool in "${tools[@]/#embed*/embed --of description}"; do
		test_expect_code 1 timeout 60 $tool cut.gz >out 2>err &&
		grep -q "cut.gz: damaged input after line" err || { echo "failed for $tool; its stderr:"; tail -2 err; return 1; }
	done
'

test_expect_success 'persona-sample: hostile schema files are one-line errors naming the file, exit 2' '
	printf "{\"name\":\"x\xff\"}" >utf8.json &&
	printf "{\"name\":\0}" >nul.json &&
	printf "%.0s[" $(seq 10000) >deep.json &&
	: >empty.json &&
	head -c 3000 /dev/urandom >garbage.json &&
	echo "{\"name\":\"s\",\"name\":5,\"fields\":[]}" >dup.json &&
	echo "{\"name\":\"s\",\"fields\":{\"a\":{\"type\":\"int\",\"min\":-0,\"max\":1e400}}}" >numbers.json &&
	echo "{\"name\":[],\"fields\":{\"a\":{\"type\":7,\"values\":{\"x\":\"heavy\"}}}}" >types.json &&
	for f in utf8 nul deep empty garbage dup numbers types; do
		status=0 &&
		{ timeout 20 persona-sample --schema $f.json -n 3 >out 2>err || status=$?; } &&
		{ [ "$status" = 2 ] || { echo "$f: status $status"; cat err; exit 1; }; } &&
		test ! -s out &&
		test "$(wc -l <err)" = 1 &&
		grep -q "^persona-sample: $f.json: " err || { echo "$f:"; cat err; exit 1; }
	done
'

test_expect_success 'dialog-import personachat: CRLF and a missing final newline are fine; bad lines reject their dialogue' '
	printf "1 your persona: i have two dogs.\r\n2 hi !\tdo you like dogs ?\r\n1 your persona: bad \xff utf8.\n2 hello\tbye\n1 your persona: nul \0 here.\n2 hi\tho\n1 your persona: i ride bikes.\n2 hey\tyou ride ?" >pc.txt &&
	test_expect_code 1 dialog-import --from personachat --rejects rej pc.txt >out 2>err &&
	printf "%s\n" "dialog-import: pc.txt:3: line is not valid UTF-8" "dialog-import: pc.txt:5: line contains a NUL byte" \
		"dialog-import: 2 conversations from personachat, 2 rejected" >want && test_cmp want err &&
	jq -c "[.persona.sentences, [.turns[].text]]" out >got &&
	printf "%s\n" "[[\"i have two dogs.\"],[\"hi !\",\"do you like dogs ?\"]]" "[[\"i ride bikes.\"],[\"hey\",\"you ride ?\"]]" >want &&
	test_cmp want got &&
	sed -n "3,6p" pc.txt >want && test_cmp want rej
'

test_expect_success 'dialog-import spc: bad UTF-8, NUL and an unterminated quote reject their rows only' '
	printf "user 1 personas,user 2 personas,Best Generated Conversation\r\n\"I ski.\",\"I nurse.\",\"User 1: Hi!\nUser 2: Hello.\"\r\n\"bad \xff\",\"x\",\"User 1: a\nUser 2: b\"\n\"nul \0\",\"x\",\"User 1: a\nUser 2: b\"\n\"I run.\",\"I cook.\",\"User 1: Run?\nUser 2: Cook.\"\n\"unterminated,\"x\",\"User 1: a" >s.csv &&
	test_expect_code 1 dialog-import --from spc --rejects rej s.csv >out 2>err &&
	printf "%s\n" "dialog-import: s.csv:4: row is not valid UTF-8" "dialog-import: s.csv:6: row contains a NUL byte" \
		"dialog-import: s.csv:10: text after a closing quote" "dialog-import: 2 conversations from spc, 3 rejected" >want &&
	test_cmp want err &&
	jq -c "[.turns[].text]" out >got &&
	printf "%s\n" "[\"Hi!\",\"Hello.\"]" "[\"Run?\",\"Cook.\"]" >want && test_cmp want got
'

test_expect_success 'dialog-import spasm and chat over the hostile JSON Lines: every bad line named, exit 1' '
	test_expect_code 1 dialog-import --from spasm --rejects rej mixed.jsonl >out 2>err &&
	for line in 2 3 4 5 6 7 8; do
		grep -q "^dialog-import: mixed.jsonl:$line: " err || { echo "line $line not named"; return 1; }
	done &&
	sed -n 2,8p mixed.jsonl >want && test_cmp want rej &&
	grep -q "^dialog-import: 2 conversations from spasm, 7 rejected$" err &&
	test_expect_code 1 dialog-import --from chat --rejects rej mixed.jsonl >out 2>err &&
	grep -q "^dialog-import: 0 conversations from chat, 9 rejected$" err
'

test_done
