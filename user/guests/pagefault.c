// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page faults: the guest's own #PF handler must see the
 * architectural error code and CR2, fix its page tables, INVLPG, and the
 * access must then succeed.
 *
 * The 2 MiB page at 4 MiB of the launcher's identity map is replaced by
 * a 4 KiB page table at 8 MiB (same identity mapping). The 2 MiB page at
 * 6 MiB is used for large-page faults. Needs at least 12 MiB of RAM.
 */
#include "rt.h"

#define TEST_BASE	0x400000UL	/* 4 MiB, 4 KiB pages */
#define PT_PAGE		0x800000UL	/* its page table */
#define BIG_BASE	0x600000UL	/* 6 MiB, one 2 MiB page */
#define PDE_TEST	(LAUNCHER_PD + 2 * 8)
#define PDE_BIG		(LAUNCHER_PD + 3 * 8)

static u64 *const pt = (u64 *)PT_PAGE;

static u64 marker(unsigned int page)
{
	return 0x5eed000000000000UL | (u64)page << 16 | 0x1234;
}

/* Give back what the test took away, from the faulting address. */
static int pf_handler(struct exc_frame *f)
{
	u64 cr2 = read_cr2();
	u64 *pde = (u64 *)PDE_BIG;

	(void)f;
	if (cr2 >= TEST_BASE && cr2 < TEST_BASE + 0x200000) {
		unsigned int idx = (cr2 - TEST_BASE) >> 12;
		u64 frame = TEST_BASE + ((u64)idx << 12);

		u64 pte = read64((u64)&pt[idx]);

		if (!(pte & PTE_P))
			pte = frame | PTE_P | PTE_RW;
		else if (f->error & PFEC_I)
			pte &= ~PTE_NX;
		else if (f->error & PFEC_W)
			pte |= PTE_RW;
		else
			return 0;
		set_pte(&pt[idx], pte);
		invlpg(cr2);
		return 1;
	}
	if (cr2 >= BIG_BASE && cr2 < BIG_BASE + 0x200000) {
		u64 e = read64((u64)pde);

		if (!(e & PTE_P))
			e = BIG_BASE | PTE_P | PTE_RW | PTE_PS;
		else if (f->error & PFEC_W)
			e |= PTE_RW;
		else
			return 0;
		set_pte(pde, e);
		invlpg(cr2);
		return 1;
	}
	return 0;
}

/* One #PF happened since @before with @err at @addr. */
static void check_fault(u64 before, u64 err, u64 addr, u32 code,
			const char *what)
{
	int ok = last_exc.count == before + 1 && last_exc.vector == VEC_PF &&
		 last_exc.error == err && last_exc.cr2 == addr;

	if (!ok) {
		puts("  faults ");
		put_dec(last_exc.count - before);
		puts(" vector ");
		put_dec(last_exc.vector);
		puts(" error ");
		put_hex(last_exc.error);
		puts(" (want ");
		put_hex(err);
		puts(") cr2 ");
		put_hex(last_exc.cr2);
		puts(" (want ");
		put_hex(addr);
		puts(")\n");
	}
	check(ok, code, what);
}

