#!/usr/bin/env bash
# The SPASM design: every persona x K conversations for every pairing of client models
# and responder models (default 3 x 3), each pairing to its own gzip file, resumable,
# with a usage table at the end.
#
#   pipelines/spasm-matrix.sh -p personas.jsonl [-k 10] [-o out/matrix] \
#       [-c "gpt-4o-mini deepseek-v3.2 qwen-plus"] [-r "same three"] [-- dialog-run options]
#
# Each pairing runs `dialog-run --client-model C --responder-model R --cache DIR --resume`,
# so a killed job restarts where it stopped and pays nothing twice; a finished pairing
# (its .jsonl.gz exists) is skipped. Per-role base URLs and keys go after "--", e.g.
# -- --client-base-url URL --responder-base-url URL2 --responder-api-key-env KEY2.
# Without a base URL or key it runs on the offline stand-in (not a language model).
set -euo pipefail
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
here=$(cd "$(dirname "$0")" && pwd)
export PATH="${BIN:-$([ -d "$here/../build/bin" ] && echo "$here/../build/bin" || echo "$here")}:$PATH"
case ${1:-} in -h|--help) usage; exit 0 ;; esac

personas="" k=10 out="out/matrix"
clients="model-a model-b model-c" responders="model-a model-b model-c"
while getopts ":p:k:o:c:r:h" opt; do
	case $opt in
	p) personas=$OPTARG ;;
	k) k=$OPTARG ;;
	o) out=$OPTARG ;;
	c) clients=$OPTARG ;;
	r) responders=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "spasm-matrix: option '-$OPTARG' needs a value (try 'spasm-matrix.sh --help')" >&2; exit 2 ;;
	*) echo "spasm-matrix: unknown option '-$OPTARG' (try 'spasm-matrix.sh --help')" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ -n "$personas" ] || { echo "spasm-matrix: -p personas.jsonl is required" >&2; exit 2; }
[ -e "$personas" ] || { echo "spasm-matrix: cannot open '$personas': No such file or directory" >&2; exit 2; }
if [ ! -f "$personas" ] || [ ! -r "$personas" ]; then
	echo "spasm-matrix: cannot read '$personas'" >&2
	exit 2
fi
for tool in dialog-run jq gzip; do
	command -v "$tool" >/dev/null || { echo "spasm-matrix: command not found: '$tool'" >&2; exit 2; }
done
mkdir -p "$out/.cache"

status=0
for c in $clients; do
	for r in $responders; do
		name="$c--$r"
		final="$out/$name.jsonl.gz"
		if [ -e "$final" ]; then
			echo "spasm-matrix: $name already done" >&2
			continue
		fi
		partial="$out/$name.jsonl"
		touch "$partial"
		rc=0
		# shellcheck disable=SC2094 # --resume reads what the cell finished before; new conversations are appended after it
		dialog-run --client-model "$c" --responder-model "$r" --conversations "$k" \
			--cache "$out/.cache" --resume "$partial" "$@" <"$personas" >>"$partial" 2>"$out/$name.log" || rc=$?
		if [ "$rc" -eq 0 ]; then
			# Keep the last record per id: a rerun of a failed conversation follows it.
			jq -c -s 'reverse | unique_by(.id) | sort_by(.persona_id, .index) | .[]' "$partial" | gzip >"$final.tmp"
			mv "$final.tmp" "$final" && rm -f "$partial"
		else
			echo "spasm-matrix: $name stopped with status $rc (see $out/$name.log); run again to resume" >&2
			status=$rc
		fi
	done
done

printf '%-32s %6s %6s %7s %12s %12s %12s\n' pairing convs failed turns client_tok responder_tok requests
for f in "$out"/*.jsonl.gz; do
	[ -e "$f" ] || continue
	gzip -dc "$f" | jq -r -s --arg name "$(basename "$f" .jsonl.gz)" '
		[$name, length, (map(select(.status != "ok")) | length), (map(.turns | length) | add // 0),
		 (map(.usage.client.prompt_tokens + .usage.client.completion_tokens) | add // 0),
		 (map(.usage.responder.prompt_tokens + .usage.responder.completion_tokens) | add // 0),
		 (map(.usage.client.requests + .usage.responder.requests + .usage.aux.requests) | add // 0)] | @tsv' |
		awk -F'\t' '{ printf "%-32s %6d %6d %7d %12d %12d %12d\n", $1, $2, $3, $4, $5, $6, $7 }'
done
exit "$status"
