#!/usr/bin/env bash
# embed: vectors for a chosen text of each record — the built-in hash model and an
# OpenAI-compatible embeddings endpoint (the mock server); the record format, both
# encodings, bad input and the exit status.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL

test_expect_success 'setup: six conversations, each with a persona description of its own' '
	for f in closure early farewell loop open thanks-but; do cat "$FIXTURES/conversations/$f.jsonl" || return 1; done |
		jq -c ". + {description: (\"You are the person of \" + .id + \".\")}" >conv.jsonl &&
	test_line_count = 6 conv.jsonl &&
	jq -e -s "map(.description) == map(\"You are the person of \" + .id + \".\") and all(.[]; (.turns | length) > 1)" conv.jsonl
'

# floats_of_b64 < b64 lines: the little-endian float32 values, one per line (needs a
# little-endian machine for od, which all our targets are).
floats_of_b64() {
	while read -r line; do
		printf '%s' "$line" | base64 -d | od -An -v -t f4 | tr -s ' ' '\n' | grep -v '^$' || return 1
	done
}

test_expect_success 'by default each record gets the hash-512 vector of its client text' '
	embed <conv.jsonl >out 2>err &&
	test_line_count = 6 out &&
	jq -e -s "length == 6 and all(.[]; .embedding | .model == \"hash-512\" and .dim == 512 and .of == \"client_text\" and (.vector | length) == 512 and (keys_unsorted == [\"model\",\"dim\",\"of\",\"vector\"]))" out >/dev/null &&
	grep -q "^embed: 6 records, 6 vectors (hash-512, of client_text, 512 dimensions)$" err
'

test_expect_success 'every other member of a record passes through untouched, in its place' '
	embed <conv.jsonl >out 2>/dev/null &&
	jq -c "del(.embedding)" out >got &&
	jq -c . conv.jsonl >want &&
	test_cmp want got
'

test_expect_success 'a vector has L2 norm 1 and at most 6 significant digits per number' '
	embed --model hash-64 <conv.jsonl >out 2>/dev/null &&
	jq -e -s "length == 6 and all(.[]; (.embedding.vector | map(. * .) | add | sqrt) - 1 | fabs < 1e-5)" out >/dev/null &&
	jq -c ".embedding.vector[]" out >numbers &&
	test_line_count = 384 numbers &&
	sed "/^0$/d; s/^-//; s/e.*//; s/\.//; s/^0*//" numbers >digits &&
	! grep "^.\{7,\}" digits
'

test_expect_success 'the same input gives byte-identical output on every run' '
	embed --of turns <conv.jsonl >one 2>/dev/null &&
	embed --of turns --keep-order <conv.jsonl >two 2>/dev/null &&
	test_cmp one two &&
	embed --encoding b64 <conv.jsonl >one 2>/dev/null &&
	embed --encoding b64 <conv.jsonl >two 2>/dev/null &&
	test_cmp one two
'

test_expect_success '--of client_text, responder_text and description embed exactly that text' '
	for of in client_text responder_text; do
		speaker=${of%_text} &&
		embed --model hash-32 --of $of <conv.jsonl >out 2>/dev/null &&
		jq -c "{id, description: ([.turns[] | select(.speaker == \"$speaker\") | .text] | join(\"\n\"))}" conv.jsonl >as-description &&
		embed --model hash-32 --of description <as-description >want 2>/dev/null &&
		jq -c ".embedding.vector" out >got &&
		jq -c ".description_embedding.vector" want >expected &&
		test_cmp expected got &&
		jq -e -s "length == 6 and all(.[]; .embedding.of == \"$of\")" out >/dev/null || return 1
	done &&
	embed --model hash-32 --of description <conv.jsonl >out 2>/dev/null &&
	jq -e -s "length == 6 and all(.[]; .description_embedding.of == \"description\" and (has(\"embedding\") | not))" out >/dev/null &&
	! test_cmp expected <(jq -c ".description_embedding.vector" out) >/dev/null
'

