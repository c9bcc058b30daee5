# e-Cert Manager: one core library, two front ends (ecm-host for browsers, ecm for people and scripts).
# Out-of-tree build into $(BUILD). `make SANITIZE=1` builds with ASan + UBSan into build/san; `make SANITIZE=thread`
# with ThreadSanitizer into build/tsan (the .pfx threads, host/crypto/pfx_tasks.c: ECM_BUILD=build/tsan tests/...).

PREFIX  ?= /usr/local
DESTDIR ?=
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/san
else ifeq ($(SANITIZE),thread)
BUILD ?= build/tsan
else
BUILD ?= build
endif

CC      ?= cc
# SQLite is NSS's; linked too where its headers are, to make NSS's connections lean (host/store/nss.c).
SQLITE  := $(shell pkg-config --exists sqlite3 && echo sqlite3)
PKGS    := openssl libcurl libcjson nss $(SQLITE)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
ifeq ($(SANITIZE),1)
OPT     := -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDOPT   := -fsanitize=address,undefined,float-cast-overflow
else ifeq ($(SANITIZE),thread)
OPT     := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LDOPT   := -fsanitize=thread
else
OPT     := -O2 -g -D_FORTIFY_SOURCE=2
LDOPT   :=
endif
HARDEN  := -fstack-protector-strong -fPIC
UNAME   := $(shell uname -s)
# ELF hardening for GNU ld; Apple's ld64 has no -z or --as-needed (it links PIE by default and drops unused
# dylibs with -dead_strip_dylibs), and the Keychain backend needs the Security and CoreFoundation frameworks.
ifeq ($(UNAME),Darwin)
LDHARD  := -Wl,-dead_strip_dylibs
PKG_LIBS += -framework Security -framework CoreFoundation
else
LDHARD  := -pie -Wl,-z,relro,-z,now -Wl,--as-needed
endif
CFLAGS_ALL  = $(CSTD) $(WARN) $(OPT) $(HARDEN) -Iinclude $(PKG_CFLAGS) $(if $(SQLITE),-DECM_HAVE_SQLITE3) -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(LDOPT) $(LDHARD) $(LDFLAGS)

