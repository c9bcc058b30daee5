# libFuzzer targets (issue 9), included by the top Makefile. What each target feeds and checks: docs/fuzzing.md.
#   make fuzz                      build every target into build/fuzz/ and run each for FUZZ_SECONDS (default 30)
#   make fuzz FUZZ_SECONDS=600     longer; FUZZ_TARGETS="pfx est" for some of them only;
#                                  FUZZ_RUN_FLAGS=--keep-going to go on after a crash (fork mode), counting them
#   make fuzz-build                only build
# Debian's clang (tests/deps/apt-fuzz.txt), ASan + UBSan, the whole core built again with coverage.
# Seeds: tests/fuzz/corpus/<name>/ (committed); what a run finds: build/fuzz/corpus/<name>/; crashes:
# build/fuzz/crashes/ (a crash found is added to the seeds once fixed).

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD   ?= build/fuzz
FUZZ_ALL     := frame request config pfx est ra_api profiles
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Iinclude -Ihost $(PKG_CFLAGS) -MMD -MP
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(CORE_SRCS) tests/fuzz/fuzz_common.c)
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_ALL))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) bash tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZ_RUN_FLAGS) $(FUZZ_TARGETS)

FUZZ_STAMP := $(FUZZ_BUILD)/.cflags
ifneq ($(filter fuzz fuzz-build $(FUZZ_BUILD)/%,$(MAKECMDGOALS)),)
$(shell mkdir -p $(FUZZ_BUILD) && echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $(FUZZ_STAMP) || \
        echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' >$(FUZZ_STAMP))
endif

$(FUZZ_BUILD)/obj/%.o: %.c $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libecm-fuzz.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BINS): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o $(FUZZ_BUILD)/libecm-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:$(FUZZ_BUILD)/%=$(FUZZ_BUILD)/obj/tests/fuzz/%.d)
