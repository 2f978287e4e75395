# omvec - one GNU Makefile (STYLE rule 31).
#   make            release binary ./omvec
#   make test       sanitized unit tests + fuzz-corpus replay + client tests
#   make check      make test, then the unit suite under valgrind and the
#                   concurrency tests under ThreadSanitizer (what CI runs)
#   make fuzz       clang libFuzzer binaries in build/fuzz/
#   make lint       include-graph check
#   make lib        client library: build/rel/libomvec.{a,so}, build/rel/omvec.pc
# Variables: SANITIZE=address,undefined|thread, OPT=-O0, RELEASE=1, SHARED=dir

.DEFAULT_GOAL := all
CC      ?= gcc
SHARED  ?= ../shared
OPT     ?= -O2
WERROR  ?= $(if $(CI),-Werror,)
ARCH    := $(shell $(CC) -dumpmachine)

CPPFLAGS += -Isrc -Iinclude -D_GNU_SOURCE -DOMVEC_VERSION='"$(VERSION)"'
CFLAGS_BASE = -std=c17 -Wall -Wextra $(WERROR) -g -pthread -fno-strict-aliasing
# libcurl: artifact pulls and the client library; libarchive + OpenSSL: artifacts;
# utf8proc: the BERT tokenizer; OpenBLAS: the BERT encoder (DESIGN.md).
PKGS    = libcurl libarchive openssl libutf8proc openblas
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl, libarchive, OpenSSL and OpenBLAS are not linked: util/lazy_curl.c,
# util/lazy_archive.c, util/lazy_crypto.c and embed/blas_lazy.c load them on
# first use (they and their dependencies were most of the dynamic loader's
# work at every start)
LDLIBS  = -lmicrohttpd -lsqlite3 $(shell pkg-config --libs $(filter-out libcurl libarchive openssl openblas,$(PKGS)) 2>/dev/null) -lm -pthread
VERSION := 0.1.0

LIB_SRC := $(filter-out src/omvec.c,$(shell find src -name '*.c' | sort))
UNIT_SRC := $(shell find tests/unit -name 'test_*.c' | sort)
FUZZ_SRC := $(shell find tests/fuzz -name 'fuzz_*.c' | sort)

# Per-ISA kernels get their own flags; the rest of the code never uses
# -march=native (STYLE rule 29).
ifneq (,$(findstring x86_64,$(ARCH)))
ISA_avx2   = -mavx2 -mfma
ISA_avx512 = -mavx512f -mavx512dq -mfma
ISA_fsum_sse42 = -msse4.2
endif

# ---- variants: rel (release), san (ASan+UBSan), plain (valgrind), tsan ----
define variant
$(1)_DIR := build/$(1)
$(1)_CFLAGS := $(CFLAGS_BASE) $(2)
$(1)_OBJ := $$(patsubst src/%.c,build/$(1)/obj/%.o,$$(LIB_SRC))

build/$(1)/obj/%.o: src/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $$($(1)_CFLAGS) $$(ISA_$$(patsubst dist_%,%,$$(basename $$(notdir $$<)))) -MMD -MP -c $$< -o $$@

build/$(1)/libomvec.a: $$($(1)_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^

build/$(1)/omvec: build/$(1)/obj/omvec.o build/$(1)/libomvec.a
	$$(CC) $$($(1)_CFLAGS) -o $$@ $$^ $$(LDLIBS)

build/$(1)/tests/%: tests/%.c build/$(1)/libomvec.a
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -Itests $$($(1)_CFLAGS) -MMD -MP -o $$@ $$< build/$(1)/libomvec.a $$(LDLIBS)

build/$(1)/replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c build/$(1)/libomvec.a
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) -Itests $$($(1)_CFLAGS) -o $$@ $$< tests/fuzz/replay_main.c build/$(1)/libomvec.a $$(LDLIBS)

