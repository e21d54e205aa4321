# SPDX-License-Identifier: GPL-2.0
#
# sstp.ko targets. The top-level Makefile includes this file at its end
# (`include kmod/kmod.mk`); `make -C kmod TARGET` and
# `make -f kmod/kmod.mk TARGET` work as well.
#
#   module          build sstp.ko against KERNELDIR
#   module-debug    the same with self-tests and debug counters
#   module-6.1      fetch Debian 12's 6.1 headers and build against them
#   module-6.12     the same for 6.12 (bookworm-backports)
#   module-install  install into /lib/modules/<release>/updates, run depmod
#                   (not with DESTDIR: packaging runs it)
#   dkms-install    install the sources under /usr/src and dkms add/build/install
#   module-check    sparse with endianness checks (if sparse is installed)
#   module-clean    remove the module's build results
#   kmod-test       build the VM test tool ($(KMOD_OUT)/sstp-kmod-test)
#   kmod-vm         run the module tests in qemu (tests/kmod/vm.sh;
#                   KMOD_VM_CASE=a,b runs those cases only)
#   ynl             regenerate the uapi header and policy from the spec
#
# Variables: KERNELRELEASE (default: the running kernel), KERNELDIR
# (default /lib/modules/$(KERNELRELEASE)/build), DESTDIR, DEPMOD, DKMS,
# KSRC (a Linux source tree, for ynl), SPARSE.

KMOD_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KMOD_TOP := $(abspath $(KMOD_DIR)/..)
kmod-saved-goal := $(.DEFAULT_GOAL)

KERNELRELEASE ?= $(shell uname -r)
KERNELDIR ?= /lib/modules/$(KERNELRELEASE)/build
DEPMOD ?= depmod
DKMS ?= dkms
SPARSE ?= sparse
KMOD_OUT ?= $(KMOD_TOP)/build/kmod
KMOD_VERSION ?= $(shell sed -n 's/^\#define SSTP_VERSION "\(.*\)"/\1/p' \
		  $(KMOD_TOP)/ctl/lib/util/version.h 2>/dev/null)
KMOD_PKG_CONFIG ?= pkg-config

# Module BTF needs pahole; without it the build skips BTF instead of failing.
KMOD_NO_BTF = $(if $(shell command -v pahole 2>/dev/null),,CONFIG_DEBUG_INFO_BTF_MODULES=)
# O= keeps the top-level Makefile's output directory away from kbuild.
KMOD_MAKE = $(MAKE) -C $(KERNELDIR) M=$(KMOD_TOP) O= $(KMOD_NO_BTF)
KMOD_RELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		 $(KERNELDIR)/include/generated/utsrelease.h 2>/dev/null)

