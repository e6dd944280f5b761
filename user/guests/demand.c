// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "demand": first touch of 16,384 fresh pages (64 MiB).
 *
 * The guest maps 16,384 data frames at UVA in a new address space, all
 * present and writable but never accessed (A = 0, so neither pager may
 * fill them ahead of the guest), loads it and writes one word in each
 * page. Every first touch is a hypervisor fault on a present guest entry:
 * the common L1 shadow fault. Only the touch loop is timed.
 *
 * Checks: every value reads back, every guest PTE got A and D set (the
 * hypervisor sets them as the hardware would), and a sample of frames,
 * read through the launcher's identity map, holds what was written at
 * the page that maps it (the shadow points at the right frame).
 *
 * Exit values: 1 RAM, 2 value, 3 A/D bits, 4 wrong frame.
 * RAM: 96 MiB (-m 96M).
 */
#include "bench.h"

#define NR_PAGES	16384

static u64 slot_of(u64 i)
{
	return (i * 8) % 4096;	/* spread over cache lines and offsets */
}

int main(void)
{
	u64 pml4, t0, t1, i, v;
	u64 *pte;

	bench_need_ram(DATA_BASE + NR_PAGES * 4096UL, "-m 96M");
	idt_setup();
	pml4 = pml4_alloc();
	for (i = 0; i < NR_PAGES; i++)
		map_page(pml4, UVA + i * 4096, DATA_BASE + i * 4096, PT_KERNEL);
	write_cr3(pml4);

	t0 = read_tsc();
	for (i = 0; i < NR_PAGES; i++)
		write64(UVA + i * 4096 + slot_of(i), bench_marker(1, i));
	t1 = read_tsc();

	for (i = 0; i < NR_PAGES; i++) {
		v = read64(UVA + i * 4096 + slot_of(i));
		if (v != bench_marker(1, i)) {
			fail_at("value", UVA + i * 4096, v, bench_marker(1, i));
			check(0, 2, "demand: every page reads back its value");
		}
		pte = pte_of(pml4, UVA + i * 4096);
		v = read64((u64)pte);
		if ((v & (PTE_A | PTE_D)) != (PTE_A | PTE_D)) {
			fail_at("guest PTE", UVA + i * 4096, v,
				v | PTE_A | PTE_D);
			check(0, 3, "demand: A and D set in every guest PTE");
		}
	}
	/* A prime stride: every L1 table and many offsets, few exits. */
	for (i = 0; i < NR_PAGES; i += 61) {
		u64 pa = DATA_BASE + i * 4096 + slot_of(i);

		v = read64(pa);
		if (v != bench_marker(1, i)) {
			fail_at("frame", pa, v, bench_marker(1, i));
			check(0, 4, "demand: each page is backed by its frame");
		}
	}
	write_cr3(LAUNCHER_PML4);
	check(1, 0, "demand: 16384 first touches, values, A/D bits and frames right");
	bench_report("demand", t1 - t0);
	return 0;
}
