# SPDX-License-Identifier: GPL-2.0
#
# make            module (needs KDIR), launcher, guest payloads, selftests
# make check      install test dependencies, run every test, print totals
# make demo       boot the emulated VMX host and run the hello guest
# make bench      shadowvm vs KVM ept=0 in one emulated boot, model
#                 instruction counts (Documentation/benchmarks.rst)
# make deps       install what the tests need (Debian 12, root)
# make htmldocs   Documentation/ with Sphinx into build/htmldocs; any
#                 warning fails it
# make install    module (modules_install), shadowvm-run, shadowvm-stat,
#                 the uapi header, the udev rule, man pages; DESTDIR,
#                 PREFIX (/usr/local); install-module / install-user for
#                 either half; make uninstall removes the same files
# make dkms-source  copy the module source to $(DKMS_SOURCETREE)
#                 (/usr/src)/shadowvm-VERSION for "dkms install"
#
# KDIR defaults to the running kernel's build tree; the emulated test bed
# passes the Debian cloud kernel headers it installs.

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD := $(CURDIR)/build

# The one version number (module, tools, dkms.conf): see VERSION.
VERSION := $(shell cat $(CURDIR)/VERSION)

.PHONY: all module user selftests deps check demo bench clean checkpatch htmldocs \
	install install-module install-user uninstall uninstall-module \
	uninstall-user dkms-source

all: module user selftests

module:
	@test -d $(KDIR) || { echo "shadowvm: no kernel build tree at $(KDIR);" \
		"install linux-headers or pass KDIR=..." >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

user:
	$(MAKE) -C user BUILD=$(BUILD)

# KDIR is passed on: the selftests take the kselftest headers from a
# kernel tree there when it has them (selftests/Makefile).
selftests: user
	$(MAKE) -C selftests BUILD=$(BUILD) KDIR=$(KDIR)

deps:
	scripts/install-deps.sh

check: deps
	scripts/check.sh

demo: deps
	scripts/demo.sh

# What deps installs plus valgrind (callgrind), which make check does not need.
bench:
	scripts/install-deps.sh bench
	scripts/bench.sh

checkpatch:
	scripts/checkpatch.sh

# -W: a warning is an error; --keep-going: report all of them, not only
# the first; -E: read every page each time, since an incremental build
# would not repeat the warnings of pages that did not change.
# scripts/check.sh (source "docs") counts the warnings.
SPHINXBUILD ?= sphinx-build
htmldocs:
	@command -v $(SPHINXBUILD) >/dev/null || { echo "htmldocs: $(SPHINXBUILD)" \
		"not found; install python3-sphinx (make deps does)" >&2; exit 1; }
	$(SPHINXBUILD) -E -W --keep-going -q -b html -d $(BUILD)/htmldocs/.doctrees \
		Documentation $(BUILD)/htmldocs

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

# ------------------------------------------------------------- install
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# udev reads /etc and /usr/lib, never /usr/local: local rules go to /etc
# whatever PREFIX is (a distribution package sets /usr/lib/udev/rules.d).
UDEVRULESDIR ?= /etc/udev/rules.d
INSTALL ?= install
# Where modules_install puts shadowvm.ko under /lib/modules/KERNELRELEASE.
INSTALL_MOD_DIR ?= extra

# The release the headers in KDIR are for, as in the module's vermagic
# (Debian's include/config/kernel.release says 6.1.N, not 6.1.0-N-flavour).
KERNELRELEASE_OF = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MAN_PAGES := $(wildcard Documentation/man/*.1)
UDEV_RULE := user/60-shadowvm.rules
# What install-user puts in place; uninstall-user removes exactly these.
USER_FILES := $(BINDIR)/shadowvm-run $(BINDIR)/shadowvm-stat \
	$(INCLUDEDIR)/linux/shadowvm.h $(UDEVRULESDIR)/60-shadowvm.rules \
	$(addprefix $(MANDIR)/man1/,$(notdir $(MAN_PAGES)))

install: install-module install-user

install-module: module
	@test -n "$(KERNELRELEASE_OF)" || { echo "shadowvm: cannot read" \
		"UTS_RELEASE from $(KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		KERNELRELEASE=$(KERNELRELEASE_OF) modules_install
	@# Distribution headers have no System.map, so modules_install skips
	@# depmod: run it for the live system (a DESTDIR's packager does).
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE_OF))

install-user: user
	$(INSTALL) -D -m 0755 $(BUILD)/user/shadowvm-run $(DESTDIR)$(BINDIR)/shadowvm-run
	$(INSTALL) -D -m 0755 $(BUILD)/user/shadowvm-stat $(DESTDIR)$(BINDIR)/shadowvm-stat
	$(INSTALL) -D -m 0644 include/uapi/linux/shadowvm.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/shadowvm.h
	$(INSTALL) -D -m 0644 $(UDEV_RULE) $(DESTDIR)$(UDEVRULESDIR)/60-shadowvm.rules
	$(foreach m,$(MAN_PAGES),$(INSTALL) -D -m 0644 $(m) \
		$(DESTDIR)$(MANDIR)/man1/$(notdir $(m)) &&) true

uninstall: uninstall-module uninstall-user

# modules_install may have compressed the module (6.12: .ko.xz); depmod
# then forgets it on the live system, as install-module's taught it.
uninstall-module:
	@test -n "$(KERNELRELEASE_OF)" || { echo "shadowvm: cannot read" \
		"UTS_RELEASE from $(KDIR)" >&2; exit 1; }
	rm -f $(foreach z,.ko .ko.gz .ko.xz .ko.zst,$(DESTDIR)/lib/modules/$(KERNELRELEASE_OF)/$(INSTALL_MOD_DIR)/shadowvm$(z))
	$(if $(DESTDIR),,depmod -a $(KERNELRELEASE_OF))

uninstall-user:
	rm -f $(addprefix $(DESTDIR),$(USER_FILES))

# DKMS builds from a copy of the module's source: only what Kbuild needs,
# not build/ (dkms add copies the whole directory it is given).
DKMS_SOURCETREE ?= /usr/src
DKMS_FILES := Kbuild VERSION dkms.conf \
	$(shell find module include -name '*.[chS]' 2>/dev/null)

dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SOURCETREE)/shadowvm-$(VERSION)
	$(foreach f,$(DKMS_FILES),$(INSTALL) -D -m 0644 $(f) \
		$(DESTDIR)$(DKMS_SOURCETREE)/shadowvm-$(VERSION)/$(f) &&) true
