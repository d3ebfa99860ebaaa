#!/usr/bin/env bash
# The model client, exercised end to end through persona-craft against the mock
# OpenAI-compatible server over real HTTP on loopback.
. "$(dirname "$0")/lib.sh"

KEY=sk-test-PLANTED-5b1f0c9e77
export OPENAI_API_KEY=$KEY
unset OPENAI_BASE_URL

REPLY="You are a careful tester who wants every request checked twice."
test_expect_success 'setup: one persona and twenty, sampled' '
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 1 --seed 1 >one.jsonl &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 20 --seed 1 >twenty.jsonl &&
	jq -r .id one.jsonl >ids && echo p000000 >want && test_cmp want ids &&
	jq -r .id twenty.jsonl >ids && seq -f "p%06g" 0 19 >want && test_cmp want ids
'

# craft_through NAME [OPTION]...: persona-craft one.jsonl via mock NAME; out/err/status files.
craft_through() {
	local name=$1 url
	shift
	eval "url=\$${name}_URL"
	status=0
	persona-craft --base-url "$url" --model m1 "$@" <one.jsonl >out 2>err || status=$?
	echo "$status" >status
}

requests_logged() {   # requests_logged NAME
	wc -l <"$1.log" | tr -d " "
}

# crafted_with STATUS REQUESTS: the last craft_through exited STATUS after the mock "m"
# logged REQUESTS requests.
crafted_with() {
	test "$(cat status)" = "$1" || { echo "exit status $(cat status), want $1" >&2; return 1; }
	test "$(requests_logged m)" = "$2" || { echo "$(requests_logged m) requests, want $2" >&2; return 1; }
}

for fault in 429 500 503 408 409 stall cut malformed empty; do
test_expect_success "a $fault reply is retried and the second attempt succeeds" "
	start_mock m --faults $fault --retry-after 0 --reply \"\$REPLY\" &&
	craft_through m --timeout 1 &&
	stop_mock m &&
	test \$(cat status) = 0 &&
	jq -e '.description == \"'\"\$REPLY\"'\" and .craft.usage.requests == 1' out &&
	grep -q '(m1): 1 requests, 1 retries, 0 cache hits, 0 failed' err &&
	test \$(requests_logged m) = 2
"
done

test_expect_success 'Retry-After is honoured: the retry waits the full second' '
	start_mock m --faults 429 --retry-after 1 --reply "$REPLY" &&
	start=$(date +%s.%N) &&
	craft_through m &&
	end=$(date +%s.%N) &&
	stop_mock m &&
	test $(cat status) = 0 &&
	awk -v a="$start" -v b="$end" "BEGIN { exit !(b - a >= 1.0) }"
'

test_expect_success 'retry-after-ms is honoured as well' '
	start_mock m --faults 429ms --retry-after 1 --reply "$REPLY" &&
	start=$(date +%s.%N) &&
	craft_through m &&
	end=$(date +%s.%N) &&
	stop_mock m &&
	test $(cat status) = 0 &&
	awk -v a="$start" -v b="$end" "BEGIN { exit !(b - a >= 1.0) }"
'

for fault in 400 401 403 404; do
# The mock's 401 quotes the key it was given, as some providers do: scrubbed.
message="mock $fault error"
[ $fault = 401 ] && message="Incorrect API key provided: [redacted]"
test_expect_success "a $fault reply fails at once with the provider's message; the record is still written" "
	start_mock m --faults $fault,$fault,$fault --reply \"\$REPLY\" &&
	craft_through m &&
	stop_mock m &&
	crafted_with 1 1 &&
	jq -e '.status == \"failed\" and .error.kind == \"http_$fault\" and .error.message == \"$message\" and .error.attempts == 1 and (has(\"description\") | not)' out &&
	grep -qF \"http_$fault: $message\" err
"
done

test_expect_success 'an exhausted quota (429 insufficient_quota) is permanent, not retried' '
	start_mock m --faults quota,ok --reply "$REPLY" &&
	craft_through m &&
	stop_mock m &&
	crafted_with 1 1 &&
	jq -e ".error.kind == \"quota\" and (.error.message | startswith(\"You exceeded your current quota\"))" out
'

test_expect_success 'the flat error shape {"message","code"} is understood' '
	start_mock m --faults flat --reply "$REPLY" &&
	craft_through m &&
	stop_mock m &&
	jq -e ".status == \"failed\" and .error.kind == \"http_400\" and .error.message == \"mock flat error\"" out
'

