# SPDX-License-Identifier: GPL-2.0
#
# Userspace (ctl/), unit tests, fuzzers, static analysis; the kernel
# module's targets are in kmod/kmod.mk, included at the end.

# The one place the version is written. Inside a git checkout of this tree,
# git describe refines it: a tag vX.Y.Z and the commits since, or else
# VERSION-g<commit>; -dirty with local changes. ctl/ gets it as
# SSTP_PKG_VERSION ($(O)/gen/pkg-version.h), sstp.ko as SSTP_KMOD_VERSION
# (kmod.mk passes it to kmod/Kbuild), DKMS in the copy dkms-install makes.
VERSION := 0.1.0
SSTP_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PKG_VERSION := $(shell cd '$(SSTP_TOP)' && \
	[ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ] || \
	{ echo '$(VERSION)'; exit 0; }; \
	git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null | sed 's/^v//' | \
	grep . || \
	echo "$(VERSION)-g$$(git describe --always --dirty --abbrev=12 --exclude='*')")

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

PKGS := libssl libcrypto libmnl libbpf
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null || echo -lssl -lcrypto -lmnl -lbpf)

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wshadow -Wpointer-arith -Wno-unused-parameter -Wno-format-truncation
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CPPFLAGS += -std=gnu11 -D_GNU_SOURCE -Iinclude/uapi -Ictl/lib -Ictl -I$(O)/gen \
	-DRUNSTATEDIR=\"$(RUNSTATEDIR)\" -DSYSCONFDIR=\"$(SYSCONFDIR)\"
