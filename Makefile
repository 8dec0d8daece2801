# aftersales: one C11 program. `make` builds build/aftersales.
BUILD   ?= build
CC      ?= cc
PKGS     = libmicrohttpd jansson sqlite3 libpq libsodium libutf8proc opencc xlsxwriter
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALLCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lpthread -lm

CORE_SRC = $(wildcard src/base/*.c src/rules/*.c src/features/*.c)
APP_SRC  = src/main.c $(CORE_SRC)
APP_OBJ  = $(APP_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(BUILD)/obj/gen/openapi.o
MIGRATIONS = $(sort $(wildcard sql/sqlite/*.sql sql/postgres/*.sql))

.PHONY: all run deps test unit clean db demo
all: $(BUILD)/aftersales

$(BUILD)/aftersales: $(APP_OBJ)
	$(CC) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/embed: tools/embed.c
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -O1 -o $@ $<

$(BUILD)/gen/migrations.c: $(BUILD)/embed $(MIGRATIONS)
	@mkdir -p $(BUILD)/gen
	$(BUILD)/embed $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/openapi.json: docs/openapi.yaml scripts/openapi-json.mjs
	@mkdir -p $(BUILD)/gen
	node scripts/openapi-json.mjs $< > $@.tmp && mv $@.tmp $@

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

$(BUILD)/san/%.o: %.c $(wildcard src/*/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -c -o $@ $<

$(BUILD)/san/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -O1 $(SAN) -o $@ $< $(SAN_OBJ) $(LIBS) $(shell pkg-config --libs cmocka)

unit: $(UNIT_BIN)
	@rc=0; for t in $(UNIT_BIN); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t || rc=1; done; exit $$rc

# ---- the two commands of the README ----
deps:
	@scripts/install-deps

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p data
	@if [ ! -f data/aftersales.db ]; then $(BUILD)/aftersales demo --db data/aftersales.db; fi
	@echo "open http://127.0.0.1:8080 and log in as agent, tech, supervisor or admin" \
	      "(also manager, tech2, warehouse, editor, marketer), password demo1234;" \
	      "the customer portal is http://127.0.0.1:8080/portal. Ctrl-C stops."
	$(BUILD)/aftersales serve --db data/aftersales.db --listen 127.0.0.1:8080

test: deps
	@$(MAKE) --no-print-directory all
	@scripts/test-all

clean:
	rm -rf $(BUILD)
