#!/usr/bin/env bash
# Real chat servers: every request valid under real chat templates (mock-server
# --chat-template renders Llama-2-chat, Mistral-7B-Instruct-v0.1 and Gemma-7b-it's
# template logic, raising their exceptions), and only the answer becomes a turn (the
# mock's reply shapes: <think> blocks, reasoning_content, answers cut by the token
# limit, errors inside a 200, content parts, refusals, no choices).
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
export OPENAI_API_KEY=test-key-1
PINNED="$SRC/tests/fixtures/chat-templates"
echo '{"id":"x","schema":"t@1","fields":{"age":30},"description":"D"}' >one.jsonl
printf 'CLIENT: {{description}}{{style}}' >cp.txt
printf 'RESPONDER' >rp.txt
printf 'Ended? {{turns}}\n{{transcript}}' >jp.txt
echo '[{"name":"why","question":"Why are you here?"}]' >probes.json

# The real templates, rendered by @huggingface/jinja (the engine Hugging Face's own
# JavaScript libraries use for chat templates), installed once into build/npm/ with
# Debian's nodejs/npm (make deps). Without npm's registry those tests are skipped.
JINJA_VERSION=0.5.11
JINJA="$SRC/build/npm/node_modules/@huggingface/jinja"
jinja_missing=""
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	jinja_missing="node and npm are not installed (make deps installs them)"
elif [ "$(jq -r .version "$JINJA/package.json" 2>/dev/null)" != "$JINJA_VERSION" ] &&
	! timeout 300 npm install --prefix "$SRC/build/npm" --no-audit --no-fund --loglevel=error \
		"@huggingface/jinja@$JINJA_VERSION" >"$TRASH/npm.log" 2>&1; then
	jinja_missing="npm could not install @huggingface/jinja@$JINJA_VERSION: $(grep -m 1 'FetchError\|npm error' "$TRASH/npm.log")"
fi
: >all-requests.log   # every request the tools send in this script, for the real templates

# dialog NAME [OPTION]...: one conversation over mock NAME (both agents) with fixed
# prompts; out, err and status files.
dialog() {
	local name=$1 url
	shift
	eval "url=\$${name}_URL"
	status=0
	dialog-run --base-url "$url" --client-model cm --responder-model rm --client-prompt ./cp.txt \
		--responder-role ./rp.txt "$@" <one.jsonl >out 2>err || status=$?
	echo "$status" >status
}

# The logged message arrays of mocks, sorted, with the mock's reply numbers (which
# depend on the order requests arrive in) replaced by N.
wire() {
	jq -c '.body.messages' "$@" | sed 's/mock reply [0-9]*/mock reply N/g' | LC_ALL=C sort
}

# No request was refused by a template, and every one was rendered.
all_rendered() {
	! jq -r .fault "$@" | grep -v '^ok$' &&
	jq -e -s 'map(.prompt | type == "string") | all' "$@" >/dev/null
}

# --- the mock's templates refuse what the real ones refuse ---------------------

# post NAME BODY: the reply's error message, or "ok".
post() {
	local port
	eval "port=\$${1}_PORT"
	curl -s -X POST "http://127.0.0.1:$port/v1/chat/completions" -d "$2" | jq -r '.error.message // "ok"'
}

test_expect_success 'the mock templates raise the real templates'"'"' exceptions, word for word' '
	S="{\"role\":\"system\",\"content\":\"S\"}" U="{\"role\":\"user\",\"content\":\"u\"}" A="{\"role\":\"assistant\",\"content\":\"a\"}" &&
	ALT="Conversation roles must alternate user/assistant/user/assistant/..." &&
	start_mock l --chat-template llama2 && start_mock mi --chat-template mistral &&
	start_mock g --chat-template gemma && start_mock s --chat-template strict &&
	test "$(post l "{\"model\":\"m\",\"messages\":[$S,$U,$A,$U]}")" = ok &&
	test "$(post l "{\"model\":\"m\",\"messages\":[$S,$A,$U]}")" = "$ALT" &&
	test "$(post l "{\"model\":\"m\",\"messages\":[$U,$U]}")" = "$ALT" &&
	test "$(post mi "{\"model\":\"m\",\"messages\":[$U,$A,$U]}")" = ok &&
	test "$(post mi "{\"model\":\"m\",\"messages\":[$S,$U]}")" = "$ALT" &&
	test "$(post g "{\"model\":\"m\",\"messages\":[$U]}")" = ok &&
	test "$(post g "{\"model\":\"m\",\"messages\":[$S,$U]}")" = "System role not supported" &&
	test "$(post g "{\"model\":\"m\",\"messages\":[$U,$A,$A]}")" = "$ALT" &&
	test "$(post s "{\"model\":\"m\",\"messages\":[$S,$U,$A,$U]}")" = ok &&
	test "$(post s "{\"model\":\"m\",\"messages\":[$S,$U,$A]}")" = "the last message must be the user'"'"'s" &&
	test "$(post s "{\"model\":\"m\",\"messages\":[$U,$S]}")" = "a system message may only come first" &&
	stop_mock l && stop_mock mi && stop_mock g && stop_mock s &&
	jq -s -r ".[0].prompt" l.log >got &&
	printf "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nu [/INST] a </s><s>[INST] u [/INST]\n" >want && test_cmp want got &&
	jq -s -r ".[0].prompt" g.log >got &&
	printf "<bos><start_of_turn>user\nu<end_of_turn>\n<start_of_turn>model\n\n" >want && test_cmp want got