int main(void)
{
	u64 before, v;
	unsigned int i;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	set_exception_handler(VEC_PF, pf_handler);

	for (i = 0; i < 8; i++)
		write64(TEST_BASE + i * 0x1000UL, marker(i));
	write64(BIG_BASE + 0x100, marker(100));
	for (i = 0; i < 512; i++)
		pt[i] = (TEST_BASE + i * 0x1000UL) | PTE_P | PTE_RW;
	write64(PDE_TEST, PT_PAGE | PTE_P | PTE_RW);
	write_cr3(read_cr3());	/* the 2 MiB translation is gone */
	check(read64(TEST_BASE + 0x1000) == marker(1) && last_exc.count == 0,
	      2, "4 KiB page table replaces a 2 MiB page");

	/* Not present, read. */
	set_pte(&pt[1], 0);
	invlpg(TEST_BASE + 0x1000);
	before = last_exc.count;
	v = read64(TEST_BASE + 0x1000);
	check_fault(before, 0, TEST_BASE + 0x1000, 3,
		    "read of a non-present page: #PF error 0, CR2");
	check(v == marker(1), 4, "read retried after the handler fixed the PTE");

	/* Not present, write. */
	set_pte(&pt[2], 0);
	invlpg(TEST_BASE + 0x2000);
	before = last_exc.count;
	write64(TEST_BASE + 0x2008, 0xabcdef);
	check_fault(before, PFEC_W, TEST_BASE + 0x2008, 5,
		    "write to a non-present page: #PF error W, CR2");
	check(read64(TEST_BASE + 0x2008) == 0xabcdef &&
	      read64(TEST_BASE + 0x2000) == marker(2), 6,
	      "write retried after the handler fixed the PTE");

	/* Present, read-only, supervisor write with CR0.WP = 1. */
	check(read_cr0() & (1UL << 16), 7, "CR0.WP is set");
	set_pte(&pt[3], (TEST_BASE + 0x3000) | PTE_P);
	invlpg(TEST_BASE + 0x3000);
	before = last_exc.count;
	v = read64(TEST_BASE + 0x3000);
	check(v == marker(3) && last_exc.count == before, 8,
	      "read of a read-only page does not fault");
	write64(TEST_BASE + 0x3010, 0x5555);
	check_fault(before, PFEC_P | PFEC_W, TEST_BASE + 0x3010, 9,
		    "write to a read-only page: #PF error P|W, CR2");
	check(read64(TEST_BASE + 0x3010) == 0x5555, 10,
	      "write retried after the handler made the page writable");

	/* Instruction fetch from a no-execute page (EFER.NXE = 1). */
	asm volatile("movb $0xc3, (%0)" : : "r"(TEST_BASE + 0x4000) : "memory");
	set_pte(&pt[4], (TEST_BASE + 0x4000) | PTE_P | PTE_RW | PTE_NX);
	invlpg(TEST_BASE + 0x4000);
	before = last_exc.count;
	((void (*)(void))(TEST_BASE + 0x4000))();
	check_fault(before, PFEC_P | PFEC_I, TEST_BASE + 0x4000, 11,
		    "fetch from a no-execute page: #PF error P|I, CR2");

	/* Accessed and dirty bits, set as the hardware would. */
	v = read64((u64)&pt[1]);
	check((v & PTE_A) && !(v & PTE_D), 12,
	      "read sets A but not D in the guest PTE");
	v = read64((u64)&pt[2]);
	check((v & (PTE_A | PTE_D)) == (PTE_A | PTE_D), 13,
	      "write sets A and D in the guest PTE");

	/* A 2 MiB page whose PDE is not present, then read-only. */
	v = read64(PDE_BIG);
	write64(PDE_BIG, v & ~PTE_P);
	invlpg(BIG_BASE + 0x100);
	before = last_exc.count;
	v = read64(BIG_BASE + 0x100);
	check_fault(before, 0, BIG_BASE + 0x100, 14,
		    "read of a non-present 2 MiB page: #PF error 0, CR2");
	check(v == marker(100), 15, "2 MiB page read retried after the fix");
	v = read64(PDE_BIG);
	write64(PDE_BIG, v & ~PTE_RW);
	invlpg(BIG_BASE + 0x100);
	before = last_exc.count;
	write64(BIG_BASE + 0x108, 77);
	check_fault(before, PFEC_P | PFEC_W, BIG_BASE + 0x108, 16,
		    "write to a read-only 2 MiB page: #PF error P|W, CR2");
	check(read64(BIG_BASE + 0x108) == 77, 17,
	      "2 MiB page write retried after the fix");

	puts("pagefault: all checks passed\n");
	return 0;
}
