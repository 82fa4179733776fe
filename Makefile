# Quire - build, run, test.  `make run` serves the site, `make test` runs
# every test. See README.md.

PKGS      := libmicrohttpd sqlite3 libsodium jansson libcmark-gfm libwebp zlib libseccomp gumbo libzip libcrypto
# Headers at build time, the library opened when first needed, so not
# linked (src/core/dl.h): libvips at the first photo upload, libxml2 at
# the first WordPress import, libpq with a PostgreSQL store, libcurl at
# the first fetch or mail.
PKGS_HDR  := vips libxml-2.0 libpq libcurl
CC        ?= cc
SANITIZE  ?=
OPT       ?= -O2
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
             -Wwrite-strings -fno-common -Werror
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) -Isrc -I$(B)/gen \
             $(shell pkg-config --cflags $(PKGS) $(PKGS_HDR) 2>/dev/null) $(CFLAGS)
LIBS       = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lunistring -lpthread
# Tests that check what Quire writes with libxml2 itself (the book's XHTML).
LIBS_TEST  = $(shell pkg-config --libs libxml-2.0 2>/dev/null)

ifeq ($(FUZZ),1)
# Coverage-instrumented library for the libFuzzer targets in fuzz/.
B := build/fuzz
CC := clang
OPT := -O1
CFLAGS_ALL += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
else ifeq ($(SANITIZE),)
B := build
else
B := build/san
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN := -fsanitize=$(SANITIZE)
OPT := -O1
endif