test_expect_success '--of description writes description_embedding beside a conversation embedding' '
	embed --model hash-32 <conv.jsonl | embed --model hash-32 --of description >both 2>/dev/null &&
	jq -e -s "length == 6 and all(.[]; .embedding.of == \"client_text\" and .description_embedding.of == \"description\")" both >/dev/null
'

test_expect_success '--of turns gives one vector per turn, in turn order' '
	embed --model hash-16 --of turns <conv.jsonl >out 2>err &&
	jq -e -s "length == 6 and all(.[]; (.embedding.vectors | length) == (.turns | length) and .embedding.of == \"turns\" and .embedding.dim == 16 and (.embedding.vectors | all(length == 16)))" out >/dev/null &&
	grep -q "^embed: 6 records, 48 vectors (hash-16, of turns, 16 dimensions)$" err &&
	jq -c "{description: .turns[2].text}" conv.jsonl | embed --model hash-16 --of description 2>/dev/null | jq -c .description_embedding.vector >want &&
	jq -c ".embedding.vectors[2]" out >got &&
	test_cmp want got
'

test_expect_success '--encoding b64 holds the same floats as --encoding float (within 6 digits)' '
	embed --model hash-24 <conv.jsonl >float.out 2>/dev/null &&
	embed --model hash-24 --encoding b64 <conv.jsonl >b64.out 2>/dev/null &&
	jq -e -s "length == 6 and all(.[]; .embedding | has(\"b64\") and (has(\"vector\") | not) and (.b64 | length) == 128)" b64.out >/dev/null &&
	jq -r ".embedding.vector[]" float.out >from-float &&
	jq -r ".embedding.b64" b64.out | floats_of_b64 >from-b64 &&
	test_line_count = 144 from-b64 &&
	paste from-float from-b64 | awk "{ d = \$1 - \$2; if (d < 0) d = -d; a = \$2 < 0 ? -\$2 : \$2; if (d > 5.1e-6 * a + 1e-7) { print \"differ: \" \$0; bad = 1 } } END { exit bad }"
'

test_expect_success '--of turns --encoding b64 gives one base64 text per turn' '
	embed --model hash-8 --of turns --encoding b64 <conv.jsonl >out 2>/dev/null &&
	jq -e -s "length == 6 and all(.[]; (.embedding.b64 | length) == (.turns | length) and (.embedding.b64 | all(type == \"string\")))" out >/dev/null &&
	embed --model hash-8 --of turns <conv.jsonl | jq -r ".embedding.vectors[][]" >from-float 2>/dev/null &&
	jq -r ".embedding.b64[]" out | floats_of_b64 >from-b64 &&
	test_line_count = 384 from-b64 &&
	paste from-float from-b64 | awk "{ d = \$1 - \$2; if (d < 0) d = -d; if (d > 5e-6) bad = 1 } END { exit bad }"
'

test_expect_success 'an empty text embeds as the zero vector; a missing or wrong-typed source is rejected' '
	echo "{\"id\":\"blank\",\"description\":\"\"}" | embed --model hash-8 --of description >out 2>/dev/null &&
	jq -e ".description_embedding.vector == [0,0,0,0,0,0,0,0]" out >/dev/null &&
	echo "{\"id\":\"no-turns\",\"turns\":[]}" | embed --model hash-8 >out 2>/dev/null &&
	jq -e ".embedding.vector == [0,0,0,0,0,0,0,0]" out >/dev/null &&
	printf "%s\n" "{\"id\":\"bare\"}" "{\"id\":\"n\",\"description\":5}" >bad.jsonl &&
	test_expect_code 1 embed --model hash-8 --of description --rejects rej bad.jsonl >out 2>err &&
	test ! -s out &&
	test_cmp bad.jsonl rej &&
	printf "%s\n" "embed: bad.jsonl:1: record has no \"description\" string" "embed: bad.jsonl:2: record has no \"description\" string" \
		"embed: 0 records, 0 vectors (hash-8, of description, 8 dimensions)" >want &&
	test_cmp want err
'

