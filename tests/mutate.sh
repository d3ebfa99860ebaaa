#!/usr/bin/env bash
# tests/mutate.sh [VARIANT...] — check the checks: build deliberately broken variants of
# the project and make sure the suite fails on each (`make mutate`; not part of
# `make check`).
#
# Each variant is a small edit of one file (a tool that drops its last record, an
# importer that swaps speakers, a metric off by one n-gram, a cache that ignores hits,
# ...) applied to a copy of the tree in a temporary folder, built there (plain build;
# the ASan build for the one variant only a sanitizer can see), and run against the
# test scripts, unit tests or benchmarks declared for it. A variant is caught when one
# of them fails; ESCAPED means the suite passed on broken code. Before any variant, the
# unmutated copy must pass every check used below, so a failure means the variant.
# Prints one line per variant and a summary; exits 1 when a variant escaped or could
# not be built or applied (an edit whose text is no longer in the source says so). A
# variant whose checks pass only because a test is skipped on this machine (t0730's
# core dump test needs a plain core_pattern) is reported as not judged, not as caught.
# Takes a few minutes; with VARIANT names, runs only those.
set -u
cd "$(dirname "$0")/.." || exit 2
SRC=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/persona-mutate.XXXXXX")
trap 'rm -rf "$work"' EXIT
JOBS=${JOBS:-2}

# ---------- the variants: NAME | CHECKS | WHAT ----------
# CHECKS: tNNNN (a test script, plain build), asan:tNNNN (the same under ASan+UBSan),
# unit:NAME (build/unit/NAME), bench:NAME (tests/bench/run.sh NAME must fail).
VARIANTS='
sample-drops-last    | t0100             | persona-sample drops the last record of a -n run
import-swaps-speakers| t0530             | dialog-import --from spasm swaps client and responder
ngram-off-by-one     | t0550             | distinct-n misses the last n-gram of every text
cache-ignores-hits   | t0200 t0500 t0540 | the response cache never finds an entry
retry-gives-up       | t0200             | a retryable failure is never retried
quota-released-early | t0100 unit:test-quota | the quota schedule releases each stratum one record early
quota-count-off-by-one| t0100            | persona-sample --stats counts one record too many per stratum
bench-crash          | bench:sample      | persona-sample exits 1 at once: its benchmark must be MISSED
bench-omits-claim    | bench:craft       | bench-craft prints one of its two declared claims
height-999.5         | t0100             | persona-sample writes a height of 999.5 in its fourth record
first-vector-norm-2  | t0540             | embed writes its first vector with norm 2
jq-fails-into-wc     | t0100             | persona-sample writes one record jq cannot subtract in
ties-count-as-hits   | unit:test-corpus t0560 | adherence ranks the true persona first among equal scores
expected-off-by-one  | t0100             | --stats expected counts take one record more per case
drift-abs-cosine     | t0550             | probe drift is 1 - |cosine| instead of 1 - cosine
dialog-run-silent    | t0600             | dialog-run writes nothing and succeeds
line-limit-doubled   | t0700             | every record tool doubles --max-line-bytes
fields-named-twice   | t0700             | a record without "fields" is reported twice
key-holder-segv      | t0730             | a process holding the key survives SIGSEGV
fuzz-leak-returns    | asan:t0750        | the strict JSON check is skipped: libjq 1.6 leaks again
'

# edit FILE OLD NEW: replace the first OLD (a literal text) in FILE with NEW.
edit() {
	local file=$1 old=$2 new=$3 text
	text=$(cat "$file" && printf x) || return 1
	text=${text%x}
	if [[ $text != *"$old"* ]]; then
		echo "the text to change is not in $file: $old" >&2
		return 1
	fi
	printf '%s' "${text/"$old"/"$new"}" >"$file"
}

