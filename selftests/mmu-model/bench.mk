# SPDX-License-Identifier: GPL-2.0
# The instruction-count benchmark of the pager core (bench.c), built -O2
# without sanitizers so callgrind counts what the module would run:
#   make -C selftests/mmu-model -f bench.mk     -> $(BUILD)/model/mmu-bench
# scripts/bench.sh runs it under callgrind.

ROOT := $(abspath $(CURDIR)/../..)
BUILD ?= $(ROOT)/build
OUT ?= $(BUILD)/model
MMU ?= $(ROOT)/module/mmu
CORE := $(filter-out %/host_kernel.c,$(wildcard $(MMU)/*.c))
SRCS := bench.c model_host.c ref_walk.c hw.c
HDRS := $(wildcard *.h) $(wildcard $(MMU)/*.h)
CC ?= cc
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	  -Wno-sign-compare -I$(CURDIR) -I$(MMU)

.PHONY: all clean
all: $(OUT)/mmu-bench

$(OUT)/mmu-bench: $(SRCS) $(CORE) $(HDRS)
	@mkdir -p $(OUT)
	$(CC) $(CFLAGS) -o $@ $(SRCS) $(CORE)

clean:
	rm -f $(OUT)/mmu-bench
