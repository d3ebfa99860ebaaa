#!/usr/bin/env bash
# score: each metric pinned on tiny hand-computed fixtures.
. "$(dirname "$0")/lib.sh"

HAND=$FIXTURES/score/hand.jsonl

test_expect_success 'turn-level scores of a hand-computed conversation' '
	score <"$HAND" >out &&
	jq -c ".scores | del(.drift)" out >got &&
	echo "{\"turns\":5,\"client_tokens_mean\":7,\"client_tokens_sd\":1.414214,\"responder_tokens_mean\":6.5,\"responder_tokens_sd\":1.5,\"question_rate\":0.333333,\"own_rep_2\":0.214286,\"partner_rep_2\":0.5,\"overlap\":0.400962,\"echo_rate\":0.333333,\"echo_turns\":[4],\"role_confusion_rate\":0.333333,\"role_confusion\":[{\"turn\":4,\"phrase\":\"how can i help\"}],\"qa\":{\"ai_identity\":null,\"prompt_leak\":null,\"duplicate_of\":null}}" >want &&
	test_cmp want got
'

test_expect_success 'records keep every member and gain "scores"' '
	score <"$HAND" >out &&
	jq -c "del(.scores)" out >a && jq -c . "$HAND" >b && test_cmp b a
'

# The client turns: "i lost my job today" (5 tokens), "yes i lost my job and my house"
# (8), "how can i help you with the house" (8): 21 tokens, 14 distinct; bigrams within a
# turn 4 + 7 + 7 = 18, of which "i lost", "lost my", "my job" repeat: 15 distinct;
# trigrams 3 + 6 + 6 = 15, "i lost my" and "lost my job" repeat: 13 distinct. (Across
# turn boundaries it was 17/20 and 17/19.)
test_expect_success 'summary of one conversation: shape and distinct-n within turns, by hand' '
	score --distinct-budget 21 --summary sum.json <"$HAND" >/dev/null &&
	jq -c "{conversations, turns_mean, tokens_per_utterance, question_rate, distinct_1, distinct_2, distinct_3, distinct_tokens_used, own_rep_2, partner_rep_2, echo_rate, role_confusion_rate, stop_reasons}" sum.json >got &&
	echo "{\"conversations\":1,\"turns_mean\":5,\"tokens_per_utterance\":7,\"question_rate\":0.333333,\"distinct_1\":0.666667,\"distinct_2\":0.833333,\"distinct_3\":0.866667,\"distinct_tokens_used\":21,\"own_rep_2\":0.214286,\"partner_rep_2\":0.5,\"echo_rate\":0.333333,\"role_confusion_rate\":0.333333,\"stop_reasons\":{\"max_turns\":1}}" >want &&
	test_cmp want got
'

test_expect_success 'under the distinct-n budget: null, with a warning naming the tokens there were' '
	score --distinct-budget 22 --summary sum.json <"$HAND" >/dev/null 2>err &&
	jq -e "[.distinct_1, .distinct_2, .distinct_3, .distinct_tokens_used] == [null, null, null, 21]" sum.json &&
	echo "score: warning: all conversations: distinct-n is null: the sample holds 21 client tokens, fewer than the 22 it counts (--distinct-budget)" >want &&
	test_cmp want err
'

test_expect_success 'metrics that need several personas are null for one conversation' '
	score --summary sum.json <"$HAND" >/dev/null &&
	jq -e "[.adherence_acc1, .silhouette, .authorship_auc, .self_bleu_4, .drift_probe_auc] == [null, null, null, null, null]" sum.json
'

conv() {   # conv ID CLIENT-TEXT
	printf '{"id":"%s","turns":[{"speaker":"client","text":"%s"}]}\n' "$1" "$2"
}

test_expect_success 'self-BLEU-4: identical client texts score 1, disjoint ones 0' '
	{ conv s/1 "the cat sat on the mat"; conv s/2 "the cat sat on the mat"; } >same.jsonl &&
	score --summary same.json <same.jsonl >/dev/null &&
	jq -e ".self_bleu_4 == 1" same.json &&
	{ conv d/1 "alpha bravo charlie delta"; conv d/2 "echo foxtrot golf hotel"; } >diff.jsonl &&
	score --distinct-budget 8 --summary diff.json <diff.jsonl >/dev/null &&
	jq -e ".self_bleu_4 == 0 and .distinct_1 == 1 and .distinct_2 == 1" diff.json