'

# --- every request of dialog-run passes, in every configuration ------------------

for template in strict llama2 mistral gemma; do
	case $template in
	strict | llama2) placements="system first-user" ;;
	*) placements="first-user" ;;   # no system role in Mistral v0.1 and Gemma
	esac
	for placement in $placements; do
		for context in ecp concat; do
			for opener in client responder; do
test_expect_success "$template template: $context, $opener opens, --system-message $placement, probes and the stop judge: every request accepted" "
	start_mock m --chat-template $template &&
	start_mock j --chat-template $template --reply '{\"verdict\": false, \"reason\": \"not yet\"}' &&
	dialog m --context $context --opener $opener --system-message $placement --max-turns 4 \
		--probes ./probes.json --probe-every 2 --stop judge --judge-base-url \"\$j_URL\" --judge-model jm &&
	stop_mock m && stop_mock j &&
	test \$(cat status) = 0 &&
	jq -e '.status == \"ok\" and (.turns | length) == 8 and (.probes | length) == 3' out &&
	test \$(wc -l <m.log) = 11 && test \$(wc -l <j.log) = 4 &&
	all_rendered m.log j.log &&
	cat m.log j.log >>all-requests.log
"
			done
		done
	done
done

test_expect_success 'the checks bite: a system message is refused by Mistral v0.1 and Gemma templates' '
	start_mock mi --chat-template mistral && start_mock g --chat-template gemma &&
	dialog mi --stop none --max-turns 2 &&
	test $(cat status) = 1 &&
	jq -e ".status == \"failed\" and .error.kind == \"http_400\" and .error.message == \"Conversation roles must alternate user/assistant/user/assistant/...\" and .error.attempts == 1" out &&
	dialog g --stop none --max-turns 2 &&
	test $(cat status) = 1 &&
	jq -e ".error.kind == \"http_400\" and .error.message == \"System role not supported\"" out &&
	stop_mock mi && stop_mock g &&
	jq -r .fault mi.log g.log >faults && printf "template\ntemplate\n" >want && test_cmp want faults
'

# --- the exact arrays on the wire --------------------------------------------------

# pin NAME TEMPLATE OPTION...: the arrays both mocks saw equal tests/fixtures/chat-templates/NAME.
pin() {
	local name=$1 template=$2
	shift 2
	start_mock m --chat-template "$template" &&
	start_mock j --chat-template "$template" --reply '{"verdict": false, "reason": "not yet"}' &&
	dialog m --stop judge --judge-base-url "$j_URL" --judge-model jm --stop-prompt ./jp.txt --max-turns 3 \
		--probes ./probes.json --probe-every 2 "$@" &&
	stop_mock m && stop_mock j &&
	test "$(cat status)" = 0 &&
	all_rendered m.log j.log &&
	cat m.log j.log >>all-requests.log &&
	wire m.log j.log >got &&
	test_cmp "$PINNED/$name" got
}

test_expect_success 'ECP with a system message (Llama-2): the exact arrays, kick-off kept first, probe merged into the partner'"'"'s turn' '
	pin ecp-system llama2 --context ecp --system-message system
'
test_expect_success 'ECP with first-user (Gemma): the system text atop the first user message of each agent' '
	pin ecp-first-user gemma --context ecp --system-message first-user &&
	jq -r "select(.body.messages | length == 3) | .prompt" m.log | grep -F -q "<bos><start_of_turn>user
