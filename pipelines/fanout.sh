#!/usr/bin/env bash
# Run any tool (or chain) over a large JSONL input with GNU parallel, resumably.
#
#   fanout.sh -i INPUT[.gz] -o OUTPUT[.gz] [-j JOBS] [-b BLOCK] [--parts DIR]
#       [--resume-failed] [--joblog FILE] [-S SSHLOGIN... | --slf FILE]
#       [--rpm N] [--tpm N] [--budget USD] -- TOOL [ARG]...
#
# The input is cut into blocks on line boundaries (--pipe-part for plain files, --pipe
# for gzip), so every record reaches exactly one job, the shard. Each shard's output is
# kept in the parts folder (default OUTPUT.parts) the moment the shard ends, with its
# exit status; OUTPUT is then assembled from the parts in input order (replaced whole,
# never half-written). A shard that exited 75 ran out of rate limits: run the same
# command again with --resume-failed and only the shards that did not finish with 0
# run again (with --cache, their finished calls are free); every finished shard's
# output is kept, so each record is in OUTPUT exactly once.
#
# Limits belong to the API key, not to a job: --rpm, --tpm (per minute) and --budget
# (USD, needs the tool's --price) are the totals of all jobs together. They are written
# to PARTS/limits/limits.json and every local job gets PERSONA_LIMITS_DIR naming that
# folder, so all of them draw from one bucket per (base URL, key) (see --limits-dir in
# persona-craft(1)); a tool's own --rpm/--tpm still cap each job below that. The spend
# is kept there across --resume-failed runs: a budget is the whole output's, so after
# exit 75 at the budget, rerun with --resume-failed and a higher --budget (or none).
# With -S/--slf each host gets an equal share (N divided by the number of hosts, said
# on stderr), kept in ${TMPDIR:-/tmp}/persona-limits.ID on that host.
#
# BLOCK is a size (10M by default; K, M, G suffixes) or, for a plain file only, -N: N
# blocks for each job slot. A CPU-bound stage is fastest with -b -1 (one block per
# job: no job waits at the end, one start each), a model-bound one resumes in smaller
# steps with a size (each failed shard reruns whole).
#
# Exit status: 0 all shards succeeded; 75 the only failures were exit 75 (retry later
# with --resume-failed); 1 a shard failed otherwise; 2 usage error (nothing was run).
# Every tool draws its randomness from (seed, record id, purpose), so the output
# equals one sequential run. On remote hosts (-S/--slf) the programs must be installed
# there; the API key is read from a file on each host, never put on a command line:
#   -S host1,host2 -- sh -c 'OPENAI_API_KEY=$(cat ~/.config/persona/key) persona-craft'
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}
die() {   # die STATUS MESSAGE: one line on stderr, nothing run or written
	echo "fanout: $2" >&2
	exit "$1"
}

input="" output="-" jobs="${JOBS:-$(nproc)}" block="10M" joblog="" resume=0 parts="" hosts=()
rpm="" tpm="" budget="" nhosts=0
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-i|-o|-j|-b|--joblog|--parts|-S|--sshlogin|--slf|--rpm|--tpm|--budget)
		[ $# -ge 2 ] || die 2 "option '$1' needs a value"
		case $1 in
		-i) input=$2 ;;
		-o) output=$2 ;;
		-j) jobs=$2 ;;
		-b) block=$2 ;;
		--joblog) joblog=$2 ;;
		--parts) parts=$2 ;;
		-S|--sshlogin)
			hosts+=(--sshlogin "$2")
			nhosts=$((nhosts + $(printf '%s\n' "$2" | tr ',' '\n' | grep -c .))) ;;
		--slf)
			hosts+=(--slf "$2")
			[ -r "$2" ] || die 2 "cannot open '$2': No such file or directory"
			nhosts=$((nhosts + $(grep -c -v -e '^[[:space:]]*$' -e '^[[:space:]]*#' -- "$2"))) ;;
		--rpm|--tpm|--budget)
			[[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || die 2 "$1 '$2' must be a number of at least 0"
			case $1 in
			--rpm) rpm=$2 ;;
			--tpm) tpm=$2 ;;
			--budget) budget=$2 ;;
			esac ;;
		esac
		shift 2 ;;
	-k) shift ;;   # output is always in input order (kept for old command lines)
	--resume-failed) resume=1; shift ;;
	--) shift; break ;;
	*) die 2 "unknown option '$1' (try 'fanout.sh --help')" ;;
	esac