-include $$(shell find build/$(1) -name '*.d' 2>/dev/null)
build/$(1)/obj/http/console_assets.o: $$(wildcard src/http/console/*)
endef

SAN_FLAGS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(RELEASE),1)
SAN_FLAGS = $(OPT)
endif
$(eval $(call variant,rel,$(OPT)))
$(eval $(call variant,san,$(SAN_FLAGS)))
$(eval $(call variant,plain,-O1))
$(eval $(call variant,tsan,-O1 -fsanitize=thread))

# ---- the client library (include/omvec.h, docs/client.md) ----
# build/rel/libomvec.a holds the client with the engine, every symbol global
# (the omvec binary and the tests link it). The installed static library,
# build/rel/pub/libomvec.a, is the same objects linked into one relocatable
# object whose globals other than omvec_* are made local (ld -r, then
# objcopy --keep-global-symbol), so like the shared libomvec.so - linked
# from -fPIC objects of their own (build/pic) with src/client/omvec.map - it
# exports only omvec_*. omvec.pc points at this tree; `make install
# PREFIX=...` installs the header, both libraries and a .pc.
$(eval $(call variant,pic,$(OPT) -fPIC))
PREFIX  ?= /usr/local
LIB_OUT = build/rel/libomvec.a build/rel/pub/libomvec.a build/rel/libomvec.so build/rel/omvec.pc
OBJCOPY ?= objcopy
# $(call omvec_pc,INCLUDEDIR,LIBDIR)
omvec_pc = printf '%s\n' 'includedir=$(1)' 'libdir=$(2)' '' 'Name: omvec' \
    'Description: omvec client library (remote Chroma-compatible server or local directory)' \
    'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lomvec' \
    'Libs.private: -lmicrohttpd -lsqlite3 -lm -pthread' 'Requires.private: $(PKGS)'

build/rel/libomvec.so: $(pic_OBJ) src/client/omvec.map
	$(CC) -shared -Wl,-soname,libomvec.so.0 -Wl,--version-script=src/client/omvec.map \
	    -o $@.0 $(pic_OBJ) $(LDLIBS)
	ln -sf libomvec.so.0 $@

build/rel/pub/libomvec.a: $(rel_OBJ)
	@mkdir -p $(@D)
	$(LD) -r -o $(@D)/omvec_all.o $(rel_OBJ)
	$(OBJCOPY) --wildcard --keep-global-symbol='omvec_*' $(@D)/omvec_all.o
	rm -f $@ && $(AR) rcs $@ $(@D)/omvec_all.o && rm -f $(@D)/omvec_all.o

build/rel/omvec.pc: Makefile
	@mkdir -p $(@D)
	$(call omvec_pc,$(CURDIR)/include,$(CURDIR)/build/rel) > $@

# examples/ built against the .pc file, as a user would (so they cannot rot)
build/rel/examples/%: examples/%.c $(LIB_OUT) include/omvec.h
	@mkdir -p $(@D)
	$(CC) -std=c17 -Wall -Wextra $(WERROR) $$(PKG_CONFIG_PATH=build/rel pkg-config --cflags omvec) \
	    -o $@ $< $$(PKG_CONFIG_PATH=build/rel pkg-config --libs omvec) -Wl,-rpath,$(CURDIR)/build/rel

lib: $(LIB_OUT)

examples: build/rel/examples/match

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/omvec.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 build/rel/pub/libomvec.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 build/rel/libomvec.so.0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libomvec.so.0 $(DESTDIR)$(PREFIX)/lib/libomvec.so
	$(call omvec_pc,$(PREFIX)/include,$(PREFIX)/lib) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/omvec.pc

UNIT_BINS = $(patsubst tests/%.c,build/$(V)/tests/%,$(UNIT_SRC))
REPLAY_BINS = $(patsubst tests/fuzz/%.c,build/$(V)/replay/%,$(FUZZ_SRC))

.PHONY: all test check fuzz lint clean unit-bins run lib examples install
all: omvec lib

omvec: build/rel/omvec
	cp $< $@.tmp && mv -f $@.tmp $@

unit-bins:
	$(MAKE) --no-print-directory V=$(V) $(patsubst tests/%.c,build/$(V)/tests/%,$(UNIT_SRC)) \
	    $(patsubst tests/fuzz/%.c,build/$(V)/replay/%,$(FUZZ_SRC)) build/$(V)/omvec

test: omvec lib examples
	$(MAKE) --no-print-directory unit-bins V=san
	SHARED=$(SHARED) tests/run_tests.sh san

check: omvec lib examples
	$(MAKE) --no-print-directory unit-bins V=san
	$(MAKE) --no-print-directory unit-bins V=plain
	$(MAKE) --no-print-directory unit-bins V=tsan
	SHARED=$(SHARED) tests/run_check.sh

run: omvec
	./omvec run

# libFuzzer: the library is built once with coverage instrumentation into an
# archive, so a target may #include a .c file (fuzz_json reaches the JSON
# statics) without clashing with the archived copy, as the replay build does.
FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c17 -g -O1 -pthread -fno-omit-frame-pointer
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC))

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	    $(ISA_$(patsubst dist_%,%,$(basename $(notdir $<)))) -MMD -MP -c $< -o $@

build/fuzz/libomvec.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libomvec.a
	$(FUZZ_CC) $(CPPFLAGS) -Itests $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined \
	    -MMD -MP -o $@ $< build/fuzz/libomvec.a $(LDLIBS)

# header dependencies: without them an object outlives a change to a struct
# it shares (a stale tsearch_lead.o read tsearch's fields at old offsets)
-include $(shell find build/fuzz -name '*.d' 2>/dev/null)

build/fuzz/obj/http/console_assets.o: $(wildcard src/http/console/*)

fuzz: $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

lint:
	scripts/check_includes.sh

clean:
	rm -rf build omvec
