# shellcheck shell=bash
# tests/bench/lib.sh — sourced by every tests/bench/bench-*.sh (run by tests/bench/run.sh,
# which sets SRC, BIN, WORK and PATH).
#
# A bench declares its claims on a "# claims: NAME..." line and prints one result line
# per claim with `claim`. It runs with set -e -u -o pipefail: a measured command that
# fails, or whose output is not what it should be (bench_expect), ends the bench before
# any ratio is reported, and run.sh counts its claims as MISSED.
set -euo pipefail
shopt -s inherit_errexit   # inside $(...) too

# claim NAME MEASURED OP TARGET WHAT...: the result line run.sh reads. WHAT says what
# was measured and which realistic regression the target would catch.
claim() {
	local name=$1 measured=$2 op=$3 target=$4
	shift 4
	local what="$*"
	echo "RESULT $name $measured $op $target ${what// /_}"
}

# timed FILE COMMAND...: run COMMAND with the caller's redirections and write its
# "seconds peak_kb" to FILE, the seconds to the millisecond (time's own %e has two
# decimals: a 1% step on a one-second bench); the bench ends when COMMAND fails.
timed() {
	local out=$1 start end kb
	shift
	start=${EPOCHREALTIME/[^0-9]/}
	/usr/bin/time -f "%M" -o "$out" "$@"
	end=${EPOCHREALTIME/[^0-9]/}
	kb=$(cat "$out")
	printf '%d.%03d %s\n' $(((end - start) / 1000000)) $(((end - start) / 1000 % 1000)) "$kb" >"$out"
}

# bench_fail WHAT: end the bench, saying what was wrong.
bench_fail() {
	echo "bench: $*" >&2
	exit 1
}

# bench_expect WHAT TEST-ARGUMENTS...: end the bench, saying WHAT was wrong, unless
# `test TEST-ARGUMENTS` holds.
bench_expect() {
	local what=$1
	shift
	test "$@" || bench_fail "$what ($*)"
}

# lines FILE: its number of lines.
lines() {
	wc -l <"$1" | tr -d ' '
}

# ratio A B [FORMAT]: A / B, printed with FORMAT (default %.2f).
ratio() {
	awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b <= 0) exit 1; printf f "\n", a / b }'
}
