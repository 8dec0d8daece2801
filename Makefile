# aftersales: one C11 program. `make` builds build/aftersales.
#   make unit     cmocka tests under ASan/UBSan        make test   every suite (scripts/test-all)
#   make asan     build-asan/aftersales (ASan/UBSan)   make fuzz   libFuzzer targets, FUZZ_TIME=60 s
#                                                                  each, or FUZZ_RUNS=N executions
BUILD   ?= build
CC      ?= cc
PKGS     = libmicrohttpd jansson sqlite3 libpq libsodium libutf8proc opencc xlsxwriter gmime-3.0 libcurl
TOOL_PKGS = yaml-0.1 jansson
# All of src/, tools/ and tests/unit/ build without -Wconversion warnings; keep it so.
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wconversion -Wsign-conversion
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
# libpq, libcurl, libmicrohttpd, libxlsxwriter and opencc are compiled against but opened on
# first use (src/base/dynlib.h; opencc in src/rules/t2s.c).
LINK_PKGS = $(filter-out libpq libcurl libmicrohttpd xlsxwriter opencc,$(PKGS))
LIBS     = $(shell pkg-config --libs $(LINK_PKGS)) -lpthread -lm

CORE_SRC = $(wildcard src/base/*.c src/rules/*.c src/features/*.c src/features/*/*.c src/features/*/*/*.c)
HEADERS  = $(wildcard src/*.h src/*/*.h src/*/*/*.h src/*/*/*/*.h)
APP_SRC  = src/main.c $(CORE_SRC)
APP_OBJ  = $(APP_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/openapi.o
MIGRATIONS = $(sort $(wildcard sql/sqlite/*.sql sql/postgres/*.sql))

.PHONY: all run deps test unit asan fuzz fuzz-check clean db demo
all: $(BUILD)/aftersales

# ---- before compiling anything: are the compiler and libraries there? ----
# On a machine without them, one line says what to run instead of pages of compiler
# errors. Goals that install or need none of them are not checked.
NOCHECK_GOALS = deps run test clean fuzz
ifneq ($(filter-out $(NOCHECK_GOALS),$(or $(MAKECMDGOALS),all)),)
  CHECK_PKGS = $(sort $(PKGS) $(TOOL_PKGS) $(if $(filter unit $(BUILD)/unit/%,$(MAKECMDGOALS)),cmocka))
  MISSING_CMDS := $(foreach c,$(firstword $(CC)) pkg-config,$(if $(shell command -v $(c)),,$(c)))
  MISSING_PKGS := $(if $(filter pkg-config,$(MISSING_CMDS)),,$(shell \
    for p in $(CHECK_PKGS); do pkg-config --exists $$p || echo $$p; done))
  ifneq ($(strip $(MISSING_CMDS) $(MISSING_PKGS)),)
    $(error missing: $(strip $(MISSING_CMDS) $(if $(MISSING_PKGS),$(MISSING_PKGS) (pkg-config)));\
      run `make deps` (scripts/install-deps) first)
  endif
endif

$(BUILD)/aftersales: $(APP_OBJ)
	$(CC) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/embed: tools/embed.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 $(WARN) -O1 -o $@ $<

$(BUILD)/openapi-json: tools/openapi-json.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g -o $@ $< \
	  $(shell pkg-config --cflags --libs $(TOOL_PKGS)) -lm

$(BUILD)/gen/migrations.c: $(BUILD)/embed $(MIGRATIONS)
	@mkdir -p $(BUILD)/gen
	$(BUILD)/embed $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi.json: docs/openapi.yaml $(BUILD)/openapi-json
	@mkdir -p $(BUILD)/gen
	$(BUILD)/openapi-json $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi.c: $(BUILD)/embed $(BUILD)/gen/openapi.json
	$(BUILD)/embed --var openapi_json $(BUILD)/gen/openapi.json > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

# ---- unit tests: cmocka, built with ASan + UBSan, one binary per file ----
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
SAN_OBJ  = $(CORE_SRC:%.c=$(BUILD)/san/%.o) $(BUILD)/san/gen/migrations.o $(BUILD)/san/gen/openapi.o

$(BUILD)/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -c -o $@ $<

$(BUILD)/san/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -o $@ $< $(SAN_OBJ) $(LIBS) $(shell pkg-config --libs cmocka)

# `make asan`: the server built with ASan + UBSan from the unit tests' objects, for the
# API suite on SQLite in `make test` (scripts/test-all); reports go where ASAN_OPTIONS'
# log_path says.
ASAN_BIN = build-asan/aftersales
asan: $(ASAN_BIN)
$(ASAN_BIN): $(BUILD)/san/src/main.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(LIBS)

unit: $(UNIT_BIN)
	@rc=0; for t in $(UNIT_BIN); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t || rc=1; done; exit $$rc

# ---- fuzzing: libFuzzer targets under tests/fuzz (not part of `make test`) ----
# `make fuzz` builds each target with clang and runs it for FUZZ_TIME seconds over its
# seed corpus (tests/fuzz/corpus/<name>/); new inputs go to $(BUILD)/fuzz/corpus-<name>.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SRC   = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

FUZZ_LIBSRC = src/base/csv.c src/base/buf.c src/base/form.c
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBSRC) $(wildcard src/base/*.h)
	@command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang with libFuzzer:" \
	  "apt-get install clang libclang-rt-14-dev (or FUZZ_CC=clang-N)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Isrc -o $@ $< $(FUZZ_LIBSRC) || \
	  { echo "clang could not build a libFuzzer binary: apt-get install libclang-rt-14-dev" >&2; exit 1; }

# fuzz_mail: the mail parsing path with GMime (and jansson for the headers).
MAIL_FUZZ_SRC = src/features/mail/parse.c src/features/mail/decode.c
$(BUILD)/fuzz/fuzz_mail: tests/fuzz/fuzz_mail.c $(MAIL_FUZZ_SRC) $(wildcard src/features/mail/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -Isrc $(shell pkg-config --cflags gmime-3.0 jansson) -o $@ $< \
	  $(MAIL_FUZZ_SRC) $(shell pkg-config --libs gmime-3.0 jansson)

# The targets through the real router, handlers and importers (fuzz_api_*, fuzz_import):
# the whole program built with clang and the sanitizers (in $(BUILD)/fuzzobj/), plus the
# in-process harness (tests/fuzz/harness.c) on an in-memory SQLite demo database.
APP_FUZZ     = fuzz_api_json fuzz_api_query fuzz_api_cookie fuzz_import
FUZZ_SAN     = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
FUZZ_APP_OBJ = $(CORE_SRC:%.c=$(BUILD)/fuzzobj/%.o) $(BUILD)/fuzzobj/gen/migrations.o \
               $(BUILD)/fuzzobj/gen/openapi.o $(BUILD)/fuzzobj/tests/fuzz/harness.o

$(BUILD)/fuzzobj/%.o: %.c $(HEADERS) tests/fuzz/harness.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzzobj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -c -o $@ $<

$(APP_FUZZ:%=$(BUILD)/fuzz/%): $(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_APP_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_APP_OBJ) $(LIBS)

# Every seed through the targets on the demo database with FUZZ_CHECK_RESET=1: after each
# input the database must be the snapshot again, byte for byte (tests/fuzz/harness.c).
fuzz-check: $(APP_FUZZ:%=$(BUILD)/fuzz/%)
	@for t in $(APP_FUZZ); do echo "== $$t (FUZZ_CHECK_RESET=1, the seeds)"; \
	  FUZZ_CHECK_RESET=1 $(BUILD)/fuzz/$$t -runs=0 tests/fuzz/corpus/$${t#fuzz_} || exit 1; done

# FUZZ_RUNS=N: N executions of each target instead of FUZZ_TIME seconds.
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME))
fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_BIN); do n=$${t##*/fuzz_}; mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$t ($(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs,$(FUZZ_TIME) s))"; \
	  $$t $(FUZZ_LIMIT) -max_len=65536 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; done

# ---- the two commands of the README ----
deps:
	@scripts/install-deps

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p data
	@if [ ! -f data/aftersales.db ]; then $(BUILD)/aftersales demo --db data/aftersales.db; fi
	@echo "open http://127.0.0.1:8080 and log in as agent, tech, supervisor or admin" \
	      "(also manager, tech2, warehouse, editor, marketer), password demo1234;" \
	      "the customer portal is http://127.0.0.1:8080/portal, the lobby kiosk /kiosk. Ctrl-C stops."
	$(BUILD)/aftersales serve --db data/aftersales.db --listen 127.0.0.1:8080

test: deps
	@$(MAKE) --no-print-directory all
	@scripts/test-all

clean:
	rm -rf $(BUILD) build-asan
