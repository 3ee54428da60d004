# mprun - a parallel job runner.  Plain make; libuv and cJSON via pkg-config.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libuv libcjson

# tmux's warnings; CI adds -Werror through WERROR=1.
WARNINGS = -Wall -Wextra -Wno-long-long -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes -Wmissing-declarations \
	-Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
	-Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif

OPT ?= -O2 -g
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -D_GNU_SOURCE
CFLAGS += -std=c99 $(OPT) $(WARNINGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS += $(PKG_LIBS) $(EXTRA_LDFLAGS)

SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:.c=.o)
# Every module but main.c, as an archive: a unit test then links only the
# objects it uses, so a pure module's test never needs the loop's modules.
LIBOBJS := $(filter-out src/main.o,$(OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:.c=)
HELPER_BINS := tests/helpers/th

.PHONY: all check asan fuzz lint install uninstall clean deps bench

all: mprun

deps:
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	    echo "mprun: missing build dependencies; run scripts/install-deps.sh" >&2; \
	    exit 1; }

mprun: deps $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

src/%.o: src/%.c src/mprun.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

src/libmprun.a: $(LIBOBJS)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJS)

tests/unit/test_%: tests/unit/test_%.c tests/unit/tap.h src/libmprun.a
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< src/libmprun.a $(LDLIBS)

tests/helpers/th: tests/helpers/th.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

check: mprun $(UNIT_BINS) $(HELPER_BINS)
	@sh scripts/run-tests.sh

# AddressSanitizer + UndefinedBehaviorSanitizer build in its own tree, then the
# whole suite against it.
asan:
	rm -rf build-asan && mkdir -p build-asan
	cp -R src tests scripts man Makefile build-asan/
	# What the copy brought of this tree's build would pass for up to
	# date, uninstrumented: build everything afresh.
	$(MAKE) -C build-asan clean
	$(MAKE) -C build-asan check OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined"

# libFuzzer targets: each built with clang from its test file and
# the pure modules it drives, never main.c, then run for FUZZ_SECONDS on a
# copy of its seed corpus by tests/fuzz/run.sh.  FUZZ_TARGETS picks some.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= proto template input
FUZZ_DIR = tests/fuzz/bin
FUZZ_CFLAGS = -std=c99 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(WARNINGS) $(PKG_CFLAGS) -Isrc
FUZZ_COMMON = src/buf.c src/xmalloc.c src/log.c
FUZZ_BINS = $(FUZZ_DIR)/fuzz_proto $(FUZZ_DIR)/fuzz_template \
	$(FUZZ_DIR)/fuzz_input

fuzz: deps $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(filter-out deps,$^)

$(FUZZ_DIR)/fuzz_proto: tests/fuzz/fuzz_proto.c src/proto.c
$(FUZZ_DIR)/fuzz_template: tests/fuzz/fuzz_template.c src/template.c
$(FUZZ_DIR)/fuzz_input: tests/fuzz/fuzz_input.c src/input.c src/nbio.c
$(FUZZ_BINS): $(FUZZ_COMMON) src/mprun.h tests/fuzz/fuzz.h
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
	    echo "mprun: make fuzz needs $(FUZZ_CC) with libFuzzer;" \
	        "run scripts/install-deps.sh" >&2; \
	    exit 1; }
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(PKG_LIBS)

# Side-by-side timings against GNU parallel and xargs -P; see
# the header of scripts/bench.sh for the workloads and QUICK=1.
bench: mprun
	bash scripts/bench.sh ./mprun

lint:
	mandoc -Tlint -W warning man/mprun.1

# The binary, its manual, and the completions where bash-completion and
# zsh look for them by default.
install: mprun
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 mprun $(DESTDIR)$(BINDIR)/mprun
	install -m 644 man/mprun.1 $(DESTDIR)$(MANDIR)/man1/mprun.1
	install -m 644 scripts/completions/mprun.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/mprun
	install -m 644 scripts/completions/_mprun $(DESTDIR)$(ZSHCOMPDIR)/_mprun

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mprun $(DESTDIR)$(MANDIR)/man1/mprun.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/mprun $(DESTDIR)$(ZSHCOMPDIR)/_mprun

clean:
	rm -f mprun src/*.o src/libmprun.a $(UNIT_BINS) $(HELPER_BINS)
	rm -rf build-asan
	rm -rf $(FUZZ_DIR)
