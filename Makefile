# SPDX-License-Identifier: GPL-3.0-or-later
# tunefold — build, test, demo, install.
# Dependencies are found with pkg-config; `scripts/install-deps` installs them.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config

VERSION := 0.2.0
# The shared library's ABI version: raise it when a public struct or
# function changes incompatibly (appending to a vtable is compatible).
SOVERSION := 0

PKGS      := gsl nlopt sqlite3 libcjson libpq zlib
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# GSL's BLAS calls are served by OpenBLAS instead of the reference -lgslcblas.
# Debian's single-threaded build (libopenblas-serial-dev): the matrices here
# are one fold or one GP, too small for BLAS threads, whose idle spinning
# measured 1.6 CPUs busy for 1 CPU of work; parallelism belongs to workers.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
BLAS_DIR  ?= /usr/lib/$(MULTIARCH)/openblas-serial
BLAS_LIBS ?= -L$(BLAS_DIR) -Wl,-rpath,$(BLAS_DIR) -lopenblas
PKG_LIBS  := $(filter-out -lgslcblas,$(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)) \
             $(BLAS_LIBS)
# The trainers that wrap the field's libraries (trainers/svm.c, liblinear.c,
# xgboost.c): XGBoost ships a .pc file; Debian's LIBSVM and LIBLINEAR do not.
LIBTRAINER_LIBS := -lsvm -llinear \
             $(or $(shell $(PKG_CONFIG) --libs xgboost 2>/dev/null),-lxgboost)
PKG_LIBS  += $(LIBTRAINER_LIBS)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral
OPT     ?= -O2 -g
CFLAGS  ?=
CPPFLAGS += -Iinclude -I. -D_POSIX_C_SOURCE=200809L -DTUNE_VERSION=\"$(VERSION)\"
# -fPIC: the same objects make the static and the shared library.
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) -fPIC $(PKG_CFLAGS) $(CFLAGS)
LDLIBS  = $(PKG_LIBS) -lm -lpthread

