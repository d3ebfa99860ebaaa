#!/usr/bin/env bash
# make bench — every performance claim of the project, measured side by side in one
# run on this machine. Each tests/bench/bench-*.sh prints result lines
#   RESULT <name> <measured> <op> <target> <what>
# which this script turns into "name measured (target op target) ok|MISSED" and into
# build/bench.json.
set -u
cd "$(dirname "$0")/../.." || exit 2
export BIN="$PWD/build/bin" SRC="$PWD"
export PATH="$BIN:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/persona-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
json="build/bench.json"
echo "[" >"$json"
first=1
missed=0
for bench in tests/bench/bench-*.sh; do
	while read -r tag name measured op target what; do
		[ "$tag" = RESULT ] || { echo "$tag $name $measured $op $target $what"; continue; }
		if awk -v m="$measured" -v t="$target" -v op="$op" 'BEGIN { exit !((op == ">=" && m >= t) || (op == "<=" && m <= t)) }'; then
			verdict=ok
		else
			verdict=MISSED
			missed=$((missed + 1))
		fi
		printf '%s %s (target %s %s) %s   # %s\n' "$name" "$measured" "$op" "$target" "$verdict" "$what"
		[ $first -eq 1 ] || echo "," >>"$json"
		first=0
		printf '{"name":"%s","measured":%s,"op":"%s","target":%s,"verdict":"%s","what":"%s"}' \
			"$name" "$measured" "$op" "$target" "$verdict" "$what" >>"$json"
	done < <(WORK="$work" bash "$bench")
done
echo "]" >>"$json"
echo "results written to $json"
[ "$missed" -eq 0 ]
