#!/usr/bin/env bash
# The layers of lib/ (lib/README.md): a module includes headers of its own layer or of
# a lower one, never of a higher one or of a sibling; tools/ include any of them.
. "$(dirname "$0")/lib.sh"
set -o pipefail
LAYERS="core text model population dialog measure tool program"

# rank LAYER: core 0, text 1, model 2, population/dialog/measure 3 (siblings), tool 4,
# program 5 (the work of each program, on the tool skeleton)
rank() {
	case $1 in
	core) echo 0 ;; text) echo 1 ;; model) echo 2 ;;
	population|dialog|measure) echo 3 ;; tool) echo 4 ;; program) echo 5 ;;
	*) echo 99 ;;
	esac
}

# layer_of HEADER: the layer folder that holds HEADER, or nothing
layer_of() {
	local dir
	for dir in "$SRC"/lib/*/; do
		[ -f "$dir$1" ] && { basename "$dir"; return; }
	done
}

# check_layers: one line per include that goes up or sideways; none is success
check_layers() {
	local file layer header target bad=0
	for file in "$SRC"/lib/*/*.[ch]; do
		layer=$(basename "$(dirname "$file")")
		for header in $(sed -n 's/^#include "\([a-z_]*\.h\)".*/\1/p' "$file"); do
			target=$(layer_of "$header")
			[ -n "$target" ] || { echo "$file: includes unknown '$header'"; bad=1; continue; }
			[ "$target" = "$layer" ] && continue
			if [ "$(rank "$target")" -ge "$(rank "$layer")" ]; then
				echo "$file ($layer) includes $header ($target)"
				bad=1
			fi
		done
	done
	return "$bad"
}

test_expect_success 'every folder of lib/ is a known layer and has a header for each source' '
	for dir in "$SRC"/lib/*/; do
		test "$(rank "$(basename "$dir")")" != 99 || return 1
	done &&
	for source in "$SRC"/lib/*/*.c; do
		test -f "${source%.c}.h" || return 1
	done
'

test_expect_success 'no module of lib/ includes a higher layer or a sibling' '
	check_layers
'

test_expect_success 'the check catches an include that goes up' '
	mkdir -p fake/lib/core fake/lib/tool &&
	echo "#include \"stream.h\"" >fake/lib/core/low.c && : >fake/lib/core/low.h &&
	: >fake/lib/tool/stream.h &&
	test_must_fail env SRC="$TRASH/fake" bash -c "$(declare -f rank layer_of check_layers); check_layers" >out &&
	grep -q "low.c (core) includes stream.h (tool)" out
'

test_done