test_expect_success 'bad lines and records without a turns array go to --rejects; exit 1' '
	{ head -n 2 conv.jsonl; echo "not json"; echo "[1,2]"; echo "{\"id\":\"x\",\"turns\":\"hi\"}"; tail -n 1 conv.jsonl; } >mixed.jsonl &&
	test_expect_code 1 embed --of turns --rejects rejects.jsonl mixed.jsonl >out 2>err &&
	test_line_count = 3 out &&
	printf "%s\n" "not json" "[1,2]" "{\"id\":\"x\",\"turns\":\"hi\"}" >want &&
	test_cmp want rejects.jsonl &&
	grep -q "^embed: mixed.jsonl:3: " err &&
	grep -q "^embed: mixed.jsonl:5: record has no \"turns\" array$" err &&
	test_expect_code 1 embed --rejects rejects.jsonl mixed.jsonl >out 2>/dev/null &&
	test_line_count = 3 out &&
	test_cmp want rejects.jsonl
'

test_expect_success 'unknown --of, --encoding or hash-N are usage errors (exit 2)' '
	test_expect_code 2 embed --of persona <conv.jsonl 2>err &&
	grep -q "unknown --of .persona." err &&
	test_expect_code 2 embed --encoding base64 <conv.jsonl 2>err &&
	test_expect_code 2 embed --model hash-0 <conv.jsonl 2>err &&
	grep -q "unknown built-in model .hash-0." err &&
	test_expect_code 2 embed --batch 0 <conv.jsonl 2>/dev/null
'

test_expect_success 'a model other than hash-N with the offline provider: exit 2 with a clear message' '
	test_expect_code 2 embed --model text-embedding-3-small <conv.jsonl >out 2>err &&
	test ! -s out &&
	grep -q "^embed: provider offline has no embeddings model .text-embedding-3-small.: use the built-in --model hash-N" err
'

# Against the mock server: 8-dimensional vectors, a deterministic function of each text.
export OPENAI_API_KEY=sk-test-embed-7d2c41

test_expect_success 'a remote model gets the texts in one batched request; the vectors land in order' '
	start_mock m --embedding-dim 8 &&
	embed --base-url "$m_URL" --model e1 <conv.jsonl >out 2>err &&
	stop_mock m &&
	test_line_count = 1 m.log &&
	jq -c ".body.input" m.log >sent &&
	jq -c "[.turns[] | select(.speaker == \"client\") | .text] | join(\"\n\")" conv.jsonl | jq -cs . >want &&
	test_cmp want sent &&
	jq -e -s "all(.[]; .body.model == \"e1\" and .path == \"/v1/embeddings\")" m.log >/dev/null &&
	jq -e -s "length == 6 and all(.[]; .embedding | .model == \"e1\" and .dim == 8 and .of == \"client_text\" and (.vector | length) == 8)" out >/dev/null &&
	start_mock one --embedding-dim 8 &&
	embed --base-url "$one_URL" --model e1 --batch 1 <conv.jsonl >alone 2>/dev/null &&
	stop_mock one &&
	test_line_count = 6 one.log &&
	jq -c "[.id, .embedding.vector]" out | sort >batched.v &&
	jq -c "[.id, .embedding.vector]" alone | sort >alone.v &&
	test_cmp batched.v alone.v &&
	test $(jq -c .embedding.vector out | sort -u | wc -l) = 6
'

test_expect_success '--batch N splits the texts of several records across requests' '
	start_mock m --embedding-dim 8 &&
	embed --base-url "$m_URL" --model e1 --of turns --batch 10 --concurrency 1 --keep-order <conv.jsonl >out 2>/dev/null &&
	stop_mock m &&
	jq -s "map(.body.input | length)" m.log >sizes &&
	jq -e ". == [10,10,10,10,8]" sizes >/dev/null &&
	jq -c "[.body.input[]]" m.log | jq -cs "add" >sent &&
	jq -c "[.turns[].text]" conv.jsonl | jq -cs "add" >want &&
	test_cmp want sent &&
	jq -e -s "length == 6 and all(.[]; (.embedding.vectors | length) == (.turns | length) and (.embedding.vectors | all(length == 8)))" out >/dev/null &&
	jq -r .id out >ids && jq -r .id conv.jsonl >want-ids && test_cmp want-ids ids
'

