#!/usr/bin/env bash
# The main job on built-in, offline defaults: no network, no key, no cost.
# Writes everything under out/demo/ and says where.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin="${BIN:-$top/build/bin}"
out="${OUT:-$top/out/demo}"
mkdir -p "$out"
export PATH="$bin:$PATH"

persona-sample --schema "$top/share/schemas/spasm.json" -n 500 --seed 7 \
	--stats "$out/population-stats.json" >"$out/personas.jsonl"

echo "demo: $(wc -l <"$out/personas.jsonl") personas in $out/personas.jsonl"
echo "demo: population check (observed vs target, quotas) in $out/population-stats.json"
echo "demo: first persona:"
head -n 1 "$out/personas.jsonl"
