// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "ctxswitch": 64 address spaces sharing their upper levels,
 * 10,000 round-robin CR3 loads with one access after each.
 *
 * Every space has its own PML4 whose kernel half is shared: slot 0 is the
 * launcher's identity map (code, data, stack) and slot 256 one kernel L3
 * common to all spaces, as in any kernel. Slot 1 holds the space's own
 * L3/L2/L1 and one private data page. After each load the guest reads
 * its private page: a stale root would show another space's marker.
 * Each space is visited once before the clock starts, so the timed part
 * is the steady state (every reload can find its root already built).
 *
 * Exit values: 1 RAM, 2 private page, 3 shared kernel page.
 * RAM: at least 12 MiB (-m 16M); make bench gives it 128 MiB (see
 * scripts/bench/workloads: KVM sizes its shadow page cache from RAM).
 */
#include "bench.h"

#define NR_SPACES	64
#define NR_LOADS	10000
#define KVA		0xffff800000000000UL	/* PML4 slot 256 */

static u64 space_pml4[NR_SPACES];

static void check_private(unsigned int s)
{
	u64 v = read64(UVA);

	if (v != bench_marker(2, s)) {
		fail_at("private page", UVA, v, bench_marker(2, s));
		check(0, 2, "ctxswitch: each space sees its own page");
	}
}

int main(void)
{
	u64 k3, kdata, t0, t1, v;
	unsigned int s, n;

	bench_need_ram(12UL << 20, "-m 16M");
	idt_setup();

	/* The shared kernel half: one L3, one data page. */
	k3 = table_alloc();
	kdata = frame_alloc();
	write64(kdata, bench_marker(3, 0));
	{
		u64 k2 = table_alloc(), k1 = table_alloc();

		write64(k1, kdata | PT_KERNEL);
		write64(k2, k1 | PT_KERNEL);
		write64(k3, k2 | PT_KERNEL);
	}
	for (s = 0; s < NR_SPACES; s++) {
		u64 data = frame_alloc();

		space_pml4[s] = pml4_alloc();
		write64(data, bench_marker(2, s));
		map_page(space_pml4[s], UVA, data, PT_KERNEL);
		set_pte(pt_entry(space_pml4[s], KVA, 4), k3 | PT_KERNEL);
	}
	for (s = 0; s < NR_SPACES; s++) {
		write_cr3(space_pml4[s]);
		check_private(s);
		v = read64(KVA);
		if (v != bench_marker(3, 0)) {
			fail_at("kernel page", KVA, v, bench_marker(3, 0));
			check(0, 3, "ctxswitch: the shared kernel L3 maps its page");
		}
	}

	t0 = read_tsc();
	for (n = 0; n < NR_LOADS; n++) {
		s = n % NR_SPACES;
		write_cr3(space_pml4[s]);
		v = read64(UVA);
		if (v != bench_marker(2, s))
			break;
	}
	t1 = read_tsc();
	if (n < NR_LOADS) {
		fail_at("private page after a reload", UVA, v,
			bench_marker(2, n % NR_SPACES));
		check(0, 2, "ctxswitch: each space sees its own page");
	}
	write_cr3(LAUNCHER_PML4);
	check(1, 0, "ctxswitch: 10000 CR3 loads over 64 spaces, each saw its own page");
	bench_report("ctxswitch", t1 - t0);
	return 0;
}
