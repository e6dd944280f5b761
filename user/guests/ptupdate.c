// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "ptupdate": 100,000 updates of live PTEs, each followed by
 * INVLPG, as a kernel's mmap/munmap/mprotect do.
 *
 * One address space; a window of 64 pages at UVA, all in one L1 table.
 * Each slot cycles map -> change rights (read-only) -> remap (another
 * frame, writable) -> unmap; the slot updated next moves by a stride so
 * consecutive writes hit different entries. After each update but unmap
 * the guest accesses the page and checks it sees the right frame (every
 * data frame holds its own marker at offset 0). Every 16th unmap and
 * every 16th read-only change are probed: the access must fault (#PF
 * not-present read, or protection write), and the fault handler proves
 * it by mapping a guard frame / restoring W, then lets the access retry.
 *
 * Exit values: 1 RAM, 2 frame after map/remap, 3 value after rights
 * change, 4 unmap not seen, 5 read-only not seen, 6 probe counts.
 * RAM: 24 MiB (-m 24M).
 */
#include "bench.h"

#define NR_UPDATES	100000
#define NR_SLOTS	64
#define NR_FRAMES	256
#define STRIDE		37	/* odd: visits every slot */
#define GUARD		(DATA_BASE + NR_FRAMES * 4096UL)

static u64 *l1;
/* Shared with the #PF handler, which runs between any two accesses. */
static volatile u64 probe_va, probe_faults_np, probe_faults_wp;
static u32 probe_kind;		/* 1 not-present read, 2 read-only write */

static u64 frame(unsigned int f)
{
	return DATA_BASE + (u64)f * 4096;
}

static int probe_fault(struct exc_frame *f)
{
	u64 cr2 = read_cr2();
	u64 *pte = l1 + ((cr2 - UVA) >> 12);

	if ((cr2 & ~0xfffUL) != probe_va)
		return 0;
	if (probe_kind == 1 && f->error == 0) {
		set_pte(pte, GUARD | PT_KERNEL);
		probe_faults_np++;
	} else if (probe_kind == 2 && f->error == (PFEC_P | PFEC_W)) {
		set_pte(pte, read64((u64)pte) | PTE_RW);
		probe_faults_wp++;
	} else {
		return 0;
	}
	invlpg(cr2);
	return 1;
}

static void expect(u64 va, u64 want, u32 code, const char *what)
{
	u64 v = read64(va);

	if (v != want) {
		fail_at(what, va, v, want);
		check(0, code, what);
	}
}

int main(void)
{
	u8 state[NR_SLOTS] = { 0 };
	u16 cur[NR_SLOTS];
	u64 pml4, t0, t1, i, want_np = 0, want_wp = 0;
	u64 nrdonly = 0, nunmap = 0;
	unsigned int s = 0, f = 0;

	bench_need_ram(GUARD + 4096, "-m 24M");
	idt_setup();
	set_exception_handler(VEC_PF, probe_fault);
	for (f = 0; f < NR_FRAMES; f++)
		write64(frame(f), bench_marker(4, f));
	write64(GUARD, bench_marker(4, 0xffff));
	pml4 = pml4_alloc();
	/* Build the path with a throw-away entry, then clear it. */
	map_page(pml4, UVA, frame(0), PT_KERNEL);
	l1 = pte_of(pml4, UVA);
	write64((u64)l1, 0);
	write_cr3(pml4);

	t0 = read_tsc();
	for (i = 0; i < NR_UPDATES; i++) {
		u64 va = UVA + (u64)s * 4096, *pte = l1 + s;

		switch (state[s]) {
		case 0:		/* map */
			f = (f + 7) % NR_FRAMES;
			cur[s] = f;
			set_pte(pte, frame(f) | PT_KERNEL);
			invlpg(va);
			expect(va, bench_marker(4, f), 2,
			       "ptupdate: a new mapping reaches its frame");
			break;
		case 1:		/* change rights: read-only */
			set_pte(pte, frame(cur[s]) | PTE_P | PTE_A | PTE_D);
			invlpg(va);
			if (!(++nrdonly % 16)) {
				probe_kind = 2;
				probe_va = va;
				want_wp++;
				write64(va + 8, i);	/* faults once */
				probe_va = 0;
				expect(va + 8, i, 5,
				       "ptupdate: a read-only page faults on write");
			}
			expect(va, bench_marker(4, cur[s]), 3,
			       "ptupdate: read-only keeps the frame");
			break;
		case 2:		/* remap to another frame, writable */
			f = (f + 7) % NR_FRAMES;
			cur[s] = f;
			set_pte(pte, frame(f) | PT_KERNEL);
			invlpg(va);
			write64(va + 8, i);
			expect(va, bench_marker(4, f), 2,
			       "ptupdate: a remapping reaches its frame");
			break;
		default:	/* unmap */
			set_pte(pte, 0);
			invlpg(va);
			if (!(++nunmap % 16)) {
				probe_kind = 1;
				probe_va = va;
				want_np++;
				expect(va, bench_marker(4, 0xffff), 4,
				       "ptupdate: an unmapped page faults");
				probe_va = 0;
				set_pte(pte, 0);
				invlpg(va);
			}
			break;
		}
		state[s] = (state[s] + 1) & 3;
		s = (s + STRIDE) % NR_SLOTS;
	}
	t1 = read_tsc();
	write_cr3(LAUNCHER_PML4);
	if (probe_faults_np != want_np || probe_faults_wp != want_wp) {
		puts("  not-present probes ");
		put_dec(probe_faults_np);
		puts(" of ");
		put_dec(want_np);
		puts(", read-only probes ");
		put_dec(probe_faults_wp);
		puts(" of ");
		put_dec(want_wp);
		putc('\n');
		check(0, 6, "ptupdate: every probe faulted exactly once");
	}
	check(1, 0, "ptupdate: 100000 PTE updates with INVLPG, every access right");
	bench_report("ptupdate", t1 - t0);
	return 0;
}
