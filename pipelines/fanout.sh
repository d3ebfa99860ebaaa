#!/usr/bin/env bash
# Run any tool (or chain) over a large JSONL input with GNU parallel.
#
#   pipelines/fanout.sh -i INPUT[.gz] -o OUTPUT[.gz] [-j JOBS] [-b BLOCK] [-k]
#       [--joblog FILE [--resume-failed]] [-S SSHLOGIN... | --slf FILE] -- TOOL [ARG]...
#
# Plain seekable files are split with --pipe-part (no copying through a pipe), gzip and
# stdin ("-") with --pipe; blocks end on line boundaries, so every record reaches
# exactly one job. Every tool draws its randomness from (seed, record id, purpose), so
# the output equals one sequential run up to order (-k keeps input order). A shard that
# exits 75 (rate limits exhausted) is worth rerunning: with --joblog, run the same
# command again with --resume-failed and only failed shards run (use --cache so finished
# calls are free). On remote hosts (-S/--slf) the programs must be installed there; the
# API key is read from a file on each host, never passed on a command line:
#   -S host1,host2 -- sh -c 'OPENAI_API_KEY=$(cat ~/.config/persona/key) persona-craft ...'
set -euo pipefail
input="" output="-" jobs="${JOBS:-$(nproc)}" block="10M" keep="" joblog="" resume="" hosts=()
while [ $# -gt 0 ]; do
	case $1 in
	-i) input=$2; shift 2 ;;
	-o) output=$2; shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-b) block=$2; shift 2 ;;
	-k) keep="--keep-order"; shift ;;
	--joblog) joblog=$2; shift 2 ;;
	--resume-failed) resume="--resume-failed"; shift ;;
	-S|--sshlogin) hosts+=(--sshlogin "$2"); shift 2 ;;
	--slf) hosts+=(--slf "$2"); shift 2 ;;
	--) shift; break ;;
	*) echo "fanout: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$input" ] && [ $# -gt 0 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
command -v parallel >/dev/null || { echo "fanout: GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }

# The command each job runs, quoted once for parallel.
cmd=$(printf '%q ' "$@")
opts=(--will-cite -j "$jobs" --block "$block" $keep --halt never)
[ -n "$joblog" ] && opts+=(--joblog "$joblog" $resume)
opts+=("${hosts[@]}")

write() {
	case $output in
	-) cat ;;
	*.gz) gzip >"$output" ;;
	*) cat >"$output" ;;
	esac
}

status=0
case $input in
-) parallel "${opts[@]}" --pipe "$cmd" | write || status=$? ;;
*.gz) gzip -dc "$input" | parallel "${opts[@]}" --pipe "$cmd" | write || status=$? ;;
*) parallel "${opts[@]}" --pipe-part -a "$input" "$cmd" | write || status=$? ;;
esac
exit "$status"
