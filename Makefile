# SPDX-License-Identifier: GPL-2.0
#
# Userspace (ctl/), unit tests, fuzzers. The kernel module build (Kbuild)
# arrives with kmod/.

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
RUNSTATEDIR ?= /run
SYSTEMDUNITDIR ?= /lib/systemd/system
PKG_CONFIG ?= pkg-config
CC ?= cc
CLANG ?= clang
O ?= build

PKGS := libssl libcrypto libmnl
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lmnl)

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wshadow -Wpointer-arith -Wno-unused-parameter -Wno-format-truncation
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CPPFLAGS += -std=gnu11 -D_GNU_SOURCE -Iinclude/uapi -Ictl \
	-DRUNSTATEDIR=\"$(RUNSTATEDIR)\" -DSYSCONFDIR=\"$(SYSCONFDIR)\"
ALL_CFLAGS = $(CPPFLAGS) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP

ifeq ($(V),1)
Q :=
else
Q := @
endif

MAINS := ctl/sstpd.c ctl/sstpctl.c
LIB_SRCS := $(filter-out $(MAINS),$(wildcard ctl/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(O)/fuzz/%)

.PHONY: all clean check unit fuzz fuzz-run install netns test deps up asan asan-test
.DELETE_ON_ERROR:

all: $(O)/sstpd $(O)/sstpctl

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libsstp.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/sstpd $(O)/sstpctl: $(O)/%: $(O)/ctl/%.o $(O)/libsstp.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(O)/tests/%: tests/unit/%.c $(O)/libsstp.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wno-missing-prototypes -o $@ $< \
		$(O)/libsstp.a $(PKG_LIBS) -lcmocka -lpthread

unit: $(UNIT_BINS)

check: all unit
	$(Q)tests/run-unit.sh $(O)/tests

# libFuzzer targets: clang, ASan + UBSan, the parsers compiled in.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(PKG_CFLAGS)
$(O)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -lpthread

fuzz: $(FUZZ_BINS)

# A short run of every fuzzer (FUZZ_SECONDS each), seeded from tests/fuzz/corpus/.
FUZZ_SECONDS ?= 30
fuzz-run: $(FUZZ_BINS)
	$(Q)tests/run-fuzz.sh $(O)/fuzz $(FUZZ_SECONDS)

# The daemon, sstpctl and the unit tests under AddressSanitizer +
# UndefinedBehaviorSanitizer, in their own build directory; asan-test runs
# the unit tests and the netns suite on them and fails on any report.
ASAN_O ?= build-asan
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
asan:
	$(Q)$(MAKE) --no-print-directory O=$(ASAN_O) CFLAGS='$(SAN_CFLAGS)' all unit

asan-test: asan
	$(Q)tests/run-asan.sh $(ASAN_O)

deps:
	$(Q)tests/deps.sh

netns: all
	$(Q)tests/netns.sh $(O)

# Everything, on a fresh Debian 12 machine (as root): the README's test command.
test: deps
	$(Q)tests/run-all.sh

# Bring a gateway up (a demo configuration when none exists).
up: deps all
	$(Q)$(O)/sstpctl up $(CONFIG)

install: all
	install -v -D -m 0755 $(O)/sstpd $(DESTDIR)$(SBINDIR)/sstpd
	install -v -D -m 0755 $(O)/sstpctl $(DESTDIR)$(SBINDIR)/sstpctl
	install -v -D -m 0644 docs/sstpd.8 $(DESTDIR)$(MANDIR)/man8/sstpd.8
	install -v -D -m 0644 docs/sstpctl.8 $(DESTDIR)$(MANDIR)/man8/sstpctl.8
	install -v -D -m 0644 docs/sstpd.conf.5 $(DESTDIR)$(MANDIR)/man5/sstpd.conf.5
	sed 's|/usr/local/sbin|$(SBINDIR)|g' ctl/systemd/sstpd@.service > $(O)/sstpd@.service
	install -v -D -m 0644 $(O)/sstpd@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sstpd@.service

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# sstp.ko: module, module-6.1, module-6.12, module-install, dkms-install, ...
include kmod/kmod.mk
