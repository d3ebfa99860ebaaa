# Persona simulation toolkit — build, test, demo, bench, install.
# The two commands a new user needs: `make demo` and `make check`.

CC      ?= gcc
OPT     ?= -O2 -g
SAN     :=
# lib/ is layered (lib/README.md): one folder per layer, every folder on the include path.
LIB_DIRS = $(sort $(dir $(wildcard lib/*/*.c)))
LIB_INCLUDES = $(patsubst %/,-I%,$(LIB_DIRS))
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(OPT) $(SAN) $(LIB_INCLUDES)
# Header dependencies, one file per target under $(BUILD)/deps (never beside the programs).
DEPFLAGS = -MMD -MP -MF $(BUILD)/deps/$(notdir $(@D))-$(notdir $@).d
LDLIBS  = -ljq -lcurl -lz -lm
BUILD   ?= build
PREFIX  ?= /usr/local

PROGRAMS = persona-sample persona-validate persona-craft persona-group dialog-run dialog-stop dialog-redact dialog-export dialog-import embed score extract model-check
LIB_SRC  = $(wildcard lib/*/*.c)
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
BINS     = $(PROGRAMS:%=$(BUILD)/bin/%)
UNIT_SRC = $(wildcard tests/unit/test-*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# Each fuzz target linked with a plain driver (no clang, no libFuzzer) that replays saved
# inputs: tests/t0750-fuzz-replay.sh runs them in `make check`. (fuzz.h's helpers are
# static; a target need not use all of them.)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
REPLAYS  = $(FUZZ_SRC:tests/fuzz/fuzz-%.c=$(BUILD)/fuzz/replay-%)

# Debian packages the build and the tests need; `make deps` installs the missing ones.
# nodejs (with npm, Debian's or the one bundled with another nodejs build) runs the real
# chat templates in tests/t0210 (@huggingface/jinja, installed by the test into build/npm/).
# shellcheck keeps pipelines/*.sh and tests/bench/*.sh clean (tests/t0020).
DEB_PACKAGES = gcc make libc6-dev libjq-dev libcurl4-openssl-dev zlib1g-dev parallel jq curl man-db strace nodejs shellcheck clang-format
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all deps demo check test bench install clean asan fuzz valgrind mutate format
.SECONDARY:

MOCK     = $(BUILD)/tests/mock-server

all: $(BINS) $(UNITS) $(MOCK) $(REPLAYS)

# Packages are installed before any compiler starts (with make -jN too): every compile
# waits for this stamp, order-only, so the stamp's age never triggers a rebuild.
DEPS_STAMP = $(BUILD)/.deps-checked
$(DEPS_STAMP):
	@mkdir -p $(dir $@) $(BUILD)/deps
	@command -v dpkg-query >/dev/null 2>&1 && $(MAKE) --no-print-directory deps || true
	@touch $@

# The mock OpenAI-compatible server the tests talk to over loopback.
$(MOCK): tests/mock/mock-server.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -o $@ $< -ljq -lm

$(BUILD)/lib/%.o: lib/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/libpersona.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/%: tools/%.c $(BUILD)/libpersona.a | $(BUILD)/bin $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -o $@ $< $(BUILD)/libpersona.a $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libpersona.a | $(BUILD)/unit $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Itests/unit -o $@ $< $(BUILD)/libpersona.a $(LDLIBS)

$(BUILD)/fuzz/replay.o: tests/fuzz/replay.c | $(BUILD)/fuzz $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz-%.c $(BUILD)/fuzz/replay.o $(BUILD)/libpersona.a | $(BUILD)/fuzz $(DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) -Wno-unused-function $(DEPFLAGS) -Itests/fuzz -o $@ $< $(BUILD)/fuzz/replay.o $(BUILD)/libpersona.a $(LDLIBS)

$(BUILD)/bin $(BUILD)/unit $(BUILD)/fuzz:
	mkdir -p $@

# Install missing Debian packages: as root with apt-get, else through sudo, else say which.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	case " $(DEB_PACKAGES) " in *" nodejs "*) command -v npm >/dev/null 2>&1 || missing="$$missing npm";; esac; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "installing Debian packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "missing Debian packages:$$missing (install them with apt-get as root)" >&2; exit 1; fi; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null

# Header dependencies of every object, written by the compiler (-MMD -MP).
-include $(wildcard $(BUILD)/deps/*.d)

# The sanitizer build lives in its own folder so both can exist side by side.
asan: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" SAN="$(ASAN_FLAGS)" \
	  $(PROGRAMS:%=build-asan/bin/%) $(UNIT_SRC:tests/unit/%.c=build-asan/unit/%) \
	  $(FUZZ_SRC:tests/fuzz/fuzz-%.c=build-asan/fuzz/replay-%)

check: all asan
	@tests/run.sh build build-asan

test: all
	@tests/run.sh build

# The whole suite again with every program and unit test run under valgrind memcheck
# (slow: about 25 minutes on two cores, so not part of `make check`). build-valgrind/
# holds wrappers that exec valgrind on the normal build; each process writes its report
# to build-valgrind/logs/, and tests/run.sh counts every non-empty report as a failure.
# Suppressions: tests/valgrind.supp, third-party libraries only, each explained.
VALGRIND_WRAPPED = $(PROGRAMS:%=bin/%) $(UNIT_SRC:tests/unit/%.c=unit/%) $(FUZZ_SRC:tests/fuzz/fuzz-%.c=fuzz/replay-%)
valgrind: all
	@$(MAKE) --no-print-directory deps DEB_PACKAGES=valgrind
	@rm -rf build-valgrind && mkdir -p build-valgrind/bin build-valgrind/unit build-valgrind/fuzz build-valgrind/logs
	@for w in $(VALGRIND_WRAPPED); do \
	  printf '%s\n' '#!/bin/sh' \
	    "exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --suppressions=$(CURDIR)/tests/valgrind.supp --log-file=$(CURDIR)/build-valgrind/logs/$$(basename $$w).%p $(CURDIR)/build/$$w \"\$$@\"" \
	    >build-valgrind/$$w && chmod +x build-valgrind/$$w; \
	done
	@tests/run.sh build-valgrind

# Lay the C code out as .clang-format says (tests/t0016-format.sh checks it).
format:
	git ls-files 'lib/*.[ch]' 'tools/*.c' 'tests/*.[ch]' | xargs clang-format -i

demo: all
	@pipelines/demo.sh

bench: all
	@tests/bench/run.sh

# The suite's own check: deliberately broken variants of the code (tests/mutate.sh), each
# of which some test must fail on. A few minutes; not part of `make check`.
mutate: all
	@tests/mutate.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/persona $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for p in pipelines/*.sh; do n=$$(basename $$p .sh); install -m 755 $$p $(DESTDIR)$(PREFIX)/bin/persona-$${n#persona-}; done
	for d in share/*/; do [ "$$d" = share/man/ ] || cp -R "$$d" $(DESTDIR)$(PREFIX)/share/persona/; done
	install -m 644 share/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

# Fuzzing with libFuzzer: tests/fuzz/fuzz-NAME.c against the library, built with clang
# into build-fuzz/, each run for FUZZ_SECONDS on a copy of tests/fuzz/corpus/NAME (the
# repository's seeds never grow). A crash leaves its input in build-fuzz/crashes/NAME/.
# Needs clang's fuzzer runtime: Debian's libclang-rt-14-dev, installed like `make deps`.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_TARGETS  = jsonl schema rules response import
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined $(LIB_INCLUDES)
FUZZ_LIB_OBJ  = $(LIB_SRC:lib/%.c=build-fuzz/lib/%.o)
FUZZ_BINS     = $(FUZZ_TARGETS:%=build-fuzz/fuzz-%)

fuzz:
	@mkdir -p build-fuzz
	@echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' | \
	  $(FUZZ_CC) -x c -fsanitize=fuzzer - -o build-fuzz/probe 2>/dev/null || \
	  $(MAKE) --no-print-directory deps DEB_PACKAGES=libclang-rt-14-dev
	@$(MAKE) --no-print-directory -s $(FUZZ_BINS)
	@status=0; \
	for t in $(FUZZ_TARGETS); do \
	  rm -rf build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
	  cp -R tests/fuzz/corpus/$$t/. build-fuzz/corpus/$$t/; \
	  log=build-fuzz/fuzz-$$t.log; \
	  if ASAN_OPTIONS=fast_unwind_on_malloc=0 \
	     LSAN_OPTIONS="suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0" \
	     build-fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	       -dict=tests/fuzz/json.dict -artifact_prefix=build-fuzz/crashes/$$t/ \
	       build-fuzz/corpus/$$t >$$log 2>&1; then \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	    echo "fuzz-$$t: $${runs:-?} runs, no crash"; \
	  else \
	    status=1; \
	    crash=$$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' $$log | tail -n 1); \
	    echo "fuzz-$$t: FAILED, reproducer $${crash:-none (see $$log)}" >&2; \
	    grep -m 1 -E '^SUMMARY|ERROR: libFuzzer' $$log >&2 || true; \
	    echo "  replay: build-fuzz/fuzz-$$t $${crash}; full log: $$log" >&2; \
	  fi; \
	done; \
	exit $$status

build-fuzz/lib/%.o: lib/%.c $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/libpersona.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h build-fuzz/libpersona.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Itests/fuzz -o $@ $< build-fuzz/libpersona.a $(LDLIBS)

clean:
	rm -rf build build-asan build-fuzz build-valgrind
