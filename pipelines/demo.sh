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

persona-sample --schema "$top/share/schemas/spasm.json" -n 500 --seed 7 \
	--stats "$out/population-stats.json" \
	| persona-craft --provider offline --seed 7 --keep-order >"$out/personas.jsonl"

echo "demo: $(wc -l <"$out/personas.jsonl") personas with descriptions in $out/personas.jsonl"
echo "demo: population check (observed vs target distributions) in $out/population-stats.json"
echo "demo: first persona:"
head -n 1 "$out/personas.jsonl"
