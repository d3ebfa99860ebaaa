#!/usr/bin/env bash
# score: the metrics a paper can quote — one embedding space, ties and zero vectors,
# normalised cosines, intervals, comparisons, release QA flags.
. "$(dirname "$0")/lib.sh"

# Eight personas, three conversations each, that talk like their descriptions; two
# contexts ("/0" conversations are "ecp").
corpus() {
	for p in 1 2 3 4 5 6 7 8; do
		words="alpha$p bravo$p charlie$p delta$p echo$p foxtrot$p"
		for k in 0 1 2; do
			jq -nc --arg words "$words" --arg k "$k" --arg p "$p" '{
				id: ("p\($p)/\($k)"), persona_id: ("p" + $p), description: $words,
				context: (if $k == "0" then "ecp" else "concat" end),
				turns: [{speaker: "client", text: "\($words) and conversation \($k)"},
					{speaker: "responder", text: "tell me more"},
					{speaker: "client", text: "my \($words) again, number \($k)"}]}' || return 1
		done || return 1
	done
}

# The vectors of an "embedding" object with dimensions reversed, under another model
# name: the geometry is the same, the space is not the built-in one.
PERMUTE='.vector |= reverse | .model = "reversed-64"'

test_expect_success 'setup: the corpus, its hash-64 vectors and the same vectors permuted' '
	corpus >corpus.jsonl &&
	test_line_count = 24 corpus.jsonl &&
	embed --model hash-64 <corpus.jsonl 2>/dev/null | embed --model hash-64 --of description >both.jsonl 2>/dev/null &&
	jq -c ".embedding |= ($PERMUTE) | .description_embedding |= ($PERMUTE)" both.jsonl >permuted.jsonl &&
	jq -c "del(.description_embedding)" permuted.jsonl >client-only.jsonl &&
	jq -e -s "length == 24 and all(.[]; .embedding.model == \"reversed-64\" and .description_embedding.of == \"description\")" permuted.jsonl
'

test_expect_success 'adherence in one space: permuting both vectors leaves every figure as it was' '
	score --summary plain.json <both.jsonl >/dev/null 2>&1 &&
	score --summary permuted.json <permuted.jsonl >/dev/null 2>&1 &&
	jq -e ".adherence_acc1 == 1 and .adherence_mrr == 1" plain.json &&
	jq -c "{adherence_acc1, adherence_acc3, adherence_mrr, adherence_acc1_shuffled, silhouette, within_persona_distance, between_persona_distance, embedding_distance}" plain.json >want &&
	jq -c "{adherence_acc1, adherence_acc3, adherence_mrr, adherence_acc1_shuffled, silhouette, within_persona_distance, between_persona_distance, embedding_distance}" permuted.json >got &&
	test_cmp want got
'

test_expect_success 'client vectors of a model the descriptions have no vectors of: adherence null, said why' '
	score --summary s.json <client-only.jsonl >/dev/null 2>err &&
	jq -e "[.adherence_acc1, .adherence_mrr, .adherence_acc1_shuffled] == [null, null, null] and .silhouette != null" s.json &&
	grep -qx "score: warning: all conversations: adherence is null: the client vectors are from '\''reversed-64'\'' and the descriptions have no vectors of that model (embed --of description --model reversed-64)" err
'

test_expect_success 'descriptions embedded with another model than the client texts: adherence null, said why' '
	jq -c ".description_embedding.model = \"hash-64\"" permuted.jsonl >mixed.jsonl &&
	score --summary s.json <mixed.jsonl >/dev/null 2>err &&
	jq -e ".adherence_acc1 == null" s.json &&
	grep -qx "score: warning: all conversations: adherence is null: descriptions are embedded with '\''hash-64'\'', client texts with '\''reversed-64'\''" err
'

test_expect_success 'client vectors from two models: the vector metrics are null, said why' '
	{ head -n 12 permuted.jsonl; tail -n 12 both.jsonl; } >two.jsonl &&
	score --summary s.json <two.jsonl >/dev/null 2>err &&
	jq -e "[.embedding_distance, .silhouette, .adherence_acc1, (.projection | length)] == [null, null, null, 0]" s.json &&
	grep -q "client vectors come from more than one model" err
'

test_expect_success 'empty client texts tie with every persona: never a hit (Acc@1 = MRR = 0, not 1)' '
	for i in 1 2 3 4 5; do
		echo "{\"id\":\"e$i\",\"persona_id\":\"p$i\",\"description\":\"person number $i likes $i\",\"turns\":[{\"speaker\":\"client\",\"text\":\"\"}]}" || return 1
	done >empty.jsonl &&
	score --summary s.json <empty.jsonl >/dev/null 2>&1 &&
	jq -e "[.adherence_acc1, .adherence_acc10, .adherence_mrr] == [0, 0, 0]" s.json
'

test_expect_success 'distances are cosines of normalised vectors: scaling vectors by 3 changes nothing' '
	jq -c ".embedding.vector |= map(. * 3) | .description_embedding.vector |= map(. * 3)" both.jsonl >scaled.jsonl &&
	score --summary scaled.json <scaled.jsonl >/dev/null 2>&1 &&
	jq -c "{embedding_distance, within_persona_distance, between_persona_distance, silhouette, adherence_mrr}" plain.json >want &&
	jq -c "{embedding_distance, within_persona_distance, between_persona_distance, silhouette, adherence_mrr}" scaled.json >got &&
	test_cmp want got &&
	jq -e ".embedding_distance >= 0 and .within_persona_distance >= 0" scaled.json
'

