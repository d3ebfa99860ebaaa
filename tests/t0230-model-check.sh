#!/usr/bin/env bash
# model-check (issue 13): against mock servers that behave like the endpoints people
# point the tools at, the table names what each one refuses, the advice line gives the
# exact flags dialog-run needs there, and the exit status says whether it can run.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-PLANTED-0c4e8a1f93
export OPENAI_API_KEY=$KEY
unset OPENAI_BASE_URL

# check NAME [OPTION]...: model-check against mock NAME; out, err and status files.
check() {
	local name=$1 url
	shift
	eval "url=\$${name}_URL"
	status=0
	model-check --base-url "$url" --model m1 "$@" >out 2>err || status=$?
	echo "$status" >status
}

# always KIND: a fault list giving every probe the fault KIND (a server that always
# answers that way).
always() {
	yes "$1" | head -n 20 | paste -sd, -
}

test_expect_success 'an endpoint that accepts everything: no flags needed, exit 0' '
	start_mock m &&
	check m --embeddings-model e1 &&
	stop_mock m &&
	test $(cat status) = 0 &&
	echo "dialog-run flags: none needed" >want && tail -n 1 out >got && test_cmp want got &&
	grep -qx "system role   accepted" out &&
	grep -qx "alternation   not required" out &&
	grep -qx "reasoning     none" out &&
	grep -qx "token field   max_tokens" out &&
	grep -qx "temperature   accepted" out &&
	grep -qx "streaming     works" out &&
	grep -q "^usage         reported: [0-9]* prompt + [0-9]* completion tokens$" out &&
	grep -qx "embeddings    works: 8 dimensions" out &&
	grep -q "^latency       [0-9]* ms" out &&
	test ! -s err
'

test_expect_success 'a server without the system role (gemma): --system-message first-user, exit 0' '
	start_mock m --chat-template gemma &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -qx "system role   refused: System role not supported; in the first user message it works" out &&
	echo "dialog-run flags: --system-message first-user" >want && tail -n 1 out >got && test_cmp want got
'

test_expect_success 'mistral refuses a system message by its alternation check: the same advice' '
	start_mock m --chat-template mistral &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "^system role   refused: Conversation roles must alternate" out &&
	echo "dialog-run flags: --system-message first-user" >want && tail -n 1 out >got && test_cmp want got
'

test_expect_success 'a server that requires alternation (llama2): reported, dialog-run needs nothing' '
	start_mock m --chat-template llama2 &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -qx "alternation   required: Conversation roles must alternate user/assistant/user/assistant/...; dialog-run always alternates" out &&
	grep -qx "system role   accepted" out &&
	echo "dialog-run flags: none needed" >want && tail -n 1 out >got && test_cmp want got
'

test_expect_success 'the alternation probe is the one request of two user messages in a row, sent as is' '
	start_mock m --chat-template strict &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	jq -s -e "map(select(.fault == \"template\")) | length == 1" m.log &&
	jq -s -e "map(select(.fault == \"template\"))[0].body.messages | map(.role) == [\"user\", \"user\"]" m.log &&
	! grep -q "request_shape\|internal error" err
'

test_expect_success 'a model that thinks aloud: reasoning reported, --reasoning-tags strips it' '
	start_mock m --faults "$(always think)" &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -qx "reasoning     stripped: <think> blocks in answers; --reasoning-tags <think>,</think> strips them" out &&
	echo "dialog-run flags: none needed" >want && tail -n 1 out >got && test_cmp want got
'

test_expect_success 'tags that do not match the model: exit 1, the reasoning would become turns' '
	start_mock m --faults "$(always think)" &&
	check m --reasoning-tags "<r>,</r>" &&
	stop_mock m &&
	test $(cat status) = 1 &&
	grep -qx "reasoning     not stripped: reasoning blocks in answers that --reasoning-tags <r>,</r> leaves behind" out &&
	grep -q "cannot run dialog-run: reasoning text would become turns: --reasoning-tags <r>,</r> does not strip it" err
'

test_expect_success 'reasoning apart from the answer (reasoning_content): reported, nothing to strip' '
	start_mock m --faults "$(always reasoning)" &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "^reasoning     " out
'

test_expect_success 'a reasoning model refusing max_tokens: --max-tokens-field max_completion_tokens' '
	start_mock m --reject-max-tokens &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "^token field   max_completion_tokens: max_tokens refused: Unsupported parameter: .max_tokens." out &&
	echo "dialog-run flags: --max-tokens-field max_completion_tokens" >want && tail -n 1 out >got && test_cmp want got &&
	jq -s -e "map(.body.max_completion_tokens) | any" m.log
'

test_expect_success 'a model refusing temperature 0.7: --temperature default' '
	start_mock m --reject-temperature &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "^temperature   refused: Unsupported value: .temperature. does not support 0.7" out &&
	echo "dialog-run flags: --temperature default" >want && tail -n 1 out >got && test_cmp want got
'

test_expect_success 'OpenAI reasoning models: both flags, in the order of the table' '
	start_mock m --reject-max-tokens --reject-temperature &&
	check m &&
	stop_mock m &&
	test $(cat status) = 0 &&
	echo "dialog-run flags: --max-tokens-field max_completion_tokens --temperature default" >want &&
	tail -n 1 out >got && test_cmp want got
'