CLIENT: D

(The conversation starts now. Please begin.)<end_of_turn>
<start_of_turn>model
mock reply"
'
test_expect_success 'CONCAT with a system message (Llama-2): the exact arrays, the client cued to continue' '
	pin concat-system llama2 --context concat --system-message system
'
test_expect_success 'CONCAT with first-user (Mistral v0.1): the exact arrays' '
	pin concat-first-user mistral --context concat --system-message first-user
'
test_expect_success 'ECP, the responder opens (Llama-2): the responder keeps the kick-off, the client'"'"'s probes get a message of their own' '
	pin ecp-responder-system llama2 --context ecp --opener responder --system-message system
'
test_expect_success 'CONCAT, the responder opens (Gemma, first-user): the kick-off leads the shared transcript' '
	pin concat-responder-first-user gemma --context concat --opener responder --system-message first-user
'

test_expect_success '--system-message per role: --client-system-message first-user leaves the responder a system message' '
	start_mock m --chat-template strict &&
	dialog m --stop none --max-turns 1 --client-system-message first-user &&
	stop_mock m &&
	jq -r ".body.messages[0].role" m.log >got && printf "user\nsystem\n" >want && test_cmp want got
'

# --- every judge -------------------------------------------------------------------

test_expect_success 'persona-validate, persona-craft, dialog-stop and score judges: one user message, accepted by Gemma and Llama-2' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 2 --seed 1 >p.jsonl &&
	for t in gemma llama2; do
		start_mock v --chat-template $t --reply "{\"verdict\": true, \"reason\": \"fine\"}" &&
		persona-validate --judge --base-url "$v_URL" --model jm <p.jsonl >v.out 2>err &&
		start_mock c --chat-template $t --reply "You are a careful person who wants help." &&
		persona-craft --base-url "$c_URL" --model cm --system-message first-user <p.jsonl >c.out 2>err &&
		start_mock d --chat-template $t --reply "{\"verdict\": false, \"reason\": \"open\"}" &&
		dialog-stop --judge --base-url "$d_URL" --model jm <"$FIXTURES/conversations/open.jsonl" >d.out 2>err &&
		start_mock s --chat-template $t --reply "{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"ok\"}" &&
		score --judge --base-url "$s_URL" --model jm <"$FIXTURES/conversations/open.jsonl" >s.out 2>err &&
		stop_mock v && stop_mock c && stop_mock d && stop_mock s &&
		all_rendered v.log c.log d.log s.log &&
		cat v.log c.log d.log s.log >>all-requests.log &&
		test "$(jq -c "[.body.messages[].role]" v.log c.log d.log s.log | sort -u)" = "[\"user\"]" &&
		jq -e -s "map(.validation.judge.verdict == true) | all" v.out &&
		jq -e -s "map(.description == \"You are a careful person who wants help.\") | all" c.out &&
		jq -e -s "map(.scores.judge.role_failure == false) | all" s.out &&
		test "$(jq -s length d.out)" = "$(jq -s length "$FIXTURES/conversations/open.jsonl")" || exit 1
	done
'

# --- the real templates ----------------------------------------------------------------

if [ -n "$jinja_missing" ]; then
	test_skip 'the real Llama-2, Mistral v0.1 and Gemma templates (@huggingface/jinja) accept every request sent above' "$jinja_missing"
	test_skip 'the real templates refuse what they should (control)' "$jinja_missing"
	test_skip 'the mock'"'"'s C templates render exactly what the real ones render' "$jinja_missing"
else
test_expect_success 'the real Llama-2, Mistral v0.1 and Gemma templates (@huggingface/jinja) accept every request sent above' '
	test "$(wc -l <all-requests.log)" -ge 400 &&
	render-chat-templates "$JINJA" all-requests.log >rendered &&
	n=$(wc -l <all-requests.log) &&
	grep -E -q "^$n requests, [0-9]+ renderings, 0 refused$" rendered
'

