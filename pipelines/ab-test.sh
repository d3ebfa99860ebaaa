#!/usr/bin/env bash
# An A/B experiment: the same personas (same seeds) through condition A and condition B,
# the conversations' outcomes extracted with a question schema, and the two compared.
#
#   pipelines/ab-test.sh [-p personas.jsonl] [-a "ARGS"] [-b "ARGS"] [-s SCHEMA] [-k K]
#       [-o out/ab-test] [-- options for every dialog-run and extract]
#
# A condition is dialog-run options: two responder prompts (default A: --responder-role
# support, B: --responder-role peer), two models (-a "--responder-model M1"), or two
# focus-group stimuli. SCHEMA (default support) is extract's --schema. K conversations
# per persona (default 2). Without -p it samples and crafts 40 personas of the shipped
# support schema (template portraits). Prints the comparison table and writes
# conditions, extractions and summary under the output folder. Without a base URL or
# key it runs on the offline stand-in (not a language model: no finding may be drawn).
set -euo pipefail
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
here=$(cd "$(dirname "$0")" && pwd)
export PATH="${BIN:-$([ -d "$here/../build/bin" ] && echo "$here/../build/bin" || echo "$here")}:$PATH"
case ${1:-} in -h|--help) usage; exit 0 ;; esac

personas="" a="--responder-role support" b="--responder-role peer" schema=support k=2 out="out/ab-test"
while getopts ":p:a:b:s:k:o:h" opt; do
	case $opt in
	p) personas=$OPTARG ;;
	a) a=$OPTARG ;;
	b) b=$OPTARG ;;
	s) schema=$OPTARG ;;
	k) k=$OPTARG ;;
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "ab-test: option '-$OPTARG' needs a value (try 'ab-test.sh --help')" >&2; exit 2 ;;
	*) echo "ab-test: unknown option '-$OPTARG' (try 'ab-test.sh --help')" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
for tool in persona-sample persona-craft dialog-run extract jq; do
	command -v "$tool" >/dev/null || { echo "ab-test: command not found: '$tool' (make, or make install)" >&2; exit 2; }
done
mkdir -p "$out"
if [ -z "$personas" ]; then
	personas="$out/personas.jsonl"
	persona-sample --schema support -n 40 --seed 5 | persona-craft --template >"$personas"
fi
[ -r "$personas" ] || { echo "ab-test: cannot read '$personas'" >&2; exit 2; }
# The same personas and the same --seed in both conditions: only the condition differs.
for c in A B; do
	args=$a
	[ "$c" = B ] && args=$b
	# shellcheck disable=SC2086 # a condition is a list of options, split on purpose
	dialog-run --conversations "$k" --keep-order $args "$@" <"$personas" 2>"$out/dialog-run-$c.log" \
		| jq -c --arg c "$c" '. + {condition: $c}' >"$out/conversations-$c.jsonl"
	grep "conversations (" "$out/dialog-run-$c.log" | sed "s/^/ab-test: $c: /"
done
cat "$out/conversations-A.jsonl" "$out/conversations-B.jsonl" \
	| extract --schema "$schema" --keep-order --summary "$out/summary.json" --by .condition --compare "$@" \
		>"$out/extracted.jsonl" 2>"$out/extract.log"
grep "records extracted" "$out/extract.log" | sed 's/^/ab-test: /'
echo "ab-test: A = $a; B = $b"
jq -r '.comparisons[] | [.question, .test, (if .test == "welch" then "diff \(.diff)" else "chi2 \(.statistic)" end),
	(if .test == "welch" then "g \(.hedges_g)" else "V \(.cramers_v)" end), "p \(.p)", "p_holm \(.p_holm)"] | @tsv' \
	"$out/summary.json" | sed 's/^/ab-test: /'
echo "ab-test: summary (shares, means, intervals per condition) in $out/summary.json"
