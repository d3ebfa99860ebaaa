#!/bin/sh
# Replay every saved crash in tests/fuzz/regressions/NAME/ through build-fuzz/fuzz-NAME,
# without fuzzing. Build the fuzzers first, with `make fuzz` or
#   make build-fuzz/fuzz-jsonl build-fuzz/fuzz-schema ...
# Exit 0 when every input runs clean, 1 when one crashes again.
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS=fast_unwind_on_malloc=0
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
failed=0
total=0
for dir in tests/fuzz/regressions/*/; do
	name=$(basename "$dir")
	for input in "$dir"*; do
		[ -f "$input" ] || continue
		bin=build-fuzz/fuzz-$name
		if [ ! -x "$bin" ]; then
			echo "replay: '$bin' is not built (run make fuzz first)" >&2
			exit 1
		fi
		total=$((total + 1))
		if ! "$bin" "$input" >build-fuzz/replay.log 2>&1; then
			echo "FAIL fuzz-$name $input" >&2
			grep -m 1 '^SUMMARY' build-fuzz/replay.log >&2
			failed=$((failed + 1))
		fi
	done
done
echo "replay: $total inputs, $failed failed"
[ "$failed" = 0 ]