'

# As Texygen with NLTK: "a b c d" against "a b c d e f g h" matches every n-gram but
# is half as long (brevity e^(1 - 8/4)); the long one matches 4/8, 3/7, 2/6, 1/5.
test_expect_success 'self-BLEU-4 by hand: (e^-1 + (1/2 * 3/7 * 2/6 * 1/5)^(1/4)) / 2 = 0.3568' '
	{ conv b/1 "a b c d"; conv b/2 "a b c d e f g h"; } >bp.jsonl &&
	score --summary bp.json <bp.jsonl >/dev/null &&
	jq -e ".self_bleu_4 == 0.3568" bp.json
'

# NLTK smoothing method 1: a precision with no match counts 0.1 / its count, and a text
# shorter than n has count max(1, 0) = 1: (1/2 * 0.1/1 * 0.1/1 * 0.1/1)^(1/4).
test_expect_success 'self-BLEU-4 of short texts: "ok sure" vs "ok fine" = 0.0005^(1/4) = 0.149535' '
	{ conv o/1 "ok sure"; conv o/2 "ok fine"; } >ok.jsonl &&
	score --summary ok.json <ok.jsonl >/dev/null 2>&1 &&
	jq -e ".self_bleu_4 == 0.149535" ok.json
'

test_expect_success 'consistency by hand from given vectors: within 0, between 1, silhouette 1, spread 2/3' '
	v() { printf "[%s,0,0,0,0,0,0]" "$1"; } &&
	for c in "a/0 a 1,0" "a/1 a 1,0" "b/0 b 0,1" "b/1 b 0,1"; do
		set -- $c &&
		echo "{\"id\":\"$1\",\"persona_id\":\"$2\",\"turns\":[{\"speaker\":\"client\",\"text\":\"x\"}],\"embedding\":{\"model\":\"given\",\"dim\":8,\"of\":\"client_text\",\"vector\":$(v "$3")}}" || return 1
	done >vecs.jsonl &&
	test_line_count = 4 vecs.jsonl &&
	score --dim 8 --summary v.json <vecs.jsonl >/dev/null &&
	jq -c "{within_persona_distance, between_persona_distance, silhouette, embedding_distance}" v.json >got &&
	echo "{\"within_persona_distance\":0,\"between_persona_distance\":1,\"silhouette\":1,\"embedding_distance\":0.666667}" >want &&
	test_cmp want got
'

# Unrelated answers are not orthogonal in the hash-512 space: their cosine is -0.014078,
# recomputed below from embed's vectors of the two answers.
test_expect_success 'probe drift: identical answers drift 0, unrelated answers drift 1 - cosine (1.014078)' '
	echo "{\"id\":\"p/0\",\"turns\":[],\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"I want help with my taxes\"},{\"after\":2,\"name\":\"a\",\"answer\":\"I want help with my taxes\"},{\"after\":4,\"name\":\"a\",\"answer\":\"zebra quantum violin\"}]}" >p.jsonl &&
	score <p.jsonl >out &&
	test_line_count = 1 out &&
	jq -e ".scores.drift == {\"probe_auc\":0.507039,\"probe_curve\":[{\"after\":2,\"drift\":0},{\"after\":4,\"drift\":1.014078}],\"dialog\":null}" out &&
	printf "%s\n" "{\"id\":\"a\",\"description\":\"I want help with my taxes\"}" "{\"id\":\"b\",\"description\":\"zebra quantum violin\"}" |
		embed --model hash-512 --of description >answers 2>/dev/null &&
	jq -e -s "(.[0].description_embedding.vector) as \$a | (.[1].description_embedding.vector) as \$b |
		(1 - ([range(512)] | map(\$a[.] * \$b[.]) | add)) - 1.014078 | fabs < 1e-6" answers
'