test_expect_success 'retries give up after --retries and exit 75 when only rate limits failed' '
	start_mock m --faults 429,429,429 --retry-after 0 --reply "$REPLY" &&
	craft_through m --retries 2 &&
	stop_mock m &&
	crafted_with 75 3 &&
	jq -e ".status == \"failed\" and .error.kind == \"http_429\" and .error.attempts == 3" out
'

test_expect_success 'a server error after the last retry exits 1, not 75' '
	start_mock m --faults 500,500 --retry-after 0 --reply "$REPLY" &&
	craft_through m --retries 1 &&
	stop_mock m &&
	test $(cat status) = 1
'

test_expect_success 'content:null is an empty answer: asked again, then accepted' '
	start_mock m --faults null --reply "$REPLY" &&
	craft_through m &&
	stop_mock m &&
	crafted_with 0 2 &&
	jq -e ".description == \"$REPLY\" and .craft.usage.requests == 1" out &&
	grep -q "(m1): 1 requests, 1 retries, 0 cache hits, 0 failed" err
'

test_expect_success 'a refusal three times fails the record as bad_answer, never dropped' '
	start_mock m --reply "I am sorry, but I cannot help with that." &&
	craft_through m &&
	stop_mock m &&
	crafted_with 1 3 &&
	jq -e ".status == \"failed\" and .error.kind == \"bad_answer\" and .error.message == \"refusal\"" out
'

test_expect_success 'missing usage and unknown extra members are fine' '
	start_mock m --faults nousage,extra --reply "$REPLY" &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 2 >two.jsonl &&
	persona-craft --base-url "$m_URL" --model m1 --concurrency 1 --keep-order <two.jsonl >out &&
	stop_mock m &&
	test_line_count = 2 out &&
	jq -e -s "map(.description == \"$REPLY\") | all" out &&
	jq -e -s ".[0].craft.usage.prompt_tokens == 0" out
'

test_expect_success 'the request carries model, messages and sampling parameters; placeholders filled once' '
	start_mock m --reply "$REPLY" &&
	echo "{\"id\":\"x1\",\"fields\":{\"age\":30,\"motto\":\"{{age}} is just {{a}} number\"}}" >odd.jsonl &&
	printf "Profile of {{id}}:\n{{fields}}Age again: {{age}}.\n" >p.txt &&
	persona-craft --base-url "$m_URL" --model m1 --temperature 0.3 --max-tokens 77 --seed 5 --prompt ./p.txt <odd.jsonl >out &&
	stop_mock m &&
	jq -c ".body" m.log >body &&
	echo "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"Profile of x1:\\n- age: 30\\n- motto: {{age}} is just {{a}} number\\nAge again: 30.\\n\"}],\"temperature\":0.3,\"max_tokens\":77,\"seed\":5}" >want &&
	test_cmp want body
'

test_expect_success 'a base URL with trailing slashes still reaches /v1/chat/completions' '
	start_mock m --reply "$REPLY" &&
	persona-craft --base-url "$m_URL//" --model m1 <one.jsonl >out &&
	stop_mock m &&
	jq -r .path m.log >path && echo /v1/chat/completions >want && test_cmp want path
'

test_expect_success 'a placeholder with no value fails that record only' '
	printf "Hello {{nickname}}\n" >p.txt &&
	test_expect_code 1 persona-craft --prompt ./p.txt --provider offline <twenty.jsonl >out 2>err &&
	test_line_count = 20 out &&
	jq -e -s "map(.status == \"failed\" and .error.kind == \"prompt\") | all" out &&
	grep -q "prompt placeholder '"'"'{{nickname}}'"'"' has no value in this record" err
'

test_expect_success 'the API key is sent, and appears in no output, error, log or cache file' '
	start_mock m --faults 401,ok,500 --expect-key-env OPENAI_API_KEY --retry-after 0 --reply "$REPLY" &&
	test_expect_code 1 persona-craft --base-url "$m_URL" --model m1 --cache cache --rejects rej <twenty.jsonl >out 2>err &&
	stop_mock m &&
	jq -e -s "map(select(.status != \"failed\")) | length == 19" out &&
	jq -e -s "map(.auth) | all" m.log &&
	! grep -r -- "$KEY" out err m.log cache &&
	! grep -r -- "PLANTED" out err cache
'

test_expect_success 'a wrong key is refused by the server (the mock checks the header)' '
	WANTED_KEY=the-right-one start_mock m --expect-key-env WANTED_KEY --reply "$REPLY" &&
	test_expect_code 1 env WANTED_KEY=something-else persona-craft --base-url "$m_URL" --model m1 <one.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".error.kind == \"http_401\"" out
'

