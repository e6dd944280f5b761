// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "hugepage": 256 MiB mapped with guest 2 MiB pages, every
 * 4 KiB of it touched once.
 *
 * 128 PDEs with PS at UVA map guest-physical 32 MiB .. 288 MiB (2 MiB
 * aligned), present and writable, not yet accessed. The guest writes one
 * word in each 4 KiB page, in address order. Neither pager can map the
 * guest's 2 MiB page with one host entry unless the host backs it with a
 * 2 MiB page too; how many faults that takes is what is measured.
 *
 * Checks: every value reads back, every PDE got A and D, and a sample of
 * pages read through the launcher's identity map shows the value at
 * the frame the guest PDE names.
 *
 * Exit values: 1 RAM, 2 value, 3 A/D bits, 4 wrong frame.
 * RAM: 320 MiB (-m 320M).
 */
#include "bench.h"

#define HUGE_BASE	0x2000000UL	/* 32 MiB */
#define NR_HUGE		128
#define NR_PAGES	(NR_HUGE * 512)

static u64 slot_of(u64 i)
{
	return (i * 8) % 4096;
}

int main(void)
{
	u64 pml4, l3, l2, t0, t1, i, v;

	bench_need_ram(HUGE_BASE + NR_HUGE * 0x200000UL, "-m 320M");
	idt_setup();
	pml4 = pml4_alloc();
	l3 = table_alloc();
	l2 = table_alloc();
	write64(pml4 + 8 * pt_index(UVA, 4), l3 | PT_KERNEL);
	write64(l3 + 8 * pt_index(UVA, 3), l2 | PT_KERNEL);
	for (i = 0; i < NR_HUGE; i++)
		write64(l2 + 8 * i, (HUGE_BASE + i * 0x200000UL) | PT_KERNEL |
			PTE_PS);
	write_cr3(pml4);

	t0 = read_tsc();
	for (i = 0; i < NR_PAGES; i++)
		write64(UVA + i * 4096 + slot_of(i), bench_marker(6, i));
	t1 = read_tsc();

	for (i = 0; i < NR_PAGES; i++) {
		v = read64(UVA + i * 4096 + slot_of(i));
		if (v != bench_marker(6, i)) {
			fail_at("value", UVA + i * 4096, v, bench_marker(6, i));
			check(0, 2, "hugepage: every page reads back its value");
		}
	}
	for (i = 0; i < NR_HUGE; i++) {
		v = read64(l2 + 8 * i);
		if ((v & (PTE_A | PTE_D)) != (PTE_A | PTE_D)) {
			fail_at("guest PDE", UVA + i * 0x200000UL, v,
				v | PTE_A | PTE_D);
			check(0, 3, "hugepage: A and D set in every guest PDE");
		}
	}
	for (i = 0; i < NR_PAGES; i += 509) {
		u64 pa = HUGE_BASE + i * 4096 + slot_of(i);

		v = read64(pa);
		if (v != bench_marker(6, i)) {
			fail_at("frame", pa, v, bench_marker(6, i));
			check(0, 4, "hugepage: each page is backed by its frame");
		}
	}
	write_cr3(LAUNCHER_PML4);
	check(1, 0,
	      "hugepage: 65536 pages in 128 2 MiB mappings touched, values, A/D, frames right");
	bench_report("hugepage", t1 - t0);
	return 0;
}