test_expect_success 'the real templates refuse what they should (control)' '
	printf "%s\n" \
		"{\"n\":1,\"body\":{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"assistant\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"u\"}]}}" \
		"{\"n\":2,\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"u\"},{\"role\":\"user\",\"content\":\"q\"}]}}" \
		"{\"n\":3,\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"u\"}]}}" >bad.log &&
	test_expect_code 1 render-chat-templates "$JINJA" bad.log >got &&
	cat >want <<-EOF &&
	refused llama2 n=1: Conversation roles must alternate user/assistant/user/assistant/...
	refused llama2 n=2: Conversation roles must alternate user/assistant/user/assistant/...
	refused mistral n=2: Conversation roles must alternate user/assistant/user/assistant/...
	refused gemma n=2: Conversation roles must alternate user/assistant/user/assistant/...
	3 requests, 7 renderings, 4 refused
	EOF
	test_cmp want got &&
	printf "%s\n" "{\"n\":1,\"body\":{\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"u\"}]}}" >sys.log &&
	render-chat-templates "$JINJA" --print gemma sys.log >got &&
	echo "{\"refused\":\"System role not supported\"}" >want && test_cmp want got &&
	render-chat-templates "$JINJA" --print mistral sys.log >got &&
	echo "{\"refused\":\"Conversation roles must alternate user/assistant/user/assistant/...\"}" >want && test_cmp want got
'

test_expect_success 'the mock'"'"'s C templates render exactly what the real ones render' '
	for t in llama2 mistral gemma; do
		placement=first-user && { [ $t != llama2 ] || placement=system; } &&
		start_mock m --chat-template $t &&
		dialog m --stop none --max-turns 3 --probes ./probes.json --probe-every 1 --system-message $placement &&
		stop_mock m &&
		test "$(cat status)" = 0 &&
		jq -c .prompt m.log >mock.prompts &&
		render-chat-templates "$JINJA" --print $t m.log >real.prompts &&
		test_cmp real.prompts mock.prompts || exit 1
	done
'
fi

# --- only the answer becomes a turn --------------------------------------------------

# No reasoning text in the records, nor in any request (a partner never saw it).
no_reasoning() {
	! grep -i "mock reasoning" out &&
	! jq -c .body m.log | grep -i "mock reasoning"
}

for kind in think thinkopen reasoning parts; do
test_expect_success "replies with $kind: ok conversations, no reasoning text in records or requests" "
	start_mock m --fault-rate 1 --fault-kinds $kind &&
	dialog m --stop none --max-turns 3 --probes ./probes.json --probe-every 1 &&
	stop_mock m &&
	test \$(cat status) = 0 &&
	jq -e '.status == \"ok\" and (.turns | length) == 6 and all(.turns[]; (.text | length) > 0 and (.text | startswith(\"mock reply\")))' out &&
	jq -e 'all(.probes[]; .answer | startswith(\"mock reply\"))' out &&
	no_reasoning
"
done

test_expect_success 'reasoning never becomes a description nor decides a verdict (persona-craft, persona-validate, dialog-stop, score)' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 1 --seed 1 >p.jsonl &&
	start_mock c --reply "<think>mock reasoning: You are nobody.</think>You are a careful person." &&
	persona-craft --base-url "$c_URL" --model cm <p.jsonl >c.out 2>err &&
	jq -e ".description == \"You are a careful person.\"" c.out &&
	start_mock v --reply "<think>mock reasoning, maybe {\"verdict\": false}</think>{\"verdict\": true, \"reason\": \"fine\"}" &&
	persona-validate --judge --base-url "$v_URL" --model jm <p.jsonl >v.out 2>err &&
	jq -e ".validation.judge.verdict == true and .validation.judge.reason == \"fine\"" v.out &&
	start_mock d --reply "mock reasoning, surely {\"verdict\": true}</think>{\"verdict\": false, \"reason\": \"open\"}" &&
	dialog-stop --judge --base-url "$d_URL" --model jm <"$FIXTURES/conversations/open.jsonl" >d.out 2>err &&
	jq -e "(.turns | length) == 5 and .stop.reason == \"max_turns\"" d.out &&
	start_mock s --reply "<think>mock reasoning {\"role_failure\": true}</think>{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"ok\"}" &&
	score --judge --base-url "$s_URL" --model jm <"$FIXTURES/conversations/open.jsonl" >s.out 2>err &&
	jq -e ".scores.judge.role_failure == false" s.out &&
	stop_mock c && stop_mock v && stop_mock d && stop_mock s &&
	! grep -i "mock reasoning" c.out v.out d.out s.out
'

test_expect_success 'content parts are joined: only the text parts, in order' '
	start_mock m --faults parts --reply "Hello there, how are you?" &&
	dialog m --stop none --max-turns 1 &&
	stop_mock m &&
	jq -e ".turns[0].text == \"Hello there, how are you?\"" out