SRC       := $(shell find src -name '*.c' | sort)
LIB_SRC   := $(filter-out src/main.c,$(SRC))
TEMPLATES := $(sort $(wildcard templates/*.mustache))
STATIC    := $(sort $(wildcard static/*))
MIGRATIONS:= $(sort $(wildcard src/store/sqlite/migrations/*.sql))
PG_MIGRATIONS := $(sort $(wildcard src/store/pg/migrations/*.sql))
GEN_SRC   := $(B)/gen/embed_templates.c $(B)/gen/embed_static.c $(B)/gen/embed_migrations.c \
             $(B)/gen/embed_pg_migrations.c
OBJ       := $(patsubst src/%.c,$(B)/obj/%.o,$(LIB_SRC)) $(GEN_SRC:.c=.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

.PHONY: all run test check unit asan fuzz fuzz-smoke lint deps deps-test clean bench bench-scale bench-mail \
        install uninstall

all: $(B)/quire

$(B)/quire: $(B)/obj/main.o $(B)/libquire.a
	$(CC) $(LDSAN) -o $@ $^ $(LIBS)

$(B)/libquire.a: $(OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/obj/%.o: src/%.c $(wildcard src/*/*.h src/*/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DQUIRE_VERSION='"$(VERSION)"' -c -o $@ $<

$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c -o $@ $<

# The build tool compresses the static assets (brotli, gzip): the server
# itself does not link the brotli encoder.
$(B)/embed: tools/embed.c
	@mkdir -p $(B)
	$(CC) -O1 $(shell pkg-config --cflags libbrotlienc zlib 2>/dev/null) -o $@ $< \
		$(shell pkg-config --libs libbrotlienc zlib 2>/dev/null)

$(B)/gen/embed_templates.c: $(TEMPLATES) $(B)/embed
	@mkdir -p $(dir $@)
	$(B)/embed templates $(TEMPLATES) > $@.tmp && mv $@.tmp $@
$(B)/gen/embed_static.c: $(STATIC) $(B)/embed
	@mkdir -p $(dir $@)
	$(B)/embed -z static $(STATIC) > $@.tmp && mv $@.tmp $@
$(B)/gen/embed_migrations.c: $(MIGRATIONS) $(B)/embed
	@mkdir -p $(dir $@)
	$(B)/embed migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@
$(B)/gen/embed_pg_migrations.c: $(PG_MIGRATIONS) $(B)/embed
	@mkdir -p $(dir $@)
	$(B)/embed pg_migrations $(PG_MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(B)/tests/%: tests/unit/%.c $(B)/libquire.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -DQUIRE_SOURCE_DIR='"$(CURDIR)"' $(LDSAN) -o $@ $< $(B)/libquire.a $(LIBS) $(LIBS_TEST)

unit: $(UNIT_BIN)

deps:
	@scripts/deps.sh run
deps-test:
	@scripts/deps.sh test

# Build, create ./quire-data and serve http://127.0.0.1:8080
run: deps
	@$(MAKE) --no-print-directory all
	./build/quire serve --data ./quire-data --listen 127.0.0.1:8080

# Every test: lint, unit tests (plain and ASan+UBSan), end-to-end HTTP
# tests and the browser test against the sanitizer build, fuzz smoke runs.
test: deps-test
	@tests/run-all.sh

check: test

asan:
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all unit

lint:
	@scripts/lint.sh

FUZZ_TIME ?= 60
fuzz:
	@FUZZ_TIME=$(FUZZ_TIME) fuzz/run.sh

# Quire against nginx and a bare libmicrohttpd server, on loopback; a few
# minutes (BENCH_SIZES, BENCH_ROUNDS, BENCH_DURATION...: bench/run.sh).
# Not part of `make test`. See docs/performance.md.
bench:
	@bench/run.sh
	@bench/scale.sh
	@$(MAKE) --no-print-directory bench-mail

# One story to BENCH_SUBSCRIBERS (10,000) subscribers into a local SMTP
# server, the story page measured meanwhile (bench/mail_fanout.py).
bench-mail: all
	@QUIRE_BIN=$(CURDIR)/$(B)/quire /usr/bin/python3 bench/mail_fanout.py

# SQLite, PostgreSQL, and two PostgreSQL nodes behind haproxy, side by
# side (bench/scale.sh; figures in docs/scaling.md).
bench-scale:
	@bench/scale.sh

fuzz-smoke:
	@FUZZ_TIME=5 fuzz/run.sh

# make install PREFIX=/usr/local (DESTDIR= for packaging): the binary, the
# systemd unit (its paths made PREFIX's), the sample configurations, the
# manual pages quire(1) and quire.conf(5) and the operator's guide and
# reference. See docs/operators-guide.md.
PREFIX      ?= /usr/local
DESTDIR     ?=
INSTALL     ?= install
# The binary to install (tests install the one they run, unbuilt).
QUIRE_INSTALL_BIN ?= $(B)/quire
I_BIN   = $(DESTDIR)$(PREFIX)/bin
I_UNIT  = $(DESTDIR)$(PREFIX)/lib/systemd/system
I_SHARE = $(DESTDIR)$(PREFIX)/share/quire
I_MAN   = $(DESTDIR)$(PREFIX)/share/man/man1
I_MAN5  = $(DESTDIR)$(PREFIX)/share/man/man5
I_DOC   = $(DESTDIR)$(PREFIX)/share/doc/quire

install: $(QUIRE_INSTALL_BIN)
	$(INSTALL) -d $(I_BIN) $(I_UNIT) $(I_SHARE) $(I_MAN) $(I_MAN5) $(I_DOC)
	$(INSTALL) -m 0755 $(QUIRE_INSTALL_BIN) $(I_BIN)/quire
	sed -e 's|/usr/local/bin/quire|$(PREFIX)/bin/quire|g' \
	    -e 's|/usr/local/share/doc/quire|$(PREFIX)/share/doc/quire|g' \
	    -e 's|/usr/local/share/quire|$(PREFIX)/share/quire|g' \
	    deploy/quire.service > $(I_UNIT)/quire.service.tmp
	chmod 0644 $(I_UNIT)/quire.service.tmp && mv $(I_UNIT)/quire.service.tmp $(I_UNIT)/quire.service
	$(INSTALL) -m 0644 deploy/quire.conf deploy/nginx.conf deploy/Caddyfile $(I_SHARE)/
	$(INSTALL) -m 0644 docs/quire.1 $(I_MAN)/quire.1
	$(INSTALL) -m 0644 docs/quire.conf.5 $(I_MAN5)/quire.conf.5
	$(INSTALL) -m 0644 docs/operating.md docs/operators-guide.md $(I_DOC)/

uninstall:
	rm -f $(I_BIN)/quire $(I_UNIT)/quire.service $(I_MAN)/quire.1 $(I_MAN5)/quire.conf.5 \
	      $(I_SHARE)/quire.conf $(I_SHARE)/nginx.conf $(I_SHARE)/Caddyfile $(I_DOC)/operating.md \
	      $(I_DOC)/operators-guide.md
	-rmdir $(I_SHARE) $(I_DOC) 2>/dev/null || true

clean:
	rm -rf build
