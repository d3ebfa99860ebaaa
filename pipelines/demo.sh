#!/usr/bin/env bash
# The main job on built-in, offline defaults: no network, no key, no cost.
# The offline provider is a deterministic stand-in, not a language model: the demo
# exercises the machinery; no finding about model behaviour may be drawn from it.
# Writes everything under out/demo/ and says where.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="${BIN:-$top/build/bin}"
out="${OUT:-$top/out/demo}"
mkdir -p "$out"
export PATH="$bin:$PATH"
unset OPENAI_API_KEY OPENAI_BASE_URL

# Sample until 500 personas pass the shipped rules and are not near-duplicates.
persona-sample --schema "$top/share/schemas/spasm.json" --seed 7 \
	| persona-validate --dedup-fields occupation,location,domain,emotion,intensity \
		--rejects "$out/rejected.jsonl" 2>"$out/validate.log" \
	| head -n 500 \
	| persona-craft --provider offline --seed 7 --keep-order >"$out/personas.jsonl"

echo "demo: $(wc -l <"$out/personas.jsonl") validated personas with descriptions in $out/personas.jsonl"
echo "demo: $(wc -l <"$out/rejected.jsonl") rejected personas, with reasons, in $out/rejected.jsonl"
persona-sample --schema "$top/share/schemas/spasm.json" -n 500 --seed 7 \
	--stats "$out/population-stats.json" >/dev/null
echo "demo: population check of the sampler (observed vs target) in $out/population-stats.json"
echo "demo: first persona:"
head -n 1 "$out/personas.jsonl"
