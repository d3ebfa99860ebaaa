#!/usr/bin/env bash
# Provider variety (issue 13): reasoning models, Azure, gateways, waiting limits. The
# mock behaves like each provider; the tests pin what goes on the wire from its log.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-PLANTED-5b1f0c9e77
export OPENAI_API_KEY=$KEY
unset OPENAI_BASE_URL

REPLY="You are a careful tester who wants every request checked twice."
test_expect_success 'setup: one persona' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 1 --seed 1 >one.jsonl &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 6 --seed 1 >six.jsonl &&
	persona-craft --provider offline <one.jsonl >crafted.jsonl 2>/dev/null &&
	persona-craft --provider offline <six.jsonl >crafted6.jsonl 2>/dev/null &&
	test $(jq -s "map(select(.description)) | length" crafted6.jsonl) = 6
'

# craft URL [OPTION]...: persona-craft one.jsonl; out, err and status files.
craft() {
	local url=$1
	shift
	status=0
	persona-craft --base-url "$url" --model m1 "$@" <one.jsonl >out 2>err || status=$?
	echo "$status" >status
}

test_expect_success 'a reasoning model refuses max_tokens; --max-tokens-field max_completion_tokens is accepted' '
	start_mock m --reject-max-tokens --reply "$REPLY" &&
	craft "$m_URL" --max-tokens 50 &&
	test $(cat status) = 1 &&
	jq -e ".error.kind == \"http_400\" and (.error.message | contains(\"max_completion_tokens\"))" out &&
	craft "$m_URL" --max-tokens 50 --max-tokens-field max_completion_tokens &&
	stop_mock m &&
	test $(cat status) = 0 &&
	tail -n 1 m.log | jq -e ".body.max_completion_tokens == 50 and (.body | has(\"max_tokens\") | not)"
'

test_expect_success 'an unknown --max-tokens-field is a usage error (exit 2)' '
	test_expect_code 2 persona-craft --base-url http://127.0.0.1:9/v1 --model m --max-tokens-field tokens <one.jsonl 2>err &&
	grep -q "unknown --max-tokens-field .tokens." err
'

test_expect_success '--temperature default leaves the field out; a reasoning model then answers' '
	start_mock m --reject-temperature --reply "$REPLY" &&
	craft "$m_URL" --temperature 0.7 &&
	test $(cat status) = 1 &&
	jq -e ".error.message | startswith(\"Unsupported value: '"'"'temperature'"'"' does not support 0.7\")" out &&
	craft "$m_URL" --temperature default --top-p default &&
	stop_mock m &&
	test $(cat status) = 0 &&
	tail -n 1 m.log | jq -e ".body | (has(\"temperature\") or has(\"top_p\")) | not"
'

test_expect_success '--top-p is sent as top_p; out of range is exit 2' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --top-p 0.9 --temperature 1 &&
	stop_mock m &&
	jq -e ".body.top_p == 0.9 and .body.temperature == 1" m.log &&
	test_expect_code 2 persona-craft --model m --top-p 1.5 <one.jsonl 2>err &&
	grep -q "top-p .1.5. must be a number from 0 to 1" err
'

test_expect_success 'dialog-run: --temperature default wins over its own 0.7, per role too' '
	start_mock m --reply "$REPLY" &&
	dialog-run --base-url "$m_URL" --model m --max-turns 2 --stop none --temperature default <crafted.jsonl >conv.jsonl 2>err &&
	jq -s -e "[.[] | .body | has(\"temperature\")] | any | not" m.log &&
	jq -e "(.client | has(\"temperature\") | not) and (.responder | has(\"temperature\") | not)" conv.jsonl &&
	: >m.log &&
	dialog-run --base-url "$m_URL" --model m --max-turns 2 --stop none --responder-temperature default <crafted.jsonl >conv.jsonl 2>err &&
	stop_mock m &&
	jq -s -e "[.[] | .body.temperature] | sort | unique == [null, 0.7]" m.log &&
	jq -e ".client.temperature == 0.7 and (.responder | has(\"temperature\") | not)" conv.jsonl
'

test_expect_success 'Azure: the path goes before the query; the key goes in api-key, never Authorization' '
	start_mock m --expect-query api-version=2024-06-01 --expect-api-key-env OPENAI_API_KEY --reply "$REPLY" &&
	azure="http://127.0.0.1:$m_PORT/openai/deployments/d1?api-version=2024-06-01" &&
	craft "$azure" &&
	test $(cat status) = 1 &&
	jq -e ".error.kind == \"http_401\"" out &&
	craft "$azure" --auth api-key &&
	stop_mock m &&
	test $(cat status) = 0 &&
	tail -n 1 m.log | jq -e ".path == \"/openai/deployments/d1/chat/completions?api-version=2024-06-01\" and .auth == false and .headers[\"api-key\"] == \"[secret]\"" &&
	! grep -q "$KEY" err out m.log