KMOD_SRCS := $(wildcard $(KMOD_DIR)/*.[ch] $(KMOD_DIR)/compat/*.h \
		$(KMOD_DIR)/compat/include/net/*.h $(KMOD_DIR)/selftest/*.c)

.PHONY: module module-debug module-6.1 module-6.12 module-install \
	dkms-install module-check module-clean kmod-test kmod-vm ynl

module:
	$(KMOD_MAKE) modules

module-debug:
	$(KMOD_MAKE) SSTP_DEBUG=y modules

# module-<series>: build against Debian's headers, keep the result per release.
module-6.1 module-6.12: module-%:
	@line=$$($(KMOD_DIR)/fetch-headers.sh --quiet $*) || exit 1; \
	rel=$${line%% *}; kdir=$${line#* }; \
	$(MAKE) -f $(KMOD_DIR)/kmod.mk module-clean module KERNELDIR=$$kdir && \
	mkdir -p $(KMOD_OUT)/$$rel && cp $(KMOD_TOP)/sstp.ko $(KMOD_OUT)/$$rel/ && \
	echo "  MODULE  $(KMOD_OUT)/$$rel/sstp.ko"

# Unsigned: distribution keys are not at hand (DKMS signs with its MOK).
module-install: module
	$(KMOD_MAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		CONFIG_MODULE_SIG_ALL= modules_install
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KMOD_RELEASE)
endif

KMOD_DKMS_DIR = $(DESTDIR)/usr/src/sstp-$(KMOD_VERSION)

dkms-install:
	@test -n "$(KMOD_VERSION)" || { echo "no version in ctl/lib/util/version.h"; exit 1; }
	rm -rf $(KMOD_DKMS_DIR)
	install -d $(KMOD_DKMS_DIR)/kmod/compat/include/net \
		$(KMOD_DKMS_DIR)/kmod/selftest $(KMOD_DKMS_DIR)/include/uapi/linux
	install -m 0644 $(KMOD_TOP)/Kbuild $(KMOD_DKMS_DIR)/
	install -m 0644 $(wildcard $(KMOD_DIR)/*.[ch]) $(KMOD_DKMS_DIR)/kmod/
	install -m 0644 $(KMOD_DIR)/selftest/*.c $(KMOD_DKMS_DIR)/kmod/selftest/
	install -m 0644 $(KMOD_DIR)/compat/compat.h $(KMOD_DIR)/compat/Kbuild.include \
		$(KMOD_DKMS_DIR)/kmod/compat/
	install -m 0644 $(KMOD_DIR)/compat/include/net/*.h \
		$(KMOD_DKMS_DIR)/kmod/compat/include/net/
	install -m 0644 $(KMOD_TOP)/include/uapi/linux/sstp.h \
		$(KMOD_TOP)/include/uapi/linux/sstp_proto.h \
		$(KMOD_DKMS_DIR)/include/uapi/linux/
	sed 's/@VERSION@/$(KMOD_VERSION)/' $(KMOD_DIR)/dkms.conf \
		>$(KMOD_DKMS_DIR)/dkms.conf
ifeq ($(DESTDIR),)
	-$(DKMS) remove -m sstp -v $(KMOD_VERSION) --all 2>/dev/null
	$(DKMS) add -m sstp -v $(KMOD_VERSION)
	$(DKMS) build -m sstp -v $(KMOD_VERSION)
	$(DKMS) install -m sstp -v $(KMOD_VERSION)
endif

module-check:
	@if command -v $(SPARSE) >/dev/null; then \
		$(KMOD_MAKE) C=2 CHECK=$(SPARSE) CF="-D__CHECK_ENDIAN__" \
			SSTP_DEBUG=y modules; \
	else \
		echo "module-check: $(SPARSE) is not installed; skipped"; \
	fi

# Not kbuild's clean: with M= at the top of the tree it would delete every
# *.o, *.a and *.ko below it, build/ and the VM caches included.
module-clean:
	rm -f $(KMOD_DIR)/*.o $(KMOD_DIR)/.*.cmd $(KMOD_DIR)/.*.d \
		$(KMOD_TOP)/sstp.ko $(KMOD_TOP)/sstp.o $(KMOD_TOP)/sstp.mod \
		$(KMOD_TOP)/sstp.mod.c $(KMOD_TOP)/sstp.mod.o \
		$(KMOD_TOP)/.sstp.*.cmd $(KMOD_TOP)/modules.order \
		$(KMOD_TOP)/Module.symvers $(KMOD_TOP)/.modules.order.cmd \
		$(KMOD_TOP)/.Module.symvers.cmd

KMOD_TEST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I$(KMOD_TOP)/include/uapi -O2 -g \
	-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wshadow -Wpointer-arith $(if $(CI),-Werror)

kmod-test: $(KMOD_OUT)/sstp-kmod-test

# The tool talks to the module through the library's netlink client
# (ctl/lib/nl/sstpnl.c) in libsstp.a: through the top-level Makefile (O
# set) it is built first; on its own, make all first.
KMOD_LIBSSTP ?= $(if $(O),$(O)/libsstp.a,$(KMOD_TOP)/build/libsstp.a)

$(KMOD_OUT)/sstp-kmod-test: $(KMOD_TOP)/tests/kmod/sstp-kmod-test.c \
		$(KMOD_TOP)/include/uapi/linux/sstp.h \
		$(KMOD_TOP)/include/uapi/linux/sstp_proto.h \
		$(KMOD_TOP)/ctl/lib/nl/sstpnl.h $(KMOD_LIBSSTP)
	@mkdir -p $(dir $@)
	$(CC) $(KMOD_TEST_CFLAGS) -I$(KMOD_TOP)/ctl/lib -I$(KMOD_TOP)/ctl \
		$(shell $(KMOD_PKG_CONFIG) --cflags libmnl libssl libcrypto) \
		$(LDFLAGS) -o $@ $< $(KMOD_LIBSSTP) \
		$(shell $(KMOD_PKG_CONFIG) --libs libmnl libssl libcrypto)

kmod-vm: kmod-test
	$(KMOD_TOP)/tests/kmod/vm.sh $(if $(KMOD_VM_CASE),--case $(KMOD_VM_CASE))

# ynl-gen finds the kernel tree by its MAINTAINERS file and names the spec
# by its path below that; a scratch tree gives it ours.
ynl:
	@test -n "$(KSRC)" || { echo "ynl: set KSRC to a Linux source tree"; exit 1; }
	@gen=$$(ls $(KSRC)/tools/net/ynl/pyynl/ynl_gen_c.py \
		$(KSRC)/tools/net/ynl/ynl-gen-c.py 2>/dev/null | head -n 1); \
	test -n "$$gen" || { echo "ynl: no ynl-gen in $(KSRC)"; exit 1; }; \
	tmp=$$(mktemp -d) && touch $$tmp/MAINTAINERS && \
	mkdir -p $$tmp/include/netlink && \
	cp $(KMOD_TOP)/include/netlink/sstp.yaml $$tmp/include/netlink/ && \
	spec=$$tmp/include/netlink/sstp.yaml && \
	python3 $$gen --mode uapi --header --spec $$spec \
		-o $(KMOD_TOP)/include/uapi/linux/sstp.h && \
	python3 $$gen --mode kernel --header --spec $$spec \
		-o $(KMOD_DIR)/netlink-gen.h && \
	python3 $$gen --mode kernel --source --spec $$spec \
		-o $(KMOD_DIR)/netlink-gen.c; \
	rc=$$?; rm -rf $$tmp; exit $$rc

ifneq ($(kmod-saved-goal),)
.DEFAULT_GOAL := $(kmod-saved-goal)
endif