# bpf/: what an eBPF program and its loader share (bpf/*.h).
CPPFLAGS += -Ibpf
ALL_CFLAGS = $(CPPFLAGS) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Three programs' worth of sources: the library (ctl/lib/<layer>/), built
# once as libsstp.a; the daemon (ctl/sstpd/) and the CLI (ctl/sstpctl/), each
# an archive of everything but its main() so tests can link the parts.
LIB_SRCS := $(wildcard ctl/lib/*/*.c)
SSTPD_SRCS := $(filter-out ctl/sstpd/sstpd.c,$(wildcard ctl/sstpd/*.c))
SSTPCTL_SRCS := $(filter-out ctl/sstpctl/sstpctl.c,$(wildcard ctl/sstpctl/*.c))
ARCHIVES := libsstpd.a libsstpctl.a libsstp.a
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(O)/fuzz/%)

.PHONY: all clean check unit unit-run fuzz fuzz-run install netns test deps up asan asan-test \
	version FORCE
.DELETE_ON_ERROR:

all: $(O)/sstpd $(O)/sstpctl

version:
	@echo $(PKG_VERSION)

# Rewritten only when the version changes, so that a new commit rebuilds
# the two mains and nothing else.
$(O)/gen/pkg-version.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '#define SSTP_PKG_VERSION "$(PKG_VERSION)"' >$@.tmp && \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(O)/ctl/sstpd/sstpd.o $(O)/ctl/sstpctl/sstpctl.o $(O)/tests/test_version: \
	$(O)/gen/pkg-version.h

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libsstp.a: $(LIB_SRCS:%.c=$(O)/%.o)
$(O)/libsstpd.a: $(SSTPD_SRCS:%.c=$(O)/%.o)
$(O)/libsstpctl.a: $(SSTPCTL_SRCS:%.c=$(O)/%.o)
$(ARCHIVES:%=$(O)/%):
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/sstpd: $(O)/ctl/sstpd/sstpd.o $(O)/libsstpd.a $(O)/libsstp.a
$(O)/sstpctl: $(O)/ctl/sstpctl/sstpctl.o $(O)/libsstpctl.a $(O)/libsstp.a
$(O)/sstpd $(O)/sstpctl:
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(O)/tests/%: tests/unit/%.c $(ARCHIVES:%=$(O)/%)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Wno-missing-prototypes -o $@ $< \
		$(ARCHIVES:%=$(O)/%) $(PKG_LIBS) -lcmocka -lpthread

unit: $(UNIT_BINS)

# Build and run the unit tests.
unit-run: all unit
	$(Q)tests/run-unit.sh $(O)/tests

# Static analysis and style: cppcheck, shellcheck, checkpatch (tests/check.sh).
CPPCHECK ?= cppcheck
SHELLCHECK ?= shellcheck
check: $(O)/gen/pkg-version.h
	$(Q)CPPCHECK='$(CPPCHECK)' SHELLCHECK='$(SHELLCHECK)' \
		CHECKPATCH='$(CHECKPATCH)' tests/check.sh $(O)

# libFuzzer targets: clang, ASan + UBSan; the libraries are compiled once
# with these flags (under $(O)/fuzz/obj/) and linked into every fuzzer.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(CPPFLAGS) \
	$(PKG_CFLAGS)
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_OBJ := $(O)/fuzz/obj
$(FUZZ_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CLANG) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<
$(FUZZ_OBJ)/libsstp.a: $(LIB_SRCS:%.c=$(FUZZ_OBJ)/%.o)
$(FUZZ_OBJ)/libsstpd.a: $(SSTPD_SRCS:%.c=$(FUZZ_OBJ)/%.o)
$(FUZZ_OBJ)/libsstpctl.a: $(SSTPCTL_SRCS:%.c=$(FUZZ_OBJ)/%.o)
$(ARCHIVES:%=$(FUZZ_OBJ)/%):
	$(Q)rm -f $@ && ar rcs $@ $^
$(O)/fuzz/%: $(FUZZ_OBJ)/tests/fuzz/%.o $(ARCHIVES:%=$(FUZZ_OBJ)/%)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

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

# eBPF programs: each bpf/NAME.bpf.c is compiled by clang into
# $(O)/bpf/NAME.bpf.o and turned into a libbpf skeleton,
# $(O)/gen/NAME.skel.h, which embeds the object: the daemon includes the
# skeleton and loads nothing from disk at run time. Every object of the
# daemon (and its fuzz build) waits for the skeletons; the .d files then
# track which one includes which.
# Debian installs bpftool in /usr/sbin, which a user's PATH lacks.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.bpf.o)
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/gen/%.skel.h)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Ibpf -idirafter /usr/include/$(shell $(CC) -print-multiarch 2>/dev/null)
ifneq ($(CI),)
BPF_CFLAGS += -Werror
endif
$(O)/bpf/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BPF     $<")
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<
$(O)/gen/%.skel.h: $(O)/bpf/%.bpf.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  SKEL    $@")
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@
# Kept: the skeleton embeds it, and tests may load it as it is.
.SECONDARY: $(BPF_OBJS)
$(SSTPD_SRCS:%.c=$(O)/%.o) $(SSTPD_SRCS:%.c=$(FUZZ_OBJ)/%.o): | $(BPF_SKELS)
check: $(BPF_SKELS)
.PHONY: bpf
bpf: $(BPF_SKELS)

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
	@mkdir -p $(O)/man
	for m in sstpd.8 sstpctl.8 sstpd.conf.5; do \
		sed '1,/^\.TH/s/^\(\.TH .*\) "sstp" /\1 "sstp $(PKG_VERSION)" /' \
			docs/$$m >$(O)/man/$$m && \
		install -v -D -m 0644 $(O)/man/$$m \
			$(DESTDIR)$(MANDIR)/man$${m##*.}/$$m || exit 1; \
	done
	sed 's|/usr/local/sbin|$(SBINDIR)|g' ctl/systemd/sstpd@.service > $(O)/sstpd@.service
	install -v -D -m 0644 $(O)/sstpd@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sstpd@.service

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# sstp.ko: module, module-6.1, module-6.12, module-install, dkms-install, ...
include $(SSTP_TOP)/kmod/kmod.mk