'

test_expect_success 'a base URL with a query and a trailing slash: the query is kept once' '
	start_mock m --expect-query v=1 --reply "$REPLY" &&
	craft "$m_URL/?v=1" &&
	stop_mock m &&
	test $(cat status) = 0 &&
	jq -e ".path == \"/v1/chat/completions?v=1\"" m.log
'

test_expect_success '--auth none sends no key; an unknown --auth is exit 2' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --auth none &&
	stop_mock m &&
	test $(cat status) = 0 &&
	jq -e ".auth == false and (.headers | has(\"api-key\") | not)" m.log &&
	! grep -q "no API key set" err &&
	test_expect_code 2 persona-craft --base-url "$m_URL" --model m --auth basic <one.jsonl 2>err &&
	grep -q "unknown --auth .basic." err
'

test_expect_success '--header is repeatable and sent as given; a role header replaces the plain ones' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --header "HTTP-Referer: https://example.org/app" --header "X-Title: persona test" &&
	jq -e ".headers[\"http-referer\"] == \"https://example.org/app\" and .headers[\"x-title\"] == \"persona test\"" m.log &&
	: >m.log &&
	dialog-run --base-url "$m_URL" --model m --max-turns 2 --stop none --header "X-Team: all" --client-header "X-Team: client" <crafted.jsonl >conv.jsonl 2>err &&
	stop_mock m &&
	jq -s -e "[.[] | .headers[\"x-team\"]] | sort | unique == [\"all\", \"client\"]" m.log &&
	test_expect_code 2 persona-craft --model m --header "no colon" <one.jsonl 2>err &&
	grep -q "header .no colon. must be .Name: value." err
'

test_expect_success '--body-json fields are merged into the body, in key order, and change the cache key' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --cache cache --body-json "{\"stop\":[\"END\"],\"chat_template_kwargs\":{\"enable_thinking\":false}}" &&
	test $(cat status) = 0 &&
	jq -e ".body.stop == [\"END\"] and .body.chat_template_kwargs.enable_thinking == false" m.log &&
	jq -r ".body | keys_unsorted | join(\",\")" m.log >keys &&
	echo "model,messages,chat_template_kwargs,stop" >want && test_cmp want keys &&
	craft "$m_URL" --cache cache --body-json "{\"stop\":[\"END\"],\"chat_template_kwargs\":{\"enable_thinking\":false}}" &&
	test $(wc -l <m.log) = 1 &&
	craft "$m_URL" --cache cache --body-json "{\"stop\":[\"FIN\"]}" &&
	stop_mock m &&
	test $(wc -l <m.log) = 2
'

test_expect_success 'headers and the key are not part of the cache key' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --cache cache2 --header "X-A: 1" &&
	OPENAI_API_KEY=sk-other-key-0000 craft "$m_URL" --cache cache2 --header "X-A: 2" &&
	stop_mock m &&
	test $(wc -l <m.log) = 1 &&
	grep -q "1 cache hits" err
'

test_expect_success '--body-json: a field it sets wins over the option that sets it' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --temperature 0.2 --body-json "{\"temperature\":0.9}" &&
	stop_mock m &&
	jq -e ".body.temperature == 0.9" m.log &&
	test $(grep -o temperature m.log | wc -l) = 1
'

for bad in '[1]' '"x"' '{"model":"m2"}' '{"messages":[]}' '{"a":' ; do
test_expect_success "--body-json '$bad' is refused at start with exit 2" "
	test_expect_code 2 persona-craft --model m --body-json '$bad' <one.jsonl >out 2>err &&
	grep -q 'body-json' err &&
	test ! -s out
"
done

test_expect_success '--cacert must be readable (exit 2); proxies come from the environment' '
	test_expect_code 2 persona-craft --base-url https://127.0.0.1:9/v1 --model m --cacert no-such.pem <one.jsonl 2>err &&
	grep -q "cannot open --cacert .no-such.pem." err &&
	start_mock p --reply "$REPLY" &&
	status=0 &&
	http_proxy="http://127.0.0.1:$p_PORT" persona-craft --base-url http://proxied.invalid/v1 --model m1 <one.jsonl >out 2>err || status=$? &&
	stop_mock p &&
	test $status = 0 &&
	jq -e ".path == \"http://proxied.invalid/v1/chat/completions\"" p.log
'

test_expect_success 'Retry-After as an HTTP date is honoured' '
	start_mock m --faults 429date --retry-after 2 --reply "$REPLY" &&
	start=$(date +%s.%N) &&
	craft "$m_URL" &&
	end=$(date +%s.%N) &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test $(wc -l <m.log) = 2 &&
	awk -v a="$start" -v b="$end" "BEGIN { exit !(b - a >= 1.0) }"