test_expect_success 'a warm cache makes zero requests and writes the same bytes' '
	start_mock m --latency-ms 5 &&
	persona-craft --base-url "$m_URL" --model m1 --cache cache --keep-order <twenty.jsonl >first &&
	before=$(requests_logged m) &&
	persona-craft --base-url "$m_URL" --model m1 --cache cache --keep-order <twenty.jsonl >second 2>err &&
	after=$(requests_logged m) &&
	stop_mock m &&
	test "$before" = 20 && test "$after" = 20 &&
	test_cmp first second &&
	grep -q "20 requests, 0 retries, 20 cache hits" err
'

test_expect_success 'a damaged cache entry is refetched, not fatal' '
	start_mock m &&
	persona-craft --base-url "$m_URL" --model m1 --cache damaged <one.jsonl >first &&
	entry=$(find damaged -type f) &&
	echo "{truncated" >"$entry" &&
	persona-craft --base-url "$m_URL" --model m1 --cache damaged <one.jsonl >second 2>err &&
	stop_mock m &&
	test $(requests_logged m) = 2 &&
	grep -q "1 requests, 0 retries, 0 cache hits" err &&
	jq -e . "$entry" >/dev/null
'

test_expect_success '--concurrency 64 keeps exactly 64 requests in flight (server-side count)' '
	start_mock m --latency-ms 300 &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 256 >many.jsonl &&
	persona-craft --base-url "$m_URL" --model m1 --concurrency 64 <many.jsonl >out &&
	mock_stats m >stats &&
	stop_mock m &&
	test_line_count = 256 out &&
	jq -e ".max_in_flight == 64 and .requests == 256" stats
'

test_expect_success '--keep-order writes input order even when the first record is slow' '
	head -n 5 twenty.jsonl >five.jsonl &&
	start_mock m --faults 429 --retry-after 1 &&
	persona-craft --base-url "$m_URL" --model m1 --concurrency 1 --keep-order <five.jsonl >ordered &&
	stop_mock m &&
	jq -r .id ordered >got && jq -r .id five.jsonl >want && test_cmp want got &&
	start_mock m --faults 429 --retry-after 1 &&
	persona-craft --base-url "$m_URL" --model m1 --concurrency 1 <five.jsonl >unordered &&
	stop_mock m &&
	test "$(tail -n 1 unordered | jq -r .id)" = p000000
'

test_expect_success '--rpm spaces requests out' '
	start_mock m &&
	persona-sample --schema "$FIXTURES/schemas/small.json" -n 4 >four.jsonl &&
	start=$(date +%s.%N) &&
	persona-craft --base-url "$m_URL" --model m1 --rpm 120 <four.jsonl >out &&
	end=$(date +%s.%N) &&
	stop_mock m &&
	awk -v a="$start" -v b="$end" "BEGIN { exit !(b - a >= 1.4) }"
'

test_expect_success 'the offline provider is the default without key or base URL, and says what it is' '
	env -u OPENAI_API_KEY persona-craft <twenty.jsonl >a 2>err &&
	grep -q "provider offline: the built-in stand-in, not a language model" err &&
	env -u OPENAI_API_KEY persona-craft <twenty.jsonl >b 2>/dev/null &&
	test_cmp a b &&
	jq -e -s "map(.craft.model == \"offline\" and (.description | startswith(\"You are\"))) | all" a
'

test_expect_success 'with a key set, openai is the default and a model is required (exit 2)' '
	test_expect_code 2 persona-craft <one.jsonl 2>err &&
	grep -q "no model given: name one with --model" err
'

test_expect_success 'an unreachable server is retried, then the record fails with a connection error' '
	test_expect_code 1 persona-craft --base-url http://127.0.0.1:9/v1 --model m1 --retries 1 <one.jsonl >out 2>err &&
	jq -e ".status == \"failed\" and .error.kind == \"connection\" and .error.attempts == 2" out
'

test_expect_success '--template needs no model and is deterministic; records without fields are rejected' '
	echo "{\"id\":\"broken\"}" >mixed.jsonl && cat twenty.jsonl >>mixed.jsonl && echo "not json" >>mixed.jsonl &&
	test_expect_code 1 persona-craft --template --rejects rej <mixed.jsonl >a 2>err &&
	test_line_count = 20 a &&
	printf "{\"id\":\"broken\"}\nnot json\n" >want && test_cmp want rej &&
	grep -q "^persona-craft: stdin:1: record has no \"fields\" object$" err &&
	persona-craft --template <twenty.jsonl >b && persona-craft --template <twenty.jsonl >c && test_cmp b c &&
	jq -e -s "map(.craft == {\"by\":\"template\"}) | all" b
'

test_done