test_expect_success 'each probe sends only what it asks about: no temperature, no token limit elsewhere' '
	start_mock m &&
	check m &&
	stop_mock m &&
	jq -s -e "map(select(.body | has(\"temperature\"))) | length == 1" m.log &&
	jq -s -e "map(select(.body | has(\"max_tokens\"))) | length == 1" m.log &&
	jq -s -e "map(select(.body.stream == true)) | length == 1" m.log &&
	jq -s -e "map(select(.body.response_format.type == \"json_object\")) | length == 1" m.log
'

test_expect_success 'provider options go through: --auth api-key, --header, --body-json on every probe' '
	start_mock m --expect-api-key-env OPENAI_API_KEY &&
	check m --auth api-key --header "X-Title: check" --body-json "{\"top_k\":5}" &&
	stop_mock m &&
	test $(cat status) = 0 &&
	jq -s -e "map(.headers[\"x-title\"] == \"check\" and .body.top_k == 5 and .auth == false) | all" m.log
'

test_expect_success 'an unreachable port: exit 75 with one line' '
	start_mock m &&
	port=$m_PORT &&
	stop_mock m &&
	test_expect_code 75 model-check --base-url "http://127.0.0.1:$port/v1" --model m1 >out 2>err &&
	test_line_count = 1 err &&
	grep -q "cannot reach .http://127.0.0.1:$port/v1." err &&
	test ! -s out
'

test_expect_success 'rate limited past the retries: exit 75, said on one line' '
	start_mock m --faults 429,429,429 &&
	check m &&
	stop_mock m &&
	test $(cat status) = 75 &&
	grep -q "rate limited by .*rerun later (exit 75)" err
'

test_expect_success 'a wrong key (401): exit 1 saying authentication failed, the key never printed' '
	start_mock m --expect-key-env OPENAI_API_KEY &&
	OPENAI_API_KEY=sk-wrong-key-5555555555 check m &&
	stop_mock m &&
	test $(cat status) = 1 &&
	grep -q "cannot run dialog-run: authentication failed at" err &&
	grep -qx "auth          refused: .*" out &&
	grep -q "^dialog-run: cannot run: authentication failed" out &&
	test $(wc -l <m.log) = 1 &&
	! grep -q "sk-wrong-key-5555555555" out err
'

test_expect_success 'no way to send a system prompt: exit 1 with the reason' '
	start_mock m --chat-template gemma --faults ok,ok,400,400 &&
	check m &&
	stop_mock m &&
	test $(cat status) = 1 &&
	grep -q "cannot run dialog-run: no way to send the system prompt" err
'

test_expect_success '--json: one object with the checks, the flags as words and the exit status' '
	start_mock m --reject-temperature --chat-template gemma &&
	check m --json --embeddings-model e1 &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test_line_count = 1 out &&
	jq -e ".ok == true and .exit == 0 and .reason == null and .provider == \"openai\" and .model == \"m1\"" out &&
	jq -e ".flags == [\"--system-message\", \"first-user\", \"--temperature\", \"default\"]" out &&
	jq -e ".checks.system_role.result == \"refused\" and .checks.temperature.result == \"refused\"" out &&
	jq -e ".checks.alternation.result == \"required\" and .checks.embeddings.result == \"works\"" out &&
	jq -e ".checks | keys_unsorted == [\"reachable\",\"auth\",\"chat\",\"system_role\",\"alternation\",\"reasoning\",\"token_field\",\"temperature\",\"streaming\",\"usage\",\"json_mode\",\"embeddings\"]" out &&
	jq -e ".latency_ms | type == \"number\"" out
'

test_expect_success '--json for a failure and for an unreachable endpoint' '
	start_mock m --expect-key-env OPENAI_API_KEY &&
	OPENAI_API_KEY=sk-wrong-key-5555555555 check m --json &&
	port=$m_PORT &&
	stop_mock m &&
	test $(cat status) = 1 &&
	jq -e ".ok == false and .exit == 1 and (.reason | startswith(\"authentication failed\"))" out &&
	test_expect_code 75 model-check --json --base-url "http://127.0.0.1:$port/v1" --model m1 >out 2>err &&
	jq -e ".ok == false and .exit == 75" out
'

test_expect_success 'JSON mode: an answer that is a JSON object works' '
	start_mock m --reply "{\"answer\": \"OK\"}" &&
	check m &&
	stop_mock m &&
	grep -qx "JSON mode     works" out
'

test_expect_success 'the offline provider: the stand-in, labelled, exit 0, no request' '
	model-check --provider offline >out 2>err &&
	grep -qx "model-check: provider offline: the built-in stand-in provider, not a language model: every check passes trivially" out &&
	model-check --provider offline --json >out 2>err &&
	jq -e ".provider == \"offline\" and .ok == true and (.note | contains(\"stand-in\"))" out
'

test_expect_success 'usage errors: exit 2' '
	test_expect_code 2 model-check --base-url http://127.0.0.1:9/v1 2>err &&
	grep -q "no model given" err &&
	test_expect_code 2 model-check --bogus 2>err &&
	test_expect_code 2 model-check --provider offline some-file 2>err &&
	grep -q "reads no input files" err
'

test_expect_success '--help names the probes and the exit status' '
	model-check --help >out &&
	grep -q "^Usage: model-check --base-url URL --model M" out &&
	grep -q -- "--embeddings-model" out &&
	grep -q -- "--json" out &&
	grep -q -- "--max-tokens-field" out &&
	grep -q "75: unreachable or rate limited" out
'

test_done