'

test_expect_success 'a demanded wait over --max-retry-wait fails as rate-limited (exit 75) naming the wait' '
	start_mock m --faults 429,ok --retry-after 300 --reply "$REPLY" &&
	craft "$m_URL" &&
	stop_mock m &&
	test $(cat status) = 75 &&
	test $(wc -l <m.log) = 1 &&
	jq -e ".error.kind == \"http_429\" and (.error.message | contains(\"wait 300 s, more than --max-retry-wait 120 s\"))" out &&
	start_mock m --faults 429ms,ok --retry-after 6 --reply "$REPLY" &&
	craft "$m_URL" --max-retry-wait 5 &&
	stop_mock m &&
	test $(cat status) = 75 &&
	jq -e ".error.message | contains(\"wait 6 s, more than --max-retry-wait 5 s\")" out
'

test_expect_success 'a wait over 5 s is said on stderr, then waited' '
	start_mock m --faults 503 --retry-after 6 --reply "$REPLY" &&
	craft "$m_URL" &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "waiting 6 s before retrying (http_503, as the server asks)" err
'

test_expect_success 'a timed-out request is re-sent at most --retries times; the summary counts timeouts' '
	start_mock m --faults stall,stall,stall,stall --reply "$REPLY" &&
	craft "$m_URL" --timeout 0.5 --retries 2 &&
	stop_mock m &&
	test $(cat status) = 1 &&
	test $(wc -l <m.log) = 3 &&
	jq -e ".error.kind == \"timeout\" and .error.attempts == 3" out &&
	grep -q "(m1): 1 requests, 2 retries, 0 cache hits, 1 failed.*, 3 timed out" err
'

test_expect_success 'without --retries, timeouts are re-sent twice (as the OpenAI SDKs), other failures six times' '
	start_mock m --faults stall,stall,stall,stall --reply "$REPLY" &&
	craft "$m_URL" --timeout 0.5 &&
	stop_mock m &&
	test $(cat status) = 1 &&
	test $(wc -l <m.log) = 3 &&
	start_mock m --faults 503,503,503,503,503,503 --retry-after 0 --reply "$REPLY" &&
	craft "$m_URL" &&
	stop_mock m &&
	test $(cat status) = 0 &&
	test $(wc -l <m.log) = 7
'

# craft6 NAME OUT [OPTION]...: the six personas through mock NAME, one at a time.
craft6() {
	local name=$1 out=$2 url
	shift 2
	eval "url=\$${name}_URL"
	persona-craft --base-url "$url" --model m1 --concurrency 1 --keep-order "$@" <six.jsonl >"$out" 2>err
}

test_expect_success '--stream: the same records byte for byte as without, reasoning and refusals included' '
	start_mock a --faults think,reasoning,parts,thinkopen,refusal,ok &&
	craft6 a plain.jsonl || true &&
	stop_mock a &&
	start_mock b --faults think,reasoning,parts,thinkopen,refusal,ok &&
	craft6 b streamed.jsonl --stream || true &&
	stop_mock b &&
	test_cmp plain.jsonl streamed.jsonl &&
	test $(jq -s "map(select(.status != \"failed\")) | length" streamed.jsonl) -ge 5 &&
	! grep -q "mock reasoning" streamed.jsonl &&
	jq -s -e "all(.[]; .body.stream == true and .body.stream_options.include_usage == true)" b.log &&
	jq -s -e "all(.[]; .body | has(\"stream\") | not)" a.log
'

test_expect_success '--concurrency 1: a re-ask or a retry goes before the next record, however far the input was read' '
	start_mock a --latency-ms 150 --faults refusal,ok,503,ok --retry-after 0 &&
	craft6 a out &&
	stop_mock a &&
	test $(wc -l <a.log) = 8 &&
	jq -r ".description" out | sed "s/:.*//" >got &&
	printf "mock reply %s from m1\n" 2 4 5 6 7 8 >want &&
	test_cmp want got
'

test_expect_success '--stream: a cut stream is retried, never half-kept' '
	start_mock a --reply "$REPLY" &&
	craft "$a_URL" &&
	stop_mock a &&
	mv out plain.jsonl &&
	start_mock b --faults cut --reply "$REPLY" &&
	craft "$b_URL" --stream &&
	stop_mock b &&
	test $(cat status) = 0 &&
	test $(wc -l <b.log) = 2 &&
	test_cmp plain.jsonl out &&
	grep -q "(m1): 1 requests, 1 retries" err
'