# mutate_NAME: make the variant, in the current folder (a copy of the tree).
mutate_sample-drops-last() {
	edit lib/program/persona_sample.c '		jsonl_write_line(out, line.data, line.len);' \
'		if (o->count < 0 || written + 1 < (uint64_t)o->count)
			jsonl_write_line(out, line.data, line.len);'
}
mutate_import-swaps-speakers() {
	edit lib/measure/import_spasm.c 'if (strcmp(s, "client") == 0)
				who = "client";
			else if (strcmp(s, "tested") == 0 || strcmp(s, "responder") == 0)
				who = "responder";' 'if (strcmp(s, "client") == 0)
				who = "responder";
			else if (strcmp(s, "tested") == 0 || strcmp(s, "responder") == 0)
				who = "client";'
}
mutate_ngram-off-by-one() {
	edit lib/measure/diversity.c 'for (size_t j = 0; j < count; j++)' 'for (size_t j = 0; j + 1 < count; j++)'
}
mutate_cache-ignores-hits() {
	edit lib/model/cache.c '	entry_path(c, key, path, sizeof path);
	FILE *f = fopen(path, "rb");' '	entry_path(c, key, path, sizeof path);
	return 0;
	FILE *f = fopen(path, "rb");'
}
mutate_retry-gives-up() {
	edit lib/model/llm.c 'if (retryable && k->result.attempts <= c->retries) {' 'if (retryable && k->result.attempts < 1) {'
}
mutate_quota-released-early() {
	edit lib/population/quota.c 'return (uint64_t)(((u128)(j - 1) * q->total) / q->weights[s]) + 1;' \
		'return (uint64_t)(((u128)(j - 1) * q->total) / q->weights[s]);'
}
mutate_quota-count-off-by-one() {
	edit lib/program/persona_sample.c 'allocated[k] = quota_counts(quota)[k] - before[k];' \
		'allocated[k] = quota_counts(quota)[k] - before[k] + 1;'
}
mutate_bench-crash() {
	edit lib/program/persona_sample.c '	struct jsonl_writer *out = jsonl_writer_open(t->common.output);' \
'	return 1;
	struct jsonl_writer *out = jsonl_writer_open(t->common.output);'
}
mutate_bench-omits-claim() {
	edit tests/bench/bench-craft.sh 'claim persona-craft-max-in-flight' ': persona-craft-max-in-flight'
}
mutate_height-999.5() {
	edit lib/program/persona_sample.c '		sampler_write_record(sm, &line);' '		sampler_write_record(sm, &line);
		char *mutant = i == 3 ? strstr(line.data, "\"height\":") : NULL;
		if (mutant && strlen(mutant) > 14)
			memcpy(mutant + 9, "999.5", 5);'
}
mutate_first-vector-norm-2() {
	edit lib/measure/embedding.c '	norm = sqrt(norm);
' '	norm = sqrt(norm);
	static int mutant_calls;
	double mutant_scale = mutant_calls++ == 0 ? 2 : 1;
' &&
	edit lib/measure/embedding.c '(float)(sums[i] / norm)' '(float)(mutant_scale * sums[i] / norm)'
}
mutate_jq-fails-into-wc() {
	edit lib/program/persona_sample.c '		sampler_write_record(sm, &line);' '		sampler_write_record(sm, &line);
		char *mutant = i == 1500 ? strstr(line.data, "\"fields\":") : NULL;
		if (mutant && strstr(line.data, "\"grade\":"))
			memcpy(mutant + 1, "fieldz", 6);'
}
mutate_ties-count-as-hits() {
	edit lib/measure/corpus.c 'dot(si->vec, c->persona_vecs[p], c->dim) >= truth)' 'dot(si->vec, c->persona_vecs[p], c->dim) > truth)'
}
mutate_expected-off-by-one() {
	edit lib/population/popstats.c 'e += fs->by_dist.items[d].count * dist->choice.weights[k]' \
		'e += (fs->by_dist.items[d].count + 1) * dist->choice.weights[k]'
}
mutate_drift-abs-cosine() {
	edit lib/measure/drift.c '*sum += 1 - drift_cosine(a, b, dim);' '*sum += 1 - fabs(drift_cosine(a, b, dim));'
}
mutate_dialog-run-silent() {
	edit lib/program/dialog_run.c 'int dialog_run(struct tool *t, struct run_options *o)
{' 'int dialog_run(struct tool *t, struct run_options *o)
{
	(void)t;
	(void)o;
	return 0;'
}
mutate_line-limit-doubled() {
	edit lib/tool/tool.c 'jsonl_reader_open(t->inputs, t->ninputs, t->common.max_line_bytes, t->rejects)' \
		'jsonl_reader_open(t->inputs, t->ninputs, 2 * t->common.max_line_bytes, t->rejects)'
}
mutate_fields-named-twice() {
	edit lib/tool/stream.c '	stream_reject(st, seq, in, record, reason);
	return 0;' '	stream_reject(st, seq, in, record, reason);
	if (key[0] == '"'"'f'"'"')
		errorf("%s: %s", jsonl_where(in), reason);
	return 0;'
}
mutate_key-holder-segv() {
	edit lib/model/llm.c '	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);' '	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	signal(SIGSEGV, SIG_IGN);' &&
	edit lib/model/llm.c '#include <math.h>' '#include <math.h>
#include <signal.h>'
}
mutate_fuzz-leak-returns() {
	edit lib/core/jsontext.c 'if (json_check(text, len, err, sizeof err) < 0)' 'if (0 && json_check(text, len, err, sizeof err) < 0)'
}

# ---------- running the checks ----------

# check DIR CHECK: run one check against the tree in DIR; its output goes to
# $work/check.log. Succeeds when the check passes.
check() {
	local dir=$1 what=$2 build=build
	case $what in
	asan:*)
		what=${what#asan:}
		build=build-asan
		;;
	esac
	(
		cd "$dir" || exit 2
		case $build in
		build-asan)
			export ASAN_OPTIONS="detect_leaks=1:exitcode=99:abort_on_error=0:suppressions=$dir/tests/asan.supp"
			export LSAN_OPTIONS="suppressions=$dir/tests/lsan.supp:print_suppressions=0"
			export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=99"
			;;
		*)
			unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
			;;
		esac
		case $what in
		bench:*)
			tests/bench/run.sh "${what#bench:}"
			;;
		unit:*)
			"$build/unit/${what#unit:}"
			;;
		t[0-9]*)
			BIN="$dir/$build/bin" BUILD="$dir/$build" bash tests/$what-*.sh
			;;
		*)
			echo "mutate: unknown check '$what'"
			exit 2
			;;
		esac
	) >"$work/check.log" 2>&1
}

