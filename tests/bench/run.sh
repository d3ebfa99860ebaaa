#!/usr/bin/env bash
# make bench — every performance claim of the project, measured side by side in one
# run on this machine. tests/bench/run.sh [NAME...] runs only bench-NAME.sh (e.g. craft).
#
# Each tests/bench/bench-*.sh declares its claims on a "# claims: NAME..." line and
# prints one result line per claim (tests/bench/lib.sh's `claim`):
#   RESULT <name> <measured> <op> <target> <what>
# with op >=, <=, <, > or ==, and <what> (spaces written as _) saying what was measured and
# which realistic regression the target catches. This script turns each into
#   name measured (target op target) ok|MISSED   # what
# and into build/bench.json. A declared claim is MISSED when its target is not met,
# when the bench never printed it, or when the bench exited non-zero (a bench ends as
# soon as a measured command fails or writes the wrong output); a result line the bench
# did not declare is MISSED too. Exit 1 when anything was MISSED.
set -u
cd "$(dirname "$0")/../.." || exit 2
export BIN="$PWD/build/bin" SRC="$PWD"
export PATH="$BIN:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/persona-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
json="build/bench.json"
missed=0
: >"$work/results.jsonl"

if [ $# -gt 0 ]; then
	benches=()
	for name in "$@"; do
		benches+=("tests/bench/bench-$name.sh")
	done
else
	benches=(tests/bench/bench-*.sh)
fi

# verdict NAME MEASURED OP TARGET MISSED-REASON WHAT: print and record one claim's line;
# MISSED-REASON empty means judge MEASURED against the target.
verdict() {
	local name=$1 measured=$2 op=$3 target=$4 reason=$5 what=$6 result=MISSED
	if [ -z "$reason" ]; then
		if ! [[ $measured =~ ^-?[0-9]+([.][0-9]+)?$ && $target =~ ^-?[0-9]+([.][0-9]+)?$ ]]; then
			reason="not a number"
		elif awk -v m="$measured" -v t="$target" -v op="$op" \
			'BEGIN { exit !((op == ">=" && m >= t) || (op == "<=" && m <= t) || (op == "<" && m < t) || (op == ">" && m > t) || (op == "==" && m == t)) }'; then
			result=ok
		fi
	fi
	[ "$result" = ok ] || missed=$((missed + 1))
	if [ "$measured" = - ]; then
		printf '%s %s (%s)\n' "$name" "$result" "$reason"
	else
		printf '%s %s (target %s %s) %s%s   # %s\n' "$name" "$measured" "$op" "$target" "$result" \
			"${reason:+ ($reason)}" "$what"
	fi
	jq -nc --arg name "$name" --arg measured "$measured" --arg op "$op" --arg target "$target" \
		--arg verdict "$result" --arg reason "$reason" --arg what "$what" \
		'{name: $name, measured: ($measured | tonumber? // null), op: $op, target: ($target | tonumber? // null),
		  verdict: $verdict, what: $what} + (if $reason == "" then {} else {reason: $reason} end)' \
		>>"$work/results.jsonl"
}

for bench in "${benches[@]}"; do
	label=$(basename "$bench" .sh)
	if [ ! -f "$bench" ]; then
		verdict "$label" - "" "" "no such bench" "$bench"
		continue
	fi
	claims=$(sed -n 's/^# claims: *//p' "$bench")
	if [ -z "$claims" ]; then
		verdict "$label" - "" "" "declares no claims" "$bench has no '# claims:' line"
		continue
	fi
	status=0
	WORK="$work" bash "$bench" >"$work/out" 2>"$work/err" || status=$?
	grep -v '^RESULT ' "$work/out"
	failure=""
	if [ "$status" -ne 0 ]; then
		failure="$label exited $status"
		echo "$label exited with status $status; the end of its stderr:"
		tail -n 5 "$work/err" | sed 's/^/  /'
	fi
	for name in $claims; do
		line=$(awk -v n="$name" '$1 == "RESULT" && $2 == n' "$work/out" | tail -n 1)
		if [ -z "$line" ]; then
			verdict "$name" - "" "" "${failure:-$label did not print it}" "no result"
			continue
		fi
		read -r _ _ measured op target what <<<"$line"
		verdict "$name" "$measured" "$op" "$target" "$failure" "${what//_/ }"
	done
	awk '$1 == "RESULT" { print $2 }' "$work/out" | while read -r name; do
		case " $claims " in
		*" $name "*) ;;
		*) echo "$name" ;;
		esac
	done >"$work/undeclared"
	while read -r name; do
		verdict "$name" - "" "" "not declared by $label" "a result the bench does not declare"
	done <"$work/undeclared"
done
mkdir -p build
jq -s . "$work/results.jsonl" >"$json"
echo "results written to $json"
if [ "$missed" -gt 0 ]; then
	echo "$missed claims MISSED"
	exit 1
fi
