#!/usr/bin/env bash
# The C code follows .clang-format (clang-format 14): `make format` rewrites it, and
# this test fails on any file that differs, naming it.
. "$(dirname "$0")/lib.sh"
set -o pipefail

if ! command -v clang-format >/dev/null 2>&1; then
	test_skip 'lib/, tools/ and tests/ C files follow .clang-format' 'clang-format is not installed (make deps)'
	test_done
fi

# c_files: every C source and header of the project, one per line
c_files() {
	(cd "$SRC" && git ls-files 'lib/*.[ch]' 'tools/*.c' 'tests/*.[ch]' 2>/dev/null ||
		find lib tools tests -name '*.[ch]')
}

test_expect_success 'lib/, tools/ and tests/ C files follow .clang-format' '
	c_files >files &&
	test -s files &&
	while read -r file; do
		(cd "$SRC" && clang-format --dry-run -Werror "$file") 2>/dev/null || echo "$file" >>differ || return 1
	done <files &&
	{ ! test -s differ || { echo "not formatted (make format):"; cat differ; false; }; }
'

test_expect_success 'the check sees a file that does not follow the style' '
	printf "int  main( void ){return 0;}\\n" >bad.c &&
	cp "$SRC/.clang-format" . &&
	test_must_fail clang-format --dry-run -Werror bad.c 2>/dev/null
'

test_done
