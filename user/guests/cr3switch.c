// SPDX-License-Identifier: GPL-2.0
/*
 * Address-space switching: four sets of 4-level tables built by the guest
 * map the same linear address TEST_VA to different frames; the guest
 * switches CR3 among them, changes PTEs with and without INVLPG, and
 * writes to tables that are in use. Needs at least 12 MiB of RAM.
 *
 * Every space maps 0-4 GiB through the launcher's PDPT (PML4 slot 0), so
 * code, data and stack stay reachable.
 */
#include "rt.h"

#define NR_AS		4
#define ROUNDS		50
#define SCRATCH		0x800000UL		/* 8 MiB */
#define FRAMES		(SCRATCH + 0x100000UL)
#define TEST_VA		0x8000000000UL		/* PML4 slot 1 */
#define TEST_VA2	0x10000000000UL		/* PML4 slot 2 */

struct space {
	u64 *pml4, *pdpt, *pd, *pt;
};

static struct space as[NR_AS];

static u64 frame(unsigned int k)
{
	return FRAMES + k * 0x1000UL;
}

static u64 marker(unsigned int k)
{
	return 0xc3c3000000000000UL | (u64)k << 8 | 0x5a;
}

static int pf_handler(struct exc_frame *f)
{
	(void)f;
	/* Only the deliberate fault of space 0 is expected. */
	if (read_cr2() != TEST_VA || read_cr3() != (u64)as[0].pml4 ||
	    read64((u64)&as[0].pt[0]) & PTE_P)
		return 0;
	set_pte(&as[0].pt[0], frame(0) | PTE_P | PTE_RW);
	invlpg(TEST_VA);
	return 1;
}

static void build(void)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		memset((void *)frame(i), 0, 0x1000);
		write64(frame(i), marker(i));
	}
	for (i = 0; i < NR_AS; i++) {
		u64 base = SCRATCH + i * 0x4000UL;

		memset((void *)base, 0, 0x4000);
		as[i].pml4 = (u64 *)base;
		as[i].pdpt = (u64 *)(base + 0x1000);
		as[i].pd = (u64 *)(base + 0x2000);
		as[i].pt = (u64 *)(base + 0x3000);
		as[i].pml4[0] = LAUNCHER_PDPT | PTE_P | PTE_RW;
		as[i].pml4[1] = (u64)as[i].pdpt | PTE_P | PTE_RW;
		as[i].pdpt[0] = (u64)as[i].pd | PTE_P | PTE_RW;
		as[i].pd[0] = (u64)as[i].pt | PTE_P | PTE_RW;
		as[i].pt[0] = frame(i) | PTE_P | PTE_RW;
	}
}

static void expect(u64 va, u64 want, u32 code, const char *what)
{
	u64 v = read64(va);

	if (v != want) {
		puts("  at ");
		put_hex(va);
		puts(" read ");
		put_hex(v);
		puts(" want ");
		put_hex(want);
		puts(" cr3 ");
		put_hex(read_cr3());
		putc('\n');
	}
	check(v == want, code, what);
}

int main(void)
{
	unsigned int r, i;
	int ok = 1;
	u64 before;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	set_exception_handler(VEC_PF, pf_handler);
	build();

	for (r = 0; r < ROUNDS && ok; r++) {
		for (i = 0; i < NR_AS && ok; i++) {
			write_cr3((u64)as[i].pml4);
			ok = read_cr3() == (u64)as[i].pml4 &&
			     read64(TEST_VA) == marker(i);
			/* A write through TEST_VA lands in frame i. */
			write64(TEST_VA + 8, r << 8 | i);
			ok = ok && read64(frame(i) + 8) == (r << 8 | i);
			if (!ok) {
				puts("  round ");
				put_dec(r);
				puts(" space ");
				put_dec(i);
				puts(" read ");
				put_hex(read64(TEST_VA));
				putc('\n');
			}
		}
	}
	check(ok, 2, "200 CR3 loads among 4 address spaces see their own frames");

	/* PTE change + INVLPG in the loaded space. */
	write_cr3((u64)as[0].pml4);
	expect(TEST_VA, marker(0), 3, "space 0 maps frame 0");
	set_pte(&as[0].pt[0], frame(4) | PTE_P | PTE_RW);
	invlpg(TEST_VA);
	expect(TEST_VA, marker(4), 4, "PTE changed + INVLPG: new frame seen");
	set_pte(&as[0].pt[0], frame(0) | PTE_P | PTE_RW);
	invlpg(TEST_VA);
	expect(TEST_VA, marker(0), 5, "PTE restored + INVLPG: old frame seen");

	/* Tables written while in use: new entries at every level. */
	write_cr3((u64)as[1].pml4);
	set_pte(&as[1].pt[1], frame(5) | PTE_P | PTE_RW);
	expect(TEST_VA + 0x1000, marker(5), 6,
	       "new PTE in the loaded tables is used without a flush");
	set_pte(&as[1].pml4[2], (u64)as[2].pdpt | PTE_P | PTE_RW);
	expect(TEST_VA2, marker(2), 7,
	       "new PML4 entry in the loaded tables reaches another space's PDPT");
	set_pte(&as[1].pd[0], (u64)as[3].pt | PTE_P | PTE_RW);
	write_cr3((u64)as[1].pml4);
	expect(TEST_VA, marker(3), 8,
	       "PDE changed + CR3 reload: the other page table is used");

	/* Every space still right after the changes. */
	write_cr3((u64)as[0].pml4);
	expect(TEST_VA, marker(0), 9, "space 0 unchanged");
	write_cr3((u64)as[2].pml4);
	expect(TEST_VA, marker(2), 10, "space 2 unchanged");
	write_cr3((u64)as[3].pml4);
	expect(TEST_VA, marker(3), 11, "space 3 unchanged");
	write_cr3((u64)as[1].pml4);
	expect(TEST_VA, marker(3), 12, "space 1 keeps the new page table");

	/* A PTE cleared + INVLPG faults, with CR2, in the right space. */
	write_cr3((u64)as[0].pml4);
	set_pte(&as[0].pt[0], 0);
	invlpg(TEST_VA);
	before = last_exc.count;
	expect(TEST_VA, marker(0), 13, "read after the #PF handler restored the PTE");
	check(last_exc.count == before + 1 && last_exc.error == 0 &&
	      last_exc.cr2 == TEST_VA, 14,
	      "cleared PTE + INVLPG: #PF error 0 with CR2 = TEST_VA");

	write_cr3(LAUNCHER_PML4);
	check(read_cr3() == LAUNCHER_PML4, 15, "back on the launcher's tables");
	puts("cr3switch: all checks passed\n");
	return 0;
}
