#!/usr/bin/env bash
# The main job on built-in, offline defaults: no network, no key, no cost.
# The offline provider is a deterministic stand-in, not a language model: the demo
# exercises the machinery; no finding about model behaviour may be drawn from it.
#
#   demo.sh          (make demo; installed as persona-demo)
#
# Writes everything under out/demo/ of the current folder (or $OUT) and says where.
set -euo pipefail
case ${1:-} in
-h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
"") ;;
*) echo "demo: unexpected argument '$1' (try 'demo.sh --help')" >&2; exit 2 ;;
esac
# The programs: from the build tree when run there, else beside this script (installed).
here=$(cd "$(dirname "$0")" && pwd)
bin="${BIN:-$([ -d "$here/../build/bin" ] && echo "$here/../build/bin" || echo "$here")}"
out="${OUT:-out/demo}"
export PATH="$bin:$PATH"
for tool in persona-sample persona-validate persona-craft persona-group dialog-run dialog-redact embed score; do
	command -v "$tool" >/dev/null || { echo "demo: command not found: '$tool' (make, or make install)" >&2; exit 2; }
done
mkdir -p "$out"
unset OPENAI_API_KEY OPENAI_BASE_URL

# Sample until 500 personas pass the shipped rules and are not near-duplicates.
persona-sample --schema spasm --seed 7 \
	| persona-validate --dedup-fields occupation,location,domain,emotion,intensity \
		--rejects "$out/rejected.jsonl" 2>"$out/validate.log" \
	| head -n 500 \
	| persona-craft --provider offline --seed 7 --keep-order >"$out/personas.jsonl"

echo "demo: $(wc -l <"$out/personas.jsonl") validated personas with descriptions in $out/personas.jsonl"
echo "demo: $(wc -l <"$out/rejected.jsonl") rejected personas, with reasons, in $out/rejected.jsonl"
# Two conversations per persona (100 personas), peer responder, termination rules
# in-line, drift probes every 2 exchanges: once with Egocentric Context Projection and
# once with the shared-transcript baseline (SPASM's ablation), the same personas.
for context in ecp concat; do
	head -n 100 "$out/personas.jsonl" \
		| dialog-run --context "$context" --conversations 2 --seed 7 --keep-order \
			--probes default --probe-every 2 \
			-o "$out/conversations-$context.jsonl.gz" 2>"$out/dialog-run-$context.log"
	grep "conversations (" "$out/dialog-run-$context.log" | sed "s/^/demo: $context: /"
done
cat "$out/conversations-ecp.jsonl.gz" "$out/conversations-concat.jsonl.gz" >"$out/conversations.jsonl.gz"
echo "demo: $(gzip -dc "$out/conversations.jsonl.gz" | wc -l) conversations (ECP and CONCAT) in $out/conversations.jsonl.gz"

# Redact contact details, embed conversations and descriptions in one space, and
# measure them against the human reference (PersonaChat figures shipped in share/),
# with 95% intervals and the groups compared.
gzip -dc "$out/conversations.jsonl.gz" \
	| dialog-redact \
	| embed --of client_text \
	| embed --of description \
	| score --by .context --ci 0.95 --compare --reference personachat \
		--summary "$out/summary.json" --report "$out/report.html" 2>"$out/score.log" \
	| gzip >"$out/scored.jsonl.gz"
echo "demo: per-conversation scores and release QA flags in $out/scored.jsonl.gz"
echo "demo: corpus summary (intervals under \"ci\", PersonaChat under \"reference\") in $out/summary.json"
echo "demo: ECP vs CONCAT: $(jq '.comparisons | length' "$out/summary.json") metrics compared, $(jq '[.comparisons[] | select(.p_holm != null and .p_holm < 0.05)] | length' "$out/summary.json") with Holm p < 0.05 (the offline stand-in: machinery, not a finding)"
echo "demo: report to open in a browser: $out/report.html"

persona-sample --schema spasm -n 500 --seed 7 \
	--stats "$out/population-stats.json" >/dev/null
echo "demo: population check of the sampler (observed vs target) in $out/population-stats.json"
echo "demo: the first conversation:"
first=$(gzip -dc "$out/conversations.jsonl.gz" | sed -n 1p)
printf '%s\n' "$first" | jq -r '.turns[] | "  \(.speaker): \(.text)"'

# A small focus group: 8 of the personas in two groups of 4 (genders spread), a
# moderator walking the shipped guide, each participant seeing its own view (ECP-N).
guide=remote-work
head -n 8 "$out/personas.jsonl" \
	| persona-group --size 4 --mix gender --topic "working from home" --guide "$guide" --quiet \
	| dialog-run --turn-policy moderator --keep-order >"$out/focus-groups.jsonl" 2>"$out/focus-groups.log"
score --summary "$out/focus-groups-summary.json" <"$out/focus-groups.jsonl" >/dev/null 2>&1
echo "demo: $(wc -l <"$out/focus-groups.jsonl") moderated focus groups in $out/focus-groups.jsonl;" \
	"$(jq -r '"floor Gini \(.group_floor_gini), convergence \(.group_convergence)"' "$out/focus-groups-summary.json")"
echo "demo: the first focus group opens:"
sed -n 1p "$out/focus-groups.jsonl" | jq -r '.turns[0:6][] | "  \(.name): \(.text)"'
echo "demo: every text above comes from the offline stand-in, not a language model."
