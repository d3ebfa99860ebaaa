#!/bin/sh
# tests/fuzz/replay.sh [BUILD] — replay every saved input in tests/fuzz/regressions/NAME/
# without fuzzing: through build-fuzz/fuzz-NAME (libFuzzer, clang; build the fuzzers
# first with `make fuzz` or `make build-fuzz/fuzz-jsonl ...`), or, given a build folder
# such as build or build-asan, through BUILD/fuzz/replay-NAME (the same target linked
# with tests/fuzz/replay.c by `make`, no clang needed; `make check` runs these, with
# the seeds too, as tests/t0750-fuzz-replay.sh).
# Exit 0 when every input runs clean, 1 when one crashes again.
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS=fast_unwind_on_malloc=0
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
build=${1:-}
log=${TMPDIR:-/tmp}/replay.$$.log
trap 'rm -f "$log"' EXIT
failed=0
total=0
for dir in tests/fuzz/regressions/*/; do
	name=$(basename "$dir")
	for input in "$dir"*; do
		[ -f "$input" ] || continue
		if [ -n "$build" ]; then
			bin=$build/fuzz/replay-$name
		else
			bin=build-fuzz/fuzz-$name
		fi
		if [ ! -x "$bin" ]; then
			echo "replay: '$bin' is not built (run $([ -n "$build" ] && echo make || echo make fuzz) first)" >&2
			exit 1
		fi
		total=$((total + 1))
		if ! "$bin" "$input" >"$log" 2>&1; then
			echo "FAIL fuzz-$name $input" >&2
			grep -m 1 '^SUMMARY' "$log" >&2
			failed=$((failed + 1))
		fi
	done
done
echo "replay: $total inputs, $failed failed"
[ "$failed" = 0 ]