test_expect_success '--stream is not part of the cache key: a streamed run replays a plain run' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --cache scache &&
	cp out plain.jsonl &&
	craft "$m_URL" --cache scache --stream &&
	stop_mock m &&
	test $(wc -l <m.log) = 1 &&
	test_cmp plain.jsonl out
'

test_expect_success '--stream: a slow stream that keeps coming is not cut by a total limit' '
	start_mock m --stream-delay-ms 300 --reply "one two three four five six" &&
	craft "$m_URL" --stream --idle-timeout 1 &&
	test $(cat status) = 0 &&
	test $(wc -l <m.log) = 1 &&
	jq -e ".description == \"one two three four five six\"" out &&
	craft "$m_URL" --stream --timeout 1 --retries 0 &&
	stop_mock m &&
	test $(cat status) = 1 &&
	jq -e ".error.kind == \"timeout\"" out
'

test_expect_success '--stream: no byte for --idle-timeout seconds is a timeout, re-sent at most --retries times' '
	start_mock m --stream-delay-ms 2500 --reply "one two three" &&
	craft "$m_URL" --stream --idle-timeout 1 --retries 1 &&
	stop_mock m &&
	test $(cat status) = 1 &&
	test $(wc -l <m.log) = 2 &&
	jq -e ".error.kind == \"timeout\" and .error.attempts == 2" out &&
	grep -q "2 timed out" err
'

test_expect_success '--price: records carry cost_usd, the summary says what was spent; none without it' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --price 2.5,10 &&
	test $(cat status) = 0 &&
	jq -e ".craft.usage | (.cost_usd - (.prompt_tokens * 2.5 + .completion_tokens * 10) / 1e6 | fabs) < 1e-9" out &&
	grep -q "(m1): 1 requests.*; 0.0011 USD spent (estimated)" err &&
	craft "$m_URL" &&
	stop_mock m &&
	jq -e ".craft.usage | has(\"cost_usd\") | not" out &&
	! grep -q "USD spent" err
'

test_expect_success '--price: a cache hit keeps the record cost_usd but spends nothing' '
	start_mock m --reply "$REPLY" &&
	craft "$m_URL" --price 2.5,10 --cache pcache &&
	cp out first.jsonl &&
	craft "$m_URL" --price 2.5,10 --cache pcache &&
	stop_mock m &&
	test_cmp first.jsonl out &&
	grep -q "1 cache hits.*; 0.0000 USD spent (estimated)" err
'

test_expect_success '--price and --budget are checked: IN,OUT numbers; a budget needs a price (exit 2)' '
	test_expect_code 2 persona-craft --model m --price 2.5 <one.jsonl 2>err &&
	grep -q "price .2.5. must be IN,OUT" err &&
	test_expect_code 2 persona-craft --base-url http://127.0.0.1:9/v1 --model m --budget 1 <one.jsonl 2>err &&
	grep -q "budget needs the model.s --price" err &&
	test_expect_code 2 dialog-run --model m --client-budget 1 <crafted.jsonl 2>err
'

# budget_run [OPTION]...: dialog-run over the six crafted personas, appending to
# budget.jsonl; err and status files.
budget_run() {
	status=0
	dialog-run --base-url "$m_URL" --model m --max-turns 2 --stop none --concurrency 2 --price 1000,1000 "$@" \
		<crafted6.jsonl >>budget.jsonl 2>err || status=$?
	echo "$status" >status
}

test_expect_success '--budget: the run stops at the budget with exit 75; --resume finishes the rest, none twice' '
	start_mock m &&
	budget_run --budget 3 &&
	test $(cat status) = 75 &&
	grep -q "budget of 3.0000 USD reached" err &&
	grep -q "stopping at the budget: [0-9.]* USD spent (estimated); rerun with --resume" err &&
	first=$(wc -l <budget.jsonl) &&
	test $first -ge 1 && test $first -lt 6 &&
	jq -e ".status == \"ok\" and .usage.client.cost_usd > 0" budget.jsonl >/dev/null &&
	budget_run --budget 100 --resume budget.jsonl &&
	stop_mock m &&
	test $(cat status) = 0 &&
	grep -q "$first already done" err &&
	jq -r .id budget.jsonl | sort | uniq -d >dups &&
	test ! -s dups &&
	test $(jq -s "map(select(.status == \"ok\")) | length" budget.jsonl) = 6
'

test_expect_success '--budget with the offline provider: spend 0, labelled an estimate, never reached' '
	dialog-run --provider offline --max-turns 2 --stop none --price 1000,1000 --budget 0.5 <crafted6.jsonl >conv-off.jsonl 2>err &&
	test $(wc -l <conv-off.jsonl) = 6 &&
	grep -q "0.0000 USD spent (estimated)" err
'

test_done