'

test_expect_success 'reasoning tokens are counted apart, in records and in the summary' '
	start_mock m --fault-rate 1 --fault-kinds reasoning &&
	dialog m --stop none --max-turns 2 &&
	stop_mock m &&
	jq -e ".usage.client.requests == 2 and .usage.client.reasoning_tokens == 10" out &&
	jq -e ".usage.client | keys_unsorted == [\"requests\",\"prompt_tokens\",\"completion_tokens\",\"reasoning_tokens\"]" out &&
	grep -q "client (cm): 2 requests, .* completion tokens (10 reasoning)$" err
'

test_expect_success '--reasoning-tags: other tags are stripped, and only those' '
	start_mock m --reply "<reflect>mock reasoning, custom</reflect>An answer. <think>kept</think>" &&
	dialog m --stop none --max-turns 1 --reasoning-tags "<reflect>,</reflect>" &&
	stop_mock m &&
	jq -e ".turns[0].text == \"An answer. <think>kept</think>\"" out
'

test_expect_success 'out of tokens while reasoning, every time: re-asked, then failed as truncated with the finish reason; nothing cached' '
	start_mock m --fault-rate 1 --fault-kinds lengthempty &&
	dialog m --stop none --max-turns 2 --retries 2 --cache cache &&
	stop_mock m &&
	test $(cat status) = 1 &&
	jq -e ".status == \"failed\" and .turns == [] and .stop.reason == \"error\" and .error == {\"kind\":\"truncated\",\"message\":\"the token limit was reached before any answer (finish_reason \\\"length\\\")\",\"attempts\":3,\"finish_reason\":\"length\"}" out &&
	test $(wc -l <m.log) = 3 &&
	test -z "$(find cache -type f)" &&
	grep -q "x/0: failed: truncated: the token limit was reached before any answer" err
'

test_expect_success 'an unclosed <think> cut by the limit is truncated too, never a turn' '
	start_mock m --fault-rate 1 --fault-kinds lengththink &&
	dialog m --stop none --max-turns 2 --retries 1 &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error.kind == \"truncated\" and .error.finish_reason == \"length\" and .turns == []" out &&
	no_reasoning
'