BUILD   ?= build
# The library is every folder but cli/ (the command) and tests/; its whole
# contract is include/tunefold/.  Internal headers sit beside their code and
# are included by path from the project root ("searchers/gp.h").
LIB_SRC := $(wildcard src/*.c stores/*.c searchers/*.c pruners/*.c trainers/*.c metrics/*.c \
                     reports/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

LIB := lib/libtunefold.a
SO_NAME := libtunefold.so.$(SOVERSION)
SO := lib/libtunefold.so.$(VERSION)
BIN := bin/tunefold

.PHONY: all test test-run test-pg demo demo-run asan asan-run install uninstall clean bench fuzz \
        valgrind print-libs
all: $(LIB) $(SO) $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p lib
	rm -f $@
	ar rcs $@ $^

# The shared library, with its soname; lib/libtunefold.so links to it so that
# a program built in the tree can use -Llib -ltunefold.
# Only what the public headers declare is exported (scripts/export-map).
$(BUILD)/tunefold.map: $(wildcard include/tunefold/*.h) scripts/export-map
	@mkdir -p $(BUILD)
	scripts/export-map $@

$(SO): $(LIB_OBJ) $(BUILD)/tunefold.map
	@mkdir -p lib
	$(CC) -shared -Wl,-soname,$(SO_NAME) -Wl,--version-script,$(BUILD)/tunefold.map \
	  $(LDFLAGS) -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf $(notdir $@) lib/$(SO_NAME)
	ln -sf $(SO_NAME) lib/libtunefold.so

$(BIN): $(CLI_OBJ) $(LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_fuzz_corpus: $(wildcard tests/fuzz/fuzz_*.c)

# The programs the tests run as external trainers and process-runner
# subjects, and the example trainer: plain C, no sanitizers, built once here
# rather than by each test at run time.
TEST_PROG_SRC := $(wildcard tests/programs/*.c) examples/trainers/knn.c
TEST_PROGS := $(patsubst %.c,$(BUILD)/test-programs/%,$(notdir $(TEST_PROG_SRC)))
$(BUILD)/test-programs/%: tests/programs/%.c $(wildcard tests/programs/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -Itests/programs -o $@ $< -lm
$(BUILD)/test-programs/knn: examples/trainers/knn.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -o $@ $< -lm

# Allocation-failure injection (tests/test_alloc_faults.c runs it): a study
# with the library's malloc, calloc, realloc and strdup calls wrapped.
$(BUILD)/alloc_study: tests/alloc_study.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup

# Test binaries track the headers they include (-MMD), like the objects.
$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -DTU_PROGRAMS='"$(BUILD)/test-programs"' \
	  -DTU_ALLOC_STUDY='"$(BUILD)/alloc_study"' -DTU_LDLIBS='"$(LDLIBS)"' $(ALL_CFLAGS) \
	  $(TEST_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS) $(TEST_LIBS)

# `test` and `demo` first install missing packages (scripts/install-deps),
# then build in a fresh make, whose pkg-config queries see what was installed.
test:
	@scripts/install-deps --check
	@$(MAKE) --no-print-directory test-run

# Each test binary runs from the project root (tests use data/ and bin/).
test-run: all $(TEST_PROGS) $(BUILD)/alloc_study $(TEST_BIN)
	@scripts/run-tests $(TEST_BIN)

# The suite with its PostgreSQL tests: a throwaway server (Debian's
# `postgresql` package; scripts/pg-test-server) started for the run and
# stopped after it, whatever the outcome.  Without TUNEFOLD_TEST_PG_URL the
# PostgreSQL tests are skipped (and say so); `make test` runs everything else.
test-pg:
	@scripts/install-deps --check
	@$(MAKE) --no-print-directory all $(TEST_BIN)
	@url=$$(scripts/pg-test-server start) || exit 1; \
	  TUNEFOLD_TEST_PG_URL=$$url scripts/run-tests $(TEST_BIN); rc=$$?; \
	  scripts/pg-test-server stop; exit $$rc

demo:
	@scripts/install-deps --check
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@rm -f demo.db demo.db-wal demo.db-shm
	$(BIN) run examples/breast_cancer_logistic.json --db demo.db
	$(BIN) best --db demo.db --study breast-cancer-logreg

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its
# own build folder so it never mixes with the optimised objects.
asan:
	@scripts/install-deps --check
	$(MAKE) BUILD=build-asan LIB=build-asan/libtunefold.a BIN=build-asan/tunefold \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" TUNEFOLD_BIN=build-asan/tunefold asan-run

asan-run: $(LIB) $(BIN) $(TEST_PROGS) $(BUILD)/alloc_study $(TEST_BIN)
	@TUNEFOLD_BIN=$(BIN) scripts/run-tests $(TEST_BIN)

bench: all
	bench/run.sh

# The link flags a program using lib/libtunefold.a needs (bench drivers ask).
print-libs:
	@echo $(LDLIBS)

# The end-to-end run under valgrind memcheck: no leak, no error.
valgrind: all
	@command -v valgrind >/dev/null || { echo "valgrind: apt-get install -y valgrind" >&2; exit 1; }
	@rm -f build/valgrind.db*
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	  $(BIN) run examples/breast_cancer_logistic.json --db build/valgrind.db --trials 4 --quiet
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	  $(BIN) run examples/breast_cancer_logistic.json --db build/valgrind.db --trials 8 \
	  --workers 2 --quiet
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	  $(BIN) trials --db build/valgrind.db --format json > /dev/null

# Coverage-guided fuzzing of every parser with libFuzzer (clang), each target
# for FUZZ_SECONDS; new inputs go to build-fuzz/corpus, crashes to build-fuzz/.
# Copy a crashing input into tests/fuzz/corpus/<target>/ once fixed: the test
# suite replays that folder (tests/test_fuzz_corpus.c).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz:
	@scripts/install-deps --check --fuzz
	$(MAKE) CC=clang BUILD=build-fuzz LIB=build-fuzz/libtunefold.a \
	  OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
	  build-fuzz/libtunefold.a
	@for t in $(FUZZ_TARGETS); do \
	  clang -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -I. $(PKG_CFLAGS) \
	    -D_POSIX_C_SOURCE=200809L tests/fuzz/fuzz_$$t.c build-fuzz/libtunefold.a \
	    $(LDLIBS) -o build-fuzz/fuzz_$$t || exit 1; \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix=build-fuzz/$$t- \
	    build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# `make install PREFIX=/usr/local DESTDIR=`: the command, both libraries, the
# public headers, pkg-config's tunefold.pc, the man pages and bash completion.
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(INCLUDEDIR)/tunefold $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tunefold
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libtunefold.a
	install -m 755 $(SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SO)) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/libtunefold.so
	install -m 644 include/tunefold/*.h $(DESTDIR)$(INCLUDEDIR)/tunefold/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|; s|@BLAS_DIR@|$(BLAS_DIR)|' \
	  scripts/tunefold.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/tunefold.pc
	install -m 644 man/tunefold.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/tunefold-study.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 scripts/tunefold.bash-completion $(DESTDIR)$(COMPLETIONDIR)/tunefold

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tunefold $(DESTDIR)$(LIBDIR)/libtunefold.a \
	  $(DESTDIR)$(LIBDIR)/libtunefold.so* $(DESTDIR)$(LIBDIR)/pkgconfig/tunefold.pc \
	  $(DESTDIR)$(MANDIR)/man1/tunefold.1 $(DESTDIR)$(MANDIR)/man5/tunefold-study.5 \
	  $(DESTDIR)$(COMPLETIONDIR)/tunefold
	rm -rf $(DESTDIR)$(INCLUDEDIR)/tunefold

clean:
	rm -rf build build-asan build-fuzz lib bin demo.db

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