test_expect_success 'with --cache a second run makes no request and writes the same records' '
	start_mock m --embedding-dim 8 &&
	embed --base-url "$m_URL" --model e1 --of turns --batch 16 --cache cache --keep-order <conv.jsonl >first 2>/dev/null &&
	n=$(wc -l <m.log) &&
	embed --base-url "$m_URL" --model e1 --of turns --batch 16 --cache cache --keep-order <conv.jsonl >second 2>err &&
	stop_mock m &&
	test "$n" -gt 0 &&
	test $(wc -l <m.log) = "$n" &&
	test_cmp first second &&
	grep -q "cache hits" err
'

test_expect_success 'remote b64 vectors decode to the float ones' '
	start_mock m --embedding-dim 8 &&
	embed --base-url "$m_URL" --model e1 <conv.jsonl >float.out 2>/dev/null &&
	embed --base-url "$m_URL" --model e1 --encoding b64 <conv.jsonl >b64.out 2>/dev/null &&
	stop_mock m &&
	jq -r ".embedding.vector[]" float.out >from-float &&
	jq -r ".embedding.b64" b64.out | floats_of_b64 >from-b64 &&
	test_line_count = 48 from-b64 &&
	paste from-float from-b64 | awk "{ d = \$1 - \$2; if (d < 0) d = -d; if (d > 5e-6) bad = 1 } END { exit bad }"
'

test_expect_success 'empty texts are not sent to a remote model and get its zero vector' '
	start_mock m --embedding-dim 8 &&
	{ echo "{\"id\":\"empty\",\"turns\":[]}"; head -n 1 conv.jsonl; echo "{\"id\":\"blank\",\"turns\":[{\"speaker\":\"client\",\"text\":\"\"}]}"; } >some.jsonl &&
	embed --base-url "$m_URL" --model e1 --keep-order <some.jsonl >out 2>/dev/null &&
	stop_mock m &&
	jq -e -s "length == 1 and (.[0].body.input | length == 1)" m.log >/dev/null &&
	jq -r .id out >ids && printf "empty\nc/closure\nblank\n" >want && test_cmp want ids &&
	jq -se "map(select(.id != \"c/closure\")) | length == 2 and all(.embedding.vector == [0,0,0,0,0,0,0,0] and .embedding.dim == 8)" out >/dev/null
'

test_expect_success 'when no text at all is non-empty the dimension stays unknown: no_dimension, exit 1' '
	start_mock m --embedding-dim 8 &&
	printf "%s\n" "{\"id\":\"a\",\"turns\":[]}" "{\"id\":\"b\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"hi\"}]}" >empty.jsonl &&
	test_expect_code 1 embed --base-url "$m_URL" --model e1 --keep-order <empty.jsonl >out 2>err &&
	stop_mock m &&
	test ! -s m.log &&
	jq -se "map(.embedding_error.kind) == [\"no_dimension\", \"no_dimension\"] and all(has(\"embedding\") | not)" out >/dev/null
'

test_expect_success 'a request that fails for good: the records are written with embedding_error, exit 1' '
	start_mock m --embedding-dim 8 --faults 400 &&
	status=0 &&
	embed --base-url "$m_URL" --model e1 --batch 4 --concurrency 1 --keep-order <conv.jsonl >out 2>err || status=$? &&
	stop_mock m &&
	test "$status" = 1 &&
	test_line_count = 6 out &&
	jq -se "map(select(.embedding_error)) | length == 4 and all(.embedding_error.kind == \"http_400\" and (has(\"embedding\") | not))" out >/dev/null &&
	jq -se "map(select(.embedding)) | length == 2 and all(.embedding.dim == 8)" out >/dev/null &&
	grep -q "http_400" err
'

test_expect_success 'a reply without vectors fails the records as a bad response, never a crash' '
	start_mock m --embedding-dim 8 --faults null &&
	status=0 &&
	embed --base-url "$m_URL" --model e1 --retries 0 <conv.jsonl >out 2>err || status=$? &&
	stop_mock m &&
	test "$status" = 1 &&
	test_line_count = 6 out &&
	jq -e -s "all(.[]; .embedding_error.kind == \"bad_response\" and (has(\"embedding\") | not))" out >/dev/null
'

test_done