test_expect_success 'a blank answer is re-asked, then fails as empty with the finish reason' '
	start_mock m --fault-rate 1 --fault-kinds blank &&
	dialog m --stop none --max-turns 2 --retries 1 &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error == {\"kind\":\"empty\",\"message\":\"the answer is empty (finish_reason \\\"stop\\\")\",\"attempts\":2,\"finish_reason\":\"stop\"}" out
'

test_expect_success 'a refusal is recorded: the provider'"'"'s refusal text is the error message' '
	start_mock m --fault-rate 1 --fault-kinds refusal &&
	dialog m --stop none --max-turns 2 --retries 0 &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error.kind == \"refusal\" and .error.message == \"I'"'"'m sorry, but I can'"'"'t help with that request.\"" out
'

test_expect_success 'one empty answer: asked again with the next seed, the accepted answer cached under the call'"'"'s key, a rerun makes no request and writes the same bytes' '
	start_mock m --faults ok,lengthempty &&
	dialog m --stop none --max-turns 2 --seed 7 --cache cache &&
	cp out first && cp err first.err &&
	test $(cat status) = 0 &&
	jq -c ".body.seed" m.log >seeds && printf "7\n7\n8\n7\n7\n" >want && test_cmp want seeds &&
	jq -e ".status == \"ok\" and (.turns | length) == 4" first &&
	grep -q "responder (rm): 2 requests, 1 retries, 0 cache hits, 0 failed" first.err &&
	dialog m --stop none --max-turns 2 --seed 7 --cache cache &&
	stop_mock m &&
	test $(wc -l <m.log) = 5 &&
	test_cmp first out &&
	grep -q "responder (rm): 2 requests, 0 retries, 2 cache hits, 0 failed" err
'

test_expect_success 'a warm cache, many conversations: zero requests, the same bytes with --keep-order, the same records without' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 4 --seed 5 | persona-craft --template >p.jsonl &&
	start_mock m --latency-ms 3 --fault-rate 0.3 --fault-kinds think,reasoning,lengthempty,429 --retry-after 0 &&
	set -- --base-url "$m_URL" --model m --conversations 3 --max-turns 3 --stop judge --judge-tries 1 \
		--probes ./probes.json --probe-every 1 --cache cache --concurrency 5 --seed 9 &&
	dialog-run "$@" --keep-order <p.jsonl >first 2>/dev/null &&
	n=$(wc -l <m.log) &&
	dialog-run "$@" --keep-order <p.jsonl >second 2>/dev/null &&
	dialog-run "$@" <p.jsonl >unordered 2>/dev/null &&
	stop_mock m &&
	test "$(wc -l <m.log)" = "$n" &&
	test_line_count = 12 first &&
	test_cmp first second &&
	sort first >a && sort unordered >b && test_cmp a b
'

test_expect_success 'an answer cut by the limit is kept, marked on its turn and counted in the summary' '
	start_mock m --faults ok,lengthcut &&
	dialog m --stop none --max-turns 1 &&
	stop_mock m &&
	test $(cat status) = 0 &&
	jq -e ".status == \"ok\" and .turns[0].truncated == null and .turns[1].truncated == true and (.turns[1].text | length) > 0" out &&
	grep -q "2 turns (1 cut by the token limit);" err &&
	grep -q "1 truncated answers kept" err
'

test_expect_success 'an error inside a 200 (OpenRouter) is retried, then fails with the provider'"'"'s message' '
	start_mock m --faults error200 &&
	dialog m --stop none --max-turns 1 &&
	stop_mock m &&
	jq -e ".status == \"ok\"" out &&
	start_mock m --fault-rate 1 --fault-kinds error200 &&
	dialog m --stop none --max-turns 1 --retries 1 &&
	stop_mock m &&
	test $(cat status) = 1 &&
	jq -e ".error == {\"kind\":\"provider_error\",\"message\":\"Provider returned error: upstream model overloaded\",\"attempts\":2}" out
'

test_expect_success 'an error inside a 200 with a permanent code fails at once' '
	start_mock m --fault-rate 1 --fault-kinds error200-400 &&
	dialog m --stop none --max-turns 1 &&
	stop_mock m &&
	test $(wc -l <m.log) = 1 &&
	jq -e ".error == {\"kind\":\"provider_error\",\"message\":\"Provider returned error: context length exceeded\",\"attempts\":1}" out
'

test_expect_success 'choices [] is an error quoting the provider'"'"'s reply' '
	start_mock m --fault-rate 1 --fault-kinds nochoices &&
	dialog m --stop none --max-turns 1 --retries 0 &&
	stop_mock m &&
	jq -e ".error.kind == \"bad_response\" and (.error.message | startswith(\"the reply has no choices: {\")) and (.error.message | contains(\"content_filter_results\"))" out
'

test_expect_success 'a server mixing every shape: ok conversations are whole, no empty or reasoning turn, failures say why' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 6 --seed 3 | persona-craft --template >p.jsonl &&
	start_mock m --fault-rate 0.5 --fault-seed 11 --fault-kinds think,thinkopen,reasoning,parts,lengthcut,lengthempty,lengththink,blank,refusal &&
	status=0 &&
	dialog-run --base-url "$m_URL" --model m --conversations 3 --max-turns 4 --stop none --retries 3 \
		--probes ./probes.json --probe-every 2 <p.jsonl >out 2>err || status=$? &&
	stop_mock m &&
	test $status -le 1 &&
	test_line_count = 18 out &&
	jq -e -s "map(select(.status == \"ok\")) | length > 0" out &&
	jq -e -s "map(select(.status == \"ok\") | .turns | length == 8 and all(.[]; (.text | test(\"\\\\S\")))) | all" out &&
	jq -e -s "map(select(.status != \"ok\") | .error.kind | IN(\"truncated\", \"empty\", \"refusal\")) | all" out &&
	no_reasoning
'

test_expect_success 'usage errors: --system-message and --reasoning-tags' '
	test_expect_code 2 dialog-run --provider offline --system-message user </dev/null 2>err &&
	grep -q "unknown --system-message '"'"'user'"'"' (expected system or first-user)" err &&
	test_expect_code 2 dialog-run --provider offline --judge-reasoning-tags "<think>" --stop judge </dev/null 2>err &&
	grep -q "judge: --reasoning-tags '"'"'<think>'"'"' must be OPEN,CLOSE" err &&
	test_expect_code 2 persona-craft --provider offline --system-message "" </dev/null 2>err &&
	grep -q "unknown --system-message" err
'

test_done