done
[ -n "$input" ] || die 2 "no input: give -i FILE (try 'fanout.sh --help')"
if [[ $block == -* ]]; then
	[[ $block =~ ^-[1-9][0-9]*$ ]] || die 2 "-b '$block': a size such as 10M, or -N (N blocks per job)"
	case $input in
	-|*.gz|*.GZ) die 2 "-b $block (blocks per job) needs a plain file: a pipe or gzip input has no known size" ;;
	esac
fi
[ $# -gt 0 ] || die 2 "no command: give it after '--' (try 'fanout.sh --help')"
command -v parallel >/dev/null || die 2 "GNU parallel is not installed (apt-get install parallel)"
if [ "$input" != - ]; then
	[ -e "$input" ] || die 2 "cannot open '$input': No such file or directory"
	[ -f "$input" ] || die 2 "cannot read '$input': not a regular file"
	[ -r "$input" ] || die 2 "cannot open '$input': Permission denied"
fi
# Locally the command must exist; on remote hosts it is looked up there.
if [ ${#hosts[@]} -eq 0 ] && ! command -v "$1" >/dev/null; then
	die 2 "command not found: '$1' (is it on PATH? see 'make install' in the README)"
fi
if [ -z "$parts" ]; then
	if [ "$output" = - ]; then
		[ "$resume" = 0 ] || die 2 "--resume-failed needs -o FILE or --parts DIR (the parts of the first run)"
		parts=$(mktemp -d "${TMPDIR:-/tmp}/fanout.XXXXXX")
		trap 'rm -rf "$parts"' EXIT
	else
		parts="$output.parts"
	fi
fi
[ "$input" != - ] || [ "$resume" = 0 ] || die 2 "--resume-failed cannot replay standard input; give -i FILE"

# What a resumed run must repeat exactly: the blocks (input, its size and time, block
# size) and the command. Anything else would pair old parts with other records.
if [ "$input" = - ]; then
	input_id=-
else
	input_id=$(stat -c '%n %s %Y' -- "$input")
fi
manifest=$(printf 'input %s\nblock %s\ncommand %s\n' "$input_id" "$block" "$*")
if [ "$resume" = 1 ]; then
	[ -f "$parts/manifest" ] || die 2 "nothing to resume: '$parts/manifest' does not exist (run once without --resume-failed)"
	[ "$(cat "$parts/manifest")" = "$manifest" ] ||
		die 2 "cannot resume: input, block size or command differ from the run in '$parts'"
else
	rm -rf "$parts"
fi
mkdir -p "$parts"
printf '%s\n' "$manifest" >"$parts/manifest"
touch "$parts/status"

# Shared limits: {"rpm":N,"tpm":N,"budget":USD}, each divided by $1 (the hosts).
limits_json() {
	awk -v n="$1" -v rpm="$rpm" -v tpm="$tpm" -v budget="$budget" 'BEGIN {
		sep = ""
		printf "{"
		if (rpm != "") { printf "%s\"rpm\":%.10g", sep, rpm / n; sep = "," }
		if (tpm != "") { printf "%s\"tpm\":%.10g", sep, tpm / n; sep = "," }
		if (budget != "") { printf "%s\"budget\":%.10g", sep, budget / n }
		print "}"
	}'
}
limits_setup=""
if [ -n "$rpm$tpm$budget" ]; then
	if [ "$nhosts" -eq 0 ]; then
		# Kept in the parts folder: a --resume-failed run goes on with the same spend.
		mkdir -p "$parts/limits"
		limits_json 1 >"$parts/limits/limits.json.tmp"
		mv -f "$parts/limits/limits.json.tmp" "$parts/limits/limits.json"
		PERSONA_LIMITS_DIR=$(cd "$parts/limits" && pwd)
		export PERSONA_LIMITS_DIR
		echo "fanout: every job shares $(cat "$parts/limits/limits.json") ($PERSONA_LIMITS_DIR)" >&2
	else
		# Each host its share, in a folder of its own named by this output's id (the
		# same on --resume-failed), set up by each job before the command.
		[ -s "$parts/limits-id" ] || od -An -tx1 -N8 /dev/urandom | tr -d ' \n' >"$parts/limits-id"
		share=$(limits_json "$nhosts")
		limits_setup="d=\${TMPDIR:-/tmp}/persona-limits.$(cat "$parts/limits-id"); mkdir -p \"\$d\" && printf '%s\\n' '$share' >\"\$d/limits.json.\$\$\" && mv -f \"\$d/limits.json.\$\$\" \"\$d/limits.json\" && PERSONA_LIMITS_DIR=\$d && export PERSONA_LIMITS_DIR || exit 1; "
		echo "fanout: $nhosts hosts: the jobs of each host share $share" >&2
	fi
fi

# Shards already finished with status 0 (the last word on each shard counts).
done_list=$(awk '{ s[$1] = $2 } END { for (k in s) if (s[k] == 0) printf " %s", k }' "$parts/status")

# Each job: skipped (its input drained) when already done, else the command followed by
# an end marker carrying its exit status, so a shard is committed only once whole.
attempt_log="$parts/joblog.$(date +%s).$$"
cmd=$(printf '%q ' "$@")
job="case ' $done_list ' in *' {#} '*) cat >/dev/null; exit 0;; esac; $limits_setup$cmd; s=\$?; printf '\\001fanout-exit %d\\n' \$s; exit \$s"
# On this host a job writes its shard's file itself and records its status: no output
# goes through parallel (tagging every line, then splitting it again, cost a third of
# the speed-up on two cores). Remote jobs' output has to come back through parallel.
if [ "$nhosts" -eq 0 ]; then
	q=$(printf '%q' "$(cd "$parts" && pwd)")
	committed=$(printf '%q' "$(cd "$parts" && pwd)/$(basename "$attempt_log").committed")
	job="case ' $done_list ' in *' {#} '*) cat >/dev/null; exit 0;; esac; $cmd>$q/{#}.tmp; s=\$?; mv -f $q/{#}.tmp $q/{#}.jsonl && printf '%s %s\\n' {#} \$s >>$q/status && printf '%s\\n' {#} >>$committed || exit 1; exit \$s"
fi

opts=(--will-cite -j "$jobs" --block "$block" --halt never --joblog "$attempt_log" --tagstring '{#}')
opts+=("${hosts[@]}")

# Split the tagged output into one file per shard; at a shard's end marker, move its
# file into place and record its status (both survive a kill of this script).
demux() {
	awk -v dir="$parts" -v committed="$attempt_log.committed" '
	{
		tab = index($0, "\t")
		seq = substr($0, 1, tab - 1)
		line = substr($0, tab + 1)
		tmp = dir "/" seq ".tmp"
		mark = index(line, "\001fanout-exit ")
		if (mark == 0) {
			print line > tmp
			next
		}
		if (mark > 1)
			print substr(line, 1, mark - 1) > tmp
		printf "" > tmp
		close(tmp)
		status = substr(line, mark + 13)
		if (system("mv -f \"" tmp "\" \"" dir "/" seq ".jsonl\"") != 0)
			exit 1
		print seq, status >> (dir "/status")
		fflush(dir "/status")
		print seq >> committed
		fflush(committed)
	}'
}

touch "$attempt_log.committed"
set +e
case $input in
-) parallel "${opts[@]}" --pipe "$job" | demux ;;
*.gz|*.GZ) gzip -dc -- "$input" | parallel "${opts[@]}" --pipe "$job" | demux ;;
*) parallel "${opts[@]}" --pipe-part -a "$input" "$job" | demux ;;
esac
statuses=("${PIPESTATUS[@]}")
set -e
pstatus=${statuses[-2]}
[ "${statuses[-1]}" = 0 ] || die 1 "cannot write the parts in '$parts'"
[ -z "$joblog" ] || cp -- "$attempt_log" "$joblog"