# failed_what: the first failures in check.log, for the report.
failed_what() {
	grep -m 2 -E '^not ok |MISSED|FAIL' "$work/check.log" | sed 's/^/      /'
}

# build DIR CHECKS: build what the checks need in DIR.
build() {
	local dir=$1 targets=all
	case " $2 " in
	*" asan:"*)
		targets="all asan"
		;;
	esac
	make -C "$dir" -s -j"$JOBS" $targets >"$work/build.log" 2>&1
}

# ---------- the run ----------

variant_lines() {
	echo "$VARIANTS" | grep '|'
}
if [ $# -gt 0 ]; then
	wanted=" $* "
	for name in "$@"; do
		variant_lines | grep -q "^$name *|" || { echo "mutate: no variant '$name'" >&2; exit 2; }
	done
else
	wanted=""
fi

echo "copying the tree and building it in $work/base"
mkdir -p "$work/base"
tar -C "$SRC" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$work/base" -xf - || exit 2
if [ -d "$SRC/build" ]; then
	cp -a "$SRC/build" "$work/base/" || exit 2   # built objects keep their times: only edits rebuild
fi
all_checks=$(variant_lines | while IFS='|' read -r name checks _; do
	name=${name// /}
	[ -z "$wanted" ] || [[ $wanted == *" $name "* ]] || continue
	echo "$checks"
done | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
if ! build "$work/base" "$all_checks"; then
	echo "mutate: the unmutated tree does not build:"
	tail -n 20 "$work/build.log"
	exit 1
fi
echo "the unmutated tree against every check used: $all_checks"
for c in $all_checks; do
	case $c in
	bench:*)
		continue   # a benchmark measures; the variants only need it to fail
		;;
	esac
	if ! check "$work/base" "$c"; then
		echo "mutate: the unmutated tree fails $c, so no variant can be judged:"
		grep -v '^ok ' "$work/check.log" | head -n 20
		exit 1
	fi
done

caught=0
skipped=0
escaped=0
broken=0
total=0
while IFS='|' read -r name checks what; do
	name=${name// /}
	what=${what# }
	[ -z "$wanted" ] || [[ $wanted == *" $name "* ]] || continue
	total=$((total + 1))
	dir=$work/$name
	rm -rf "$dir"
	cp -a "$work/base" "$dir"
	if ! (cd "$dir" && "mutate_$name") 2>"$work/edit.log"; then
		broken=$((broken + 1))
		echo "NOT APPLIED  $name: $(cat "$work/edit.log")"
		rm -rf "$dir"
		continue
	fi
	if ! build "$dir" "$checks"; then
		broken=$((broken + 1))
		echo "NOT BUILT    $name ($what):"
		grep -m 3 -E 'error|Error' "$work/build.log" | sed 's/^/      /'
		rm -rf "$dir"
		continue
	fi
	by=""
	skips=""
	for c in $checks; do
		if ! check "$dir" "$c"; then
			by=$c
			break
		fi
		skips="$skips$(grep -m 1 -o '# SKIP.*' "$work/check.log")"
	done
	if [ -n "$by" ]; then
		caught=$((caught + 1))
		echo "caught       $name ($what) by $by"
		failed_what
	elif [ -n "$skips" ]; then
		skipped=$((skipped + 1))
		echo "NOT JUDGED   $name ($what): a check that would see it is skipped here (${skips#\# SKIP })"
	else
		escaped=$((escaped + 1))
		echo "ESCAPED      $name ($what): $checks all passed"
	fi
	rm -rf "$dir"
done < <(variant_lines)

echo "$total variants: $caught caught, $escaped escaped, $broken not applied or not built, $skipped not judged here"
[ "$escaped" -eq 0 ] && [ "$broken" -eq 0 ] && [ "$caught" -gt 0 ]
