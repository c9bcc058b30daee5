# The Windows build (issue 10), included by the top Makefile: cross-compiled with mingw-w64 on Debian.
#   make windows        build/windows/ecm-host.exe, ecm.exe and the DLLs they need beside them
#   make windows-msi    build/windows/ecert-manager.msi (wixl) from those files
#   make check-windows  the suites that run them under Wine (tests/windows/*.t)
# The libraries (OpenSSL, cJSON, libcurl with OpenSSL, NSPR, NSS) come from Debian's source packages, built once
# by tests/windows/build-deps into ${XDG_CACHE_HOME:-~/.cache}/ecert-manager/win64-<versions>; the folder is
# written to $(WIN_BUILD)/deps-prefix, which every compile and link reads. ECM_WIN_DEPS=DIR uses libraries built
# elsewhere (the same layout: include/, lib/, bin/*.dll).

WIN_BUILD   ?= build/windows
# On Windows itself (MSYS2, .github/workflows/windows.yml): make windows WIN_CC=gcc WIN_AR=ar ECM_WIN_DEPS=/ucrt64 \
#   WIN_EXTRA_CFLAGS=-I/ucrt64/include/nss3
WIN_CC      ?= x86_64-w64-mingw32-gcc
WIN_AR      ?= x86_64-w64-mingw32-ar
WIN_EXTRA_CFLAGS ?=
WIN_PREFIX   = $(shell cat $(WIN_BUILD)/deps-prefix 2>/dev/null)
WIN_DLLS     = $(wildcard $(WIN_PREFIX)/bin/*.dll)

# Everything but the POSIX and macOS platform files; the Windows store backend and platform files instead.
WIN_CORE_SRCS := $(filter-out %_posix.c %_macos.c,$(wildcard host/core/*.c host/commands/*.c host/ra/*.c \
                 host/crypto/*.c host/store/*.c))
WIN_OBJ      = $(patsubst %.c,$(WIN_BUILD)/obj/%.o,$(1))
WIN_CORE_OBJS := $(call WIN_OBJ,$(WIN_CORE_SRCS))
WIN_HOST_OBJS := $(call WIN_OBJ,$(HOST_SRCS))
WIN_CLI_OBJS  := $(call WIN_OBJ,$(CLI_SRCS))

# __USE_MINGW_ANSI_STDIO: C99 printf (%zu, %lld) instead of msvcrt's. The POSIX names mingw lacks come from
# compat_windows.h, forced in front of every file. PE hardening: ASLR (64-bit), DEP; the stack protector needs
# libssp, and curl uses winpthreads: both linked in statically, so no extra DLL is needed.
WIN_CFLAGS   = -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 -DWIN32_LEAN_AND_MEAN -DCURL_STATICLIB $(WARN) -O2 -g \
               -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Iinclude -include ecm/compat_windows.h \
               -I$(WIN_PREFIX)/include -I$(WIN_PREFIX)/include/nss -I$(WIN_PREFIX)/include/nspr $(WIN_EXTRA_CFLAGS) -MMD -MP
WIN_LDFLAGS  := -Wl,--dynamicbase,--nxcompat,--high-entropy-va -static-libgcc
WIN_LIBS     = -L$(WIN_PREFIX)/lib -lcurl -lssl -lcrypto -lcjson -lsmime3 -lnss3 -lnssutil3 -lplc4 -lplds4 \
               -lnspr4 -lncrypt -lcrypt32 -lbcrypt -lws2_32 -lcomdlg32 -luser32 -ladvapi32 -lshell32 \
               -Wl,-Bstatic -lssp -lpthread -Wl,-Bdynamic

.PHONY: windows windows-deps windows-bins windows-msi check-windows

# The libraries first (always asked: a cached run answers in about a second), then the programs.
windows:
	@$(MAKE) --no-print-directory windows-deps
	@$(MAKE) --no-print-directory windows-bins

windows-bins: $(WIN_BUILD)/ecm-host.exe $(WIN_BUILD)/ecm.exe
	@for d in $(WIN_DLLS); do cmp -s "$$d" $(WIN_BUILD)/$${d##*/} || cp "$$d" $(WIN_BUILD)/; done

# deps-prefix changes (and so rebuilds every object) only when the libraries' folder does.
windows-deps $(WIN_BUILD)/deps-prefix:
	@mkdir -p $(WIN_BUILD)
	@p=$${ECM_WIN_DEPS:-$$(tests/windows/build-deps)} && { [ "$$(cat $(WIN_BUILD)/deps-prefix 2>/dev/null)" = "$$p" ] || \
		echo "$$p" >$(WIN_BUILD)/deps-prefix; }

$(WIN_BUILD)/obj/%.o: %.c $(WIN_BUILD)/deps-prefix
	@mkdir -p $(dir $@)
	$(WIN_CC) $(WIN_CFLAGS) -c $< -o $@

$(WIN_BUILD)/libecm.a: $(WIN_CORE_OBJS)
	rm -f $@ && $(WIN_AR) rcs $@ $^

$(WIN_BUILD)/ecm-host.exe: $(WIN_HOST_OBJS) $(WIN_BUILD)/libecm.a
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)

$(WIN_BUILD)/ecm.exe: $(WIN_CLI_OBJS) $(WIN_BUILD)/libecm.a
	$(WIN_CC) $(WIN_LDFLAGS) -o $@ $^ $(WIN_LIBS)

windows-msi: windows
	installer/windows/build-msi.sh $(ECM_PKG_VERSION) $(WIN_BUILD) installer/debian/config.json \
		$(WIN_BUILD)/ecert-manager.msi

check-windows: windows
	@for t in tests/windows/*.t; do echo "# $$t"; bash $$t || exit 1; done

-include $(WIN_CORE_OBJS:.o=.d) $(WIN_HOST_OBJS:.o=.d) $(WIN_CLI_OBJS:.o=.d)