# Backends for other systems are compiled only there (host/store/*_macos.c, *_windows.c); macOS has its own
# file dialog (dialog_macos.c: osascript) instead of zenity/kdialog's.
PLATFORM_SKIP := %_windows.c
ifneq ($(UNAME),Darwin)
PLATFORM_SKIP += %_macos.c
else
PLATFORM_SKIP += host/core/dialog_posix.c
endif
CORE_SRCS := $(filter-out $(PLATFORM_SKIP),$(wildcard host/core/*.c host/commands/*.c host/ra/*.c \
             host/crypto/*.c host/store/*.c))
# What needs OpenSSL, curl or NSS is the engine; the rest (framing, dispatch, configuration, hello, logout) is light.
# The file dialog is only pick_file's: in the engine, its fork/exec imports are not bound at every start.
ENGINE_SRCS := $(filter-out host/commands/hello.c host/commands/logout.c host/commands/table.c,\
               $(filter host/commands/% host/ra/% host/crypto/% host/store/% host/core/dialog_%,$(CORE_SRCS)))
LIGHT_SRCS  := $(filter-out $(ENGINE_SRCS) host/commands/table.c host/core/engine.c,$(CORE_SRCS))
# What needs libcurl is the RA transport: in the engine where it is linked whole, else its own library.
RA_SRCS     := $(filter-out host/ra/client.c host/ra/time.c,$(filter host/ra/%,$(CORE_SRCS)))
HOST_SRCS := $(wildcard host/native/*.c)
CLI_SRCS  := $(wildcard host/cli/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
CORE_OBJS := $(call obj,$(CORE_SRCS))
HOST_OBJS := $(call obj,$(HOST_SRCS))
CLI_OBJS  := $(call obj,$(CLI_SRCS))
TEST_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))
LIGHT_OBJS  := $(call obj,$(LIGHT_SRCS))
RA_OBJS     := $(call obj,$(RA_SRCS))
# The tables and loaders again, built to load at run time (Linux): the engine, and in it the RA transport.
LAZY_OBJS   := $(BUILD)/obj/lazy/table.o $(BUILD)/obj/lazy/engine.o
ENGINE_OBJS := $(call obj,$(filter-out $(RA_SRCS) host/ra/client.c,$(ENGINE_SRCS))) $(BUILD)/obj/lazy/ra_client.o
ENGINE_SO   := $(BUILD)/libecm-engine.so
RA_SO       := $(BUILD)/libecm-ra.so

.PHONY: all check check-unit test demo dev-ra install uninstall clean bench
ifeq ($(UNAME),Linux)
all: $(BUILD)/ecm-host $(BUILD)/ecm $(ENGINE_SO) $(RA_SO)
else
all: $(BUILD)/ecm-host $(BUILD)/ecm
endif

# Objects depend on the flags they were built with, so a change of flags rebuilds them.
FLAGS_STAMP := $(BUILD)/.cflags
$(shell mkdir -p $(BUILD) && echo '$(CFLAGS_ALL)' | cmp -s - $(FLAGS_STAMP) || echo '$(CFLAGS_ALL)' >$(FLAGS_STAMP))

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libecm.a: $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

ifeq ($(UNAME),Linux)
# The browser starts ecm-host for every connection: it links only cJSON and loads the engine (OpenSSL, NSS) on the
# first command that needs it (host/core/engine.c), and the engine loads the RA transport (curl) on the first request. The engine calls back into the core, so the core's ecm_* are exported.
$(BUILD)/obj/lazy/%.o: host/core/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DECM_ENGINE_DLOPEN -c $< -o $@

$(BUILD)/obj/lazy/table.o: host/commands/table.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DECM_ENGINE_DLOPEN -c $< -o $@

$(BUILD)/obj/lazy/ra_%.o: host/ra/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DECM_RA_DLOPEN -c $< -o $@

$(BUILD)/ecm-host: $(HOST_OBJS) $(LIGHT_OBJS) $(LAZY_OBJS) | $(ENGINE_SO) $(RA_SO)
	$(CC) $(LDFLAGS_ALL) -Wl,--export-dynamic-symbol='ecm_*' -o $@ $^ $(shell pkg-config --libs libcjson) -ldl -lm

# ecm the same way: its apply then never maps GnuTLS initialised (docs/performance.md, peak RSS).
$(BUILD)/ecm: $(CLI_OBJS) $(LIGHT_OBJS) $(LAZY_OBJS) | $(ENGINE_SO) $(RA_SO)
	$(CC) $(LDFLAGS_ALL) -Wl,--export-dynamic-symbol='ecm_*' -o $@ $^ $(shell pkg-config --libs libcjson) -ldl -lm

# The engine has a SONAME so that libecm-ra.so, which calls into it, finds it already loaded by that name.
$(ENGINE_SO): $(ENGINE_OBJS)
	$(CC) $(LDOPT) -shared -Wl,-soname,libecm-engine.so -Wl,-z,relro,-z,now -Wl,--as-needed -o $@ $^ \
	    $(shell pkg-config --libs openssl libcjson nss $(SQLITE)) -ldl -lm

$(RA_SO): $(RA_OBJS) $(ENGINE_SO)
	$(CC) $(LDOPT) -shared -Wl,-soname,libecm-ra.so -Wl,-z,relro,-z,now -Wl,--as-needed -o $@ $^ \
	    $(shell pkg-config --libs libcurl openssl libcjson)
else
$(BUILD)/ecm-host: $(HOST_OBJS) $(BUILD)/libecm.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/ecm: $(CLI_OBJS) $(BUILD)/libecm.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm
endif

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/filter.o $(BUILD)/libecm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs cmocka) -lpthread -lm

$(BUILD)/obj/tests/unit/%.o: tests/unit/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Ihost $(shell pkg-config --cflags cmocka) -c $< -o $@

tests-bin: $(TEST_BINS)
.PHONY: tests-bin

# The README's test command: installs what is missing, builds, runs every suite (also under sanitizers).
check:
	bash tests/check

check-unit: all tests-bin
	bash tests/run-all --only unit

test: check

# The README's demo command.
demo:
	bash tests/demo

dev-ra:
	tests/ra/run --state $(BUILD)/dev-ra --test-controls

bench: all
	bash tests/bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/ecert-manager
	install -m 0755 $(BUILD)/ecm $(DESTDIR)$(PREFIX)/bin/ecm
	install -m 0755 $(BUILD)/ecm-host $(DESTDIR)$(PREFIX)/lib/ecert-manager/ecm-host
	if [ -f $(ENGINE_SO) ]; then install -m 0644 $(ENGINE_SO) $(RA_SO) $(DESTDIR)$(PREFIX)/lib/ecert-manager/; fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ecm $(DESTDIR)$(PREFIX)/lib/ecert-manager/ecm-host \
	      $(DESTDIR)$(PREFIX)/lib/ecert-manager/libecm-engine.so $(DESTDIR)$(PREFIX)/lib/ecert-manager/libecm-ra.so
	-rmdir $(DESTDIR)$(PREFIX)/lib/ecert-manager

clean:
	rm -rf build

-include $(CORE_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(LAZY_OBJS:.o=.d)
-include mk/*.mk
