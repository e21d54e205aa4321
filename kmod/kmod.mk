# SPDX-License-Identifier: GPL-2.0
#
# sstp.ko targets. The top-level Makefile includes this file at its end
# (`include kmod/kmod.mk`); `make -C kmod TARGET` and
# `make -f kmod/kmod.mk TARGET` read the top-level Makefile (which has the
# version) and so work as well. The module is built by kbuild with M= this
# folder (kmod/Kbuild) and lands in kmod/sstp.ko.
#
#   module          build sstp.ko against KERNELDIR
#   module-debug    the same with self-tests and debug counters
#   module-6.1      fetch Debian 12's 6.1 headers and build against them,
#                   keeping the result in $(KMOD_OUT)/<release>/sstp.ko
#   module-6.12     the same for 6.12 (bookworm-backports)
#   module-install  install into /lib/modules/<release>/updates, run depmod
#                   (not with DESTDIR: packaging runs it)
#   dkms-install    install the sources under /usr/src and dkms add/build/install
#   module-check    sparse with endianness checks (if sparse is installed)
#   module-clean    remove the module's build results (kbuild's clean)
#   kmod-test       build the VM test tool ($(KMOD_OUT)/sstp-kmod-test)
#   kmod-vm         run the module tests in qemu (tests/kmod/vm.sh;
#                   KMOD_VM_CASE=a,b runs those cases only)
#   ynl             regenerate the uapi header and policy from the spec
#
# Variables: KERNELRELEASE (default: the running kernel), KERNELDIR
# (default /lib/modules/$(KERNELRELEASE)/build), DESTDIR, DEPMOD, DKMS,
# KSRC (a Linux source tree, for ynl), SPARSE, KMOD_CACHE (where
# fetch-headers.sh keeps Debian's headers; default .cache/headers).

ifeq ($(SSTP_TOP),)
# On its own: the top-level Makefile defines the version and includes us.
include $(dir $(lastword $(MAKEFILE_LIST)))../Makefile
else

KMOD_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KMOD_TOP := $(abspath $(KMOD_DIR)/..)
kmod-saved-goal := $(.DEFAULT_GOAL)

KERNELRELEASE ?= $(shell uname -r)
KERNELDIR ?= /lib/modules/$(KERNELRELEASE)/build
DEPMOD ?= depmod
DKMS ?= dkms
SPARSE ?= sparse
KMOD_OUT ?= $(KMOD_TOP)/build/kmod
KMOD_VERSION := $(PKG_VERSION)
KMOD_PKG_CONFIG ?= pkg-config
KMOD_CACHE ?=
KMOD_FETCH = $(KMOD_DIR)/fetch-headers.sh $(if $(KMOD_CACHE),--cache $(KMOD_CACHE))

# Module BTF needs pahole; without it the build skips BTF instead of failing.
KMOD_NO_BTF = $(if $(shell command -v pahole 2>/dev/null),,CONFIG_DEBUG_INFO_BTF_MODULES=)
# O= keeps the top-level Makefile's output directory away from kbuild.
KMOD_MAKE = $(MAKE) -C $(KERNELDIR) M=$(KMOD_DIR) O= $(KMOD_NO_BTF) \
	SSTP_PKG_VERSION=$(KMOD_VERSION)
KMOD_RELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
		 $(KERNELDIR)/include/generated/utsrelease.h 2>/dev/null)

.PHONY: module module-debug module-6.1 module-6.12 module-install \
	dkms-install module-check module-clean kmod-test kmod-vm ynl

module:
	$(KMOD_MAKE) modules

module-debug:
	$(KMOD_MAKE) SSTP_DEBUG=y modules

# module-<series>: build against Debian's headers, keep the result per release.
module-6.1 module-6.12: module-%:
	@line=$$($(KMOD_FETCH) --quiet $*) || exit 1; \
	rel=$${line%% *}; kdir=$${line#* }; \
	$(MAKE) --no-print-directory -C $(KMOD_TOP) module-clean KERNELDIR=$$kdir && \
	$(MAKE) --no-print-directory -C $(KMOD_TOP) module KERNELDIR=$$kdir && \
	mkdir -p $(KMOD_OUT)/$$rel && cp $(KMOD_DIR)/sstp.ko $(KMOD_OUT)/$$rel/ && \
	echo "  MODULE  $(KMOD_OUT)/$$rel/sstp.ko"

# Unsigned: distribution keys are not at hand (DKMS signs with its MOK).
module-install: module
	$(KMOD_MAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates \
		CONFIG_MODULE_SIG_ALL= modules_install
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(KMOD_RELEASE)
endif

KMOD_DKMS_DIR = $(DESTDIR)/usr/src/sstp-$(KMOD_VERSION)

# The copy has no .git and no top-level Makefile: the version is written
# into its kmod/Kbuild and dkms.conf.
dkms-install:
	@test -n "$(KMOD_VERSION)" || { echo "dkms-install: no version"; exit 1; }
	rm -rf $(KMOD_DKMS_DIR)
	install -d $(KMOD_DKMS_DIR)/kmod/compat/include/net \
		$(KMOD_DKMS_DIR)/kmod/selftest $(KMOD_DKMS_DIR)/include/uapi/linux
	sed 's/^SSTP_PKG_VERSION ?=$$/SSTP_PKG_VERSION ?= $(KMOD_VERSION)/' \
		$(KMOD_DIR)/Kbuild >$(KMOD_DKMS_DIR)/kmod/Kbuild
	grep -q '^SSTP_PKG_VERSION ?= $(KMOD_VERSION)$$' $(KMOD_DKMS_DIR)/kmod/Kbuild
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

# kbuild's clean (it deletes build results anywhere below kmod/). Without a
# kernel build tree kbuild cannot run, and while an old checkout keeps
# downloaded kernels in kmod/.cache their modules must stay: then the
# module's own results go by hand.
KMOD_CLEAN_FILES = $(KMOD_DIR)/*.o $(KMOD_DIR)/.*.cmd $(KMOD_DIR)/.*.d \
	$(KMOD_DIR)/*.ko $(KMOD_DIR)/*.mod $(KMOD_DIR)/*.mod.c \
	$(KMOD_DIR)/modules.order $(KMOD_DIR)/Module.symvers
module-clean:
	$(Q)if [ -f $(KERNELDIR)/Makefile ] && [ -z "$$(find $(KMOD_DIR)/.cache \
		-name '*.ko*' -print -quit 2>/dev/null)" ]; then \
		$(KMOD_MAKE) clean; \
	else \
		rm -f $(KMOD_CLEAN_FILES); \
	fi

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

endif # SSTP_TOP
