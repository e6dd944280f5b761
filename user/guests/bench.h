/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the benchmark workloads (demand, ctxswitch, ptupdate, fork,
 * linuxl3, hugepage): the guest-visible clock around the workload, the
 * lines scripts/bench.sh reads, and an allocator for data frames above
 * the page-table pool of pt.h.
 *
 * Output contract (one line each, parsed by scripts/bench.sh):
 *   workload NAME
 *   cycles N          guest TSC delta around the measured part
 *   PASS: ... / FAIL: ...
 */
#ifndef SHADOWVM_GUEST_BENCH_H
#define SHADOWVM_GUEST_BENCH_H

#include "pt.h"

#define UVA		0x8000000000UL	/* PML4 slot 1: the "user" half */
#define DATA_BASE	0x1000000UL	/* data frames from 16 MiB up */

static inline u64 read_tsc(void)
{
	u32 lo, hi;

	/* LFENCE: the count must not be taken before earlier work retired. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

static inline void bench_report(const char *name, u64 cycles)
{
	puts("workload ");
	puts(name);
	puts("\ncycles ");
	put_dec(cycles);
	putc('\n');
}

/* The RAM a workload needs, checked first so a wrong -m fails clearly. */
static inline void bench_need_ram(u64 bytes, const char *mem_option)
{
	if (guest_mem_size >= bytes)
		return;
	puts("FAIL: guest RAM ");
	put_dec(guest_mem_size >> 20);
	puts(" MiB, this workload needs ");
	put_dec(bytes >> 20);
	puts(" MiB (run with ");
	puts(mem_option);
	puts(")\n");
	guest_exit(1);
}

/* A value unique to (a, b) that zeroed or stale memory never holds. */
static inline u64 bench_marker(u64 a, u64 b)
{
	return 0x5b00000000000000UL | (a & 0xffffff) << 32 | (b & 0xffffffff);
}

#endif /* SHADOWVM_GUEST_BENCH_H */