test_expect_success 'identical probe answers drift 0, written as 0 and never -0' '
	echo "{\"id\":\"p\",\"turns\":[],\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"I want help with my taxes and more\"},{\"after\":2,\"name\":\"a\",\"answer\":\"I want help with my taxes and more\"}]}" >p.jsonl &&
	score --summary s.json <p.jsonl >out 2>/dev/null &&
	grep -q "\"probe_curve\":\[{\"after\":2,\"drift\":0}\]" out &&
	! grep -q "\-0[,}\]]" out s.json
'

test_expect_success '--ci: every interval holds its point value; a seed repeats them, another seed moves them' '
	score --ci 0.95 --summary a.json <corpus.jsonl >/dev/null 2>&1 &&
	score --ci 0.95 --summary b.json <corpus.jsonl >/dev/null 2>&1 &&
	score --ci 0.95 --seed 9 --summary c.json <corpus.jsonl >/dev/null 2>&1 &&
	jq -e ". as \$s | [.ci | to_entries[] | select(.value != null) | (\$s[.key] >= .value[0] - 1e-9 and \$s[.key] <= .value[1] + 1e-9)] | length > 20 and all" a.json &&
	jq -e ".ci | has(\"authorship_auc\") | not" a.json &&
	cmp a.json b.json &&
	! cmp -s a.json c.json
'

test_expect_success '--by --compare: every pair and metric, a difference, its interval, p and Holm p' '
	score --by .context --ci 0.95 --compare --distinct-budget 100 --summary s.json <corpus.jsonl >/dev/null 2>&1 &&
	jq -e ".groups | keys == [\"concat\", \"ecp\"] and (.concat.ci | type) == \"object\"" s.json &&
	jq -e ".comparisons | length == 30 and all(.[]; .a == \"ecp\" and .b == \"concat\" or .a == \"concat\" and .b == \"ecp\")" s.json &&
	jq -e "[.comparisons[] | select(.p != null) | .p > 0 and .p <= 1 and .p_holm >= .p and .p_holm <= 1] | length > 20 and all" s.json &&
	jq -e ". as \$s | [.comparisons[] | select(.diff != null) | .diff == ((\$s.groups[.a][.metric] - \$s.groups[.b][.metric]) * 1e6 | round / 1e6) or (.diff - (\$s.groups[.a][.metric] - \$s.groups[.b][.metric]) | fabs) < 2e-6] | all" s.json &&
	jq -e "[.comparisons[] | select(.metric == \"turns_mean\")][0] | .diff == 0 and .p == 1" s.json
'

test_expect_success '--compare needs --by' '
	test_expect_code 2 score --compare --summary s.json <corpus.jsonl >/dev/null 2>err &&
	echo "score: --compare compares the groups of --by: give --by EXPR" >want &&
	test_cmp want err
'

test_expect_success 'release QA: AI identity, prompt leak and duplicates flagged per record, rated in the summary' '
	cat >qa.jsonl <<-\EOF &&
	{"id":"ai","description":"I am Dana, a baker.","turns":[{"speaker":"client","text":"Hi there."},{"speaker":"responder","text":"Hello!"},{"speaker":"client","text":"As an AI language model, I cannot bake."}]}
	{"id":"leak","description":"I am Dana, a baker.","turns":[{"speaker":"client","text":"Never switch roles. Do not give the other person advice, comfort, reassurance or solutions."}]}
	{"id":"first","description":"I am Dana, a baker.","turns":[{"speaker":"client","text":"I burnt the bread."}]}
	{"id":"copy","description":"I am Dana, a baker.","turns":[{"speaker":"client","text":"I burnt the bread."}]}
	EOF
	score --summary s.json <qa.jsonl >out 2>/dev/null &&
	jq -c "[.id, .scores.qa]" out >got &&
	cat >want <<-\EOF &&
	["ai",{"ai_identity":{"turn":2,"phrase":"as an ai"},"prompt_leak":null,"duplicate_of":null}]
	["leak",{"ai_identity":null,"prompt_leak":{"turn":0,"source":"instructions","tokens":14},"duplicate_of":null}]
	["first",{"ai_identity":null,"prompt_leak":null,"duplicate_of":null}]
	["copy",{"ai_identity":null,"prompt_leak":null,"duplicate_of":"first"}]
	EOF
	test_cmp want got &&
	jq -e "[.qa_ai_identity_rate, .qa_prompt_leak_rate, .qa_duplicate_rate] == [0.25, 0.25, 0.25]" s.json
'

test_expect_success 'redaction counts of dialog-redact are summed in the summary' '
	printf "%s\n" "{\"id\":\"r1\",\"turns\":[{\"speaker\":\"client\",\"text\":\"mail me at a@b.org or call +1 415 555 0100\"}]}" \
		"{\"id\":\"r2\",\"turns\":[{\"speaker\":\"client\",\"text\":\"see https://example.org\"}]}" |
		dialog-redact | score --summary s.json >/dev/null 2>&1 &&
	jq -e ".redactions == {\"email\": 1, \"phone\": 1, \"url\": 1, \"number\": 0}" s.json
'

test_expect_success 'every metric of the report is defined in score(1), with the work it follows' '
	sed -n "s/^	{ \"\([a-z_0-9]*\)\", \".*/\1/p" "$SRC/lib/measure/metrics.c" >keys &&
	test "$(wc -l <keys)" -ge 25 &&
	sed "s/\\\\f[BRI]//g; s/\\\\-/-/g" "$SRC/share/man/score.1" >page &&
	while read -r key; do
		grep -q "$key" page || { echo "score(1) does not define $key"; return 1; }
	done <keys &&
	grep -q "Texygen" page && grep -q "Rousseeuw 1987" page && grep -q "Eval4Sim" page && grep -q "Li et al. 2016" page
'

test_done
