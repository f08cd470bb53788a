# tunefold — build, test, demo, install.
# Dependencies are found with pkg-config; `scripts/install-deps` installs them.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config

VERSION := 0.2.0

PKGS      := gsl nlopt sqlite3 libcjson
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
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral
OPT     ?= -O2 -g
CFLAGS  ?=
CPPFLAGS += -Iinclude -I. -D_POSIX_C_SOURCE=200809L -DTUNE_VERSION=\"$(VERSION)\"
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
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
BIN := bin/tunefold

.PHONY: all test test-run demo demo-run asan asan-run install uninstall clean bench fuzz valgrind
all: $(LIB) $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p lib
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_fuzz_corpus: $(wildcard tests/fuzz/fuzz_*.c)

# Test binaries track the headers they include (-MMD), like the objects.
$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS) $(TEST_LIBS)

# `test` and `demo` first install missing packages (scripts/install-deps),
# then build in a fresh make, whose pkg-config queries see what was installed.
test:
	@scripts/install-deps --check
	@$(MAKE) --no-print-directory test-run

# Each test binary runs from the project root (tests use data/ and bin/).
test-run: all $(TEST_BIN)
	@scripts/run-tests $(TEST_BIN)

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

asan-run: $(LIB) $(BIN) $(TEST_BIN)
	@TUNEFOLD_BIN=$(BIN) scripts/run-tests $(TEST_BIN)

bench: all
	bench/run.sh

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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/tunefold
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tunefold
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libtunefold.a
	install -m 644 include/tunefold/*.h $(DESTDIR)$(PREFIX)/include/tunefold/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tunefold $(DESTDIR)$(PREFIX)/lib/libtunefold.a
	rm -rf $(DESTDIR)$(PREFIX)/include/tunefold

clean:
	rm -rf build build-asan build-fuzz lib bin demo.db

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:=.d)