test_expect_success 'adherence: conversations that talk like their persona retrieve it, far above the shuffled baseline' '
	for p in 1 2 3 4 5 6 7 8; do
		words="alpha$p bravo$p charlie$p delta$p echo$p foxtrot$p" &&
		for k in 0 1 2; do
			echo "{\"id\":\"p$p/$k\",\"persona_id\":\"p$p\",\"description\":\"$words\",\"turns\":[{\"speaker\":\"client\",\"text\":\"$words and conversation $k\"},{\"speaker\":\"responder\",\"text\":\"tell me more\"}]}" || return 1
		done || return 1
	done >corpus.jsonl &&
	test_line_count = 24 corpus.jsonl &&
	score --summary sum.json <corpus.jsonl >/dev/null &&
	jq -e ".adherence_acc1 == 1 and .adherence_mrr == 1 and .adherence_acc1_shuffled < 0.5" sum.json &&
	jq -e ".within_persona_distance < .between_persona_distance and .silhouette > 0.5 and .authorship_auc > 0.9" sum.json
'

test_expect_success '--by groups the summary; --reference sets the reference and the difference beside it' '
	jq -c ".context = (if (.id | endswith(\"/0\")) then \"ecp\" else \"concat\" end)" corpus.jsonl >grouped.jsonl &&
	score --by .context --summary sum.json <grouped.jsonl >/dev/null 2>&1 &&
	jq -e "(.groups | keys) == [\"concat\",\"ecp\"] and .groups.ecp.conversations + .groups.concat.conversations == .conversations" sum.json &&
	echo "{\"turns_mean\": 4, \"question_rate\": 0.5}" >ref.json &&
	score --reference ref.json --summary sum2.json <"$HAND" >/dev/null 2>&1 &&
	jq -e ".reference.turns_mean == 4 and .difference.turns_mean == 1 and .reference.question_rate == 0.5 and .difference.question_rate == -0.166667" sum2.json &&
	jq -e "[.reference.distinct_1, .difference.distinct_1, .sim] == [null, null, null] and (.difference | has(\"conversations\") | not)" sum2.json
'

test_expect_success '--judge (offline stand-in): the audit locates the role reversal; the summary counts it' '
	env -u OPENAI_API_KEY -u OPENAI_BASE_URL score --judge --summary sum.json <"$HAND" >out 2>err &&
	jq -e ".scores.judge | .role_failure == true and .category == \"role_reversal\" and .turn == 4 and .model == \"offline\"" out &&
	jq -e ".judge_role_failure_rate == 1 and .judge_errors == 0" sum.json &&
	grep -q "not a language model" err
'

test_expect_success '--judge against a model: the numbered transcript is sent; unparseable audits are errors, never passes' '
	start_mock m --reply "{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"fine\"}" &&
	OPENAI_API_KEY=test-key-1 score --judge --base-url "$m_URL" --model audit <"$HAND" >out 2>/dev/null &&
	stop_mock m &&
	jq -r ".body.messages[0].content" m.log >sent &&
	grep -q "^4\. client: how can i help you with the house?$" sent &&
	jq -e ".scores.judge | .role_failure == false and .reason == \"fine\" and .turn == null" out &&
	start_mock m --reply "The client seems fine to me." &&
	test_expect_code 1 env OPENAI_API_KEY=test-key-1 score --judge --base-url "$m_URL" --model audit --summary s.json <"$HAND" >out 2>/dev/null &&
	stop_mock m &&
	test "$(wc -l <m.log)" = 3 &&
	jq -e ".scores.judge.error == \"audit unparseable after 3 answers\" and (.scores.judge | has(\"role_failure\") | not)" out &&
	jq -e ".judge_errors == 1 and .judge_role_failure_rate == null" s.json
'

test_expect_success 'bad lines and records without turns are rejected by line, exit 1' '
	{ cat "$HAND"; echo "not json"; echo "{\"id\":\"x\"}"; } >mixed.jsonl &&
	test_expect_code 1 score --rejects rej <mixed.jsonl >out 2>err &&
	test_line_count = 1 out &&
	grep -q "^score: stdin:3: record has no \"turns\" array$" err &&
	test_line_count = 2 rej
'

test_expect_success 'cost_usd: the sum of what records report per role, absent without prices' '
	score --summary plain.json <"$HAND" >/dev/null &&
	jq -e "has(\"cost_usd\") | not" plain.json &&
	jq -c ".usage = {client: {requests: 1, cost_usd: 0.001}, responder: {requests: 1, cost_usd: 0.0025}}" "$HAND" >priced.jsonl &&
	jq -c ".id = \"unpriced\"" "$HAND" >>priced.jsonl &&
	score --summary priced.json <priced.jsonl >/dev/null &&
	jq -e ".cost_usd == 0.0035" priced.json
'

test_done
