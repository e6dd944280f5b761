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
#
# KDIR defaults to the running kernel's build tree; the emulated test bed
# passes the Debian cloud kernel headers it installs.

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD := $(CURDIR)/build

.PHONY: all module user selftests deps check demo bench clean checkpatch htmldocs

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
