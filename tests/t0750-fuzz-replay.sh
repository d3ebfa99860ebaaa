#!/usr/bin/env bash
# The saved fuzz inputs, replayed without clang or libFuzzer: each fuzz target's entry
# point linked with tests/fuzz/replay.c (built with the programs, in this build's
# fuzz/ folder) runs every regression kept in tests/fuzz/regressions/NAME/ and every
# seed of tests/fuzz/corpus/NAME/. In the ASan+UBSan build a leak or an error report
# fails the run, so a fixed crash or leak that comes back fails `make check`.
. "$(dirname "$0")/lib.sh"

for dir in "$SRC"/tests/fuzz/corpus/*/; do
	target=$(basename "$dir")
	test_expect_success "fuzz-$target: every saved regression and seed replays clean" '
		ls "$SRC/tests/fuzz/regressions/$target" "$SRC/tests/fuzz/corpus/$target" >/dev/null &&
		find "$SRC/tests/fuzz/regressions/$target" "$SRC/tests/fuzz/corpus/$target" -type f ! -name .gitkeep | sort >inputs &&
		test_line_count -gt 0 inputs &&
		"$BUILD/fuzz/replay-$target" $(cat inputs) >out 2>err &&
		echo "replay: $(wc -l <inputs | tr -d " ") inputs" >want &&
		test_cmp want out &&
		test ! -s err
	'
done

test_expect_success 'the regression kept for fuzz-response is among the inputs replayed' '
	test -f "$SRC/tests/fuzz/regressions/response/unseparated-member-parsed-by-libjq.json"
'

test_done
