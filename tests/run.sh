#!/usr/bin/env bash
# tests/run.sh BUILD [BUILD...] — run the whole suite once per build folder (e.g. the
# normal build and the AddressSanitizer+UBSan build) and end with one line:
#   N passed, N failed
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {   # run_one LABEL COMMAND...: count its TAP lines, show failures
	local label=$1
	shift
	local status=0
	"$@" >"$log" 2>&1 || status=$?
	local ok bad
	ok=$(grep '^ok ' "$log" | grep -vc '# SKIP')
	bad=$(grep -c '^not ok ' "$log")
	skip=$(grep '^ok ' "$log" | grep -c '# SKIP')
	skipped=$((skipped + skip))
	if [ -n "${VALGRIND_LOGS:-}" ]; then
		# valgrind's reports: one file per process, empty when it found nothing.
		local report
		for report in "$VALGRIND_LOGS"/*; do
			[ -s "$report" ] || continue
			bad=$((bad + 1))
			{ echo "not ok - valgrind: $(basename "$report")"; head -n 40 "$report"; } >>"$log"
		done
		rm -f "$VALGRIND_LOGS"/*
	fi
	if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1   # died before reporting: count it, never hide it
		echo "not ok - $label exited with status $status" >>"$log"
	fi
	if [ "$((ok + bad + skip))" -eq 0 ]; then
		bad=1   # a script whose tests vanished passes nothing
		echo "not ok - $label ran no tests" >>"$log"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		echo "FAIL $label"
		grep -v '^ok ' "$log" | head -n 60
	else
		printf '  ok %-50s %3d%s\n' "$label" "$ok" "$([ "$skip" -gt 0 ] && echo " ($skip skipped: $(grep -m1 '# SKIP' "$log" | sed 's/.*# SKIP //'))")"
	fi
}

for build in "$@"; do
	echo "== $build =="
	case "$build" in
	*asan*)
		export ASAN_OPTIONS="detect_leaks=1:exitcode=99:abort_on_error=0:suppressions=$PWD/tests/asan.supp"
		export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
		export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=99"
		;;
	*valgrind*)
		unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
		export VALGRIND_LOGS="$PWD/$build/logs"
		;;
	*)
		unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS VALGRIND_LOGS
		;;
	esac
	for unit in "$build"/unit/test-*; do
		[ -x "$unit" ] || continue
		run_one "$build/unit/$(basename "$unit")" "$unit"
	done
	for script in tests/t[0-9]*.sh; do
		run_one "$build: $(basename "$script")" env BIN="$PWD/$build/bin" BUILD="$PWD/$build" bash "$script"
	done
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