# A job that ended without its marker (killed, host lost) failed with parallel's status.
awk -F'\t' 'NR == FNR { ok[$1] = 1; next }
	FNR > 1 && $7 != 0 && !($1 in ok) { print $1, $7 }' "$attempt_log.committed" "$attempt_log" >>"$parts/status"
if [ "$pstatus" -ge 255 ]; then
	die 1 "GNU parallel failed (status $pstatus); finished shards are kept in '$parts'"
fi

# Assemble: every shard's last output in input order, into a temporary file, renamed.
verdict=$(awk '{ s[$1] = $2 } END {
	bad = 0; only75 = 1
	for (k in s) if (s[k] != 0) { bad++; if (s[k] != 75) only75 = 0 }
	print (bad == 0 ? 0 : (only75 ? 75 : 1)), bad }' "$parts/status")
read -r status failed_shards <<<"$verdict"
assemble() {
	local seq
	awk '{ print $1 }' "$parts/status" | sort -n -u | while read -r seq; do
		[ ! -f "$parts/$seq.jsonl" ] || cat -- "$parts/$seq.jsonl"
	done
}
case $output in
-) assemble ;;
*.gz|*.GZ) assemble | gzip >"$output.tmp.$$" && mv -f -- "$output.tmp.$$" "$output" ;;
*) assemble >"$output.tmp.$$" && mv -f -- "$output.tmp.$$" "$output" ;;
esac
if [ "$status" != 0 ]; then
	echo "fanout: $failed_shards shard(s) failed$([ "$status" = 75 ] && echo ' with rate limits (exit 75)'); rerun with --resume-failed to redo only them" >&2
fi
exit "$status"
