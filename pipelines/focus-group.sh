#!/usr/bin/env bash
# Focus groups end to end: personas -> groups -> moderated conversations -> scores and
# a report, in one folder.
#
#   pipelines/focus-group.sh [-p personas.jsonl] [-s SIZE] [-m FIELD] [-t TOPIC]
#       [-g GUIDE] [-k K] [-o out/focus-group] [-- dialog-run options]
#
# Without -p it samples 24 personas of the shipped spasm schema (template portraits). Groups of
# SIZE (default 4) spread FIELD (default gender) across each group; the moderator walks
# GUIDE (a file, or a shipped name: default remote-work) on TOPIC (default "working from home"),
# K conversations per group (default 1). Model options go after "--", e.g.
# -- --client-model A --responder-model B --base-url URL. Without a base URL or key it
# runs on the offline stand-in (not a language model: the run exercises the machinery).
set -euo pipefail
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
here=$(cd "$(dirname "$0")" && pwd)
export PATH="${BIN:-$([ -d "$here/../build/bin" ] && echo "$here/../build/bin" || echo "$here")}:$PATH"
case ${1:-} in -h|--help) usage; exit 0 ;; esac

personas="" size=4 mix=gender topic="working from home" guide=remote-work k=1 out="out/focus-group"
while getopts ":p:s:m:t:g:k:o:h" opt; do
	case $opt in
	p) personas=$OPTARG ;;
	s) size=$OPTARG ;;
	m) mix=$OPTARG ;;
	t) topic=$OPTARG ;;
	g) guide=$OPTARG ;;
	k) k=$OPTARG ;;
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "focus-group: option '-$OPTARG' needs a value (try 'focus-group.sh --help')" >&2; exit 2 ;;
	*) echo "focus-group: unknown option '-$OPTARG' (try 'focus-group.sh --help')" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
for tool in persona-sample persona-craft persona-group dialog-run score; do
	command -v "$tool" >/dev/null || { echo "focus-group: command not found: '$tool' (make, or make install)" >&2; exit 2; }
done
mkdir -p "$out"
if [ -z "$personas" ]; then
	personas="$out/personas.jsonl"
	persona-sample --schema spasm -n 24 --seed 11 | persona-craft --template >"$personas"
fi
[ -r "$personas" ] || { echo "focus-group: cannot read '$personas'" >&2; exit 2; }
persona-group --size "$size" --mix "$mix" --topic "$topic" --guide "$guide" <"$personas" >"$out/groups.jsonl"
echo "focus-group: $(wc -l <"$out/groups.jsonl") groups of $size in $out/groups.jsonl"
dialog-run --turn-policy moderator --conversations "$k" --keep-order "$@" \
	<"$out/groups.jsonl" >"$out/conversations.jsonl" 2>"$out/dialog-run.log"
grep "conversations (" "$out/dialog-run.log" | sed 's/^/focus-group: /'
score --summary "$out/summary.json" --report "$out/report.html" \
	<"$out/conversations.jsonl" >"$out/scored.jsonl" 2>"$out/score.log"
jq -r '"focus-group: floor Gini \(.group_floor_gini), answered when addressed \(.group_answered_rate), convergence \(.group_convergence)"' "$out/summary.json"
echo "focus-group: report to open in a browser: $out/report.html"
