// SPDX-License-Identifier: GPL-2.0
/*
 * Fork-like copy-on-write churn. A parent maps NR_PAGES writable pages in
 * PML4 slot 1. Each generation "forks": the child gets new tables whose
 * L1 entries are the parent's with W cleared, and the parent's own entries
 * lose W too (written in its live tables, then a CR3 reload as Linux's
 * flush_tlb_mm does). Writes from either side then fault (P|W); the
 * guest's #PF handler copies a page still shared (or, when the other side
 * already copied it, just makes it writable again), INVLPGs and retries.
 * Parent and child contents are checked, the child exits (its tables are
 * scribbled over and freed, its frames dropped), and it starts again.
 *
 * Exit values: 1 RAM, 2 unexpected fault, 3 child content, 4 parent
 * content, 5 fault counts, 6 child after parent writes, 7 leaks.
 */
#include "pt.h"

#define NR_PAGES	16
#define GENERATIONS	12	/* each ~0.7 s in Bochs with audit=1 */
#define UVA		0x8000000000UL	/* PML4 slot 1 */

struct space {
	u64 pml4, l3, l2, l1;
};

static struct space parent, child;
static u8 refs[PT_NR_FRAMES];
static u64 cow_copies, cow_reuses, cow_faults;

static u8 *ref(u64 frame)
{
	return &refs[(frame - PT_POOL_BASE) >> 12];
}

static u64 val(u64 who, u64 gen, u64 page)
{
	return 0xc0f0000000000000UL | who << 32 | gen << 16 | page;
}

static int cow_fault(struct exc_frame *f)
{
	u64 cr2 = read_cr2(), cr3 = read_cr3();
	u64 *pte, e, frame, copy;
	struct space *s;

	if (cr3 == parent.pml4)
		s = &parent;
	else if (cr3 == child.pml4)
		s = &child;
	else
		return 0;
	if (f->error != (PFEC_P | PFEC_W) || cr2 < UVA ||
	    cr2 >= UVA + NR_PAGES * 0x1000UL)
		return 0;
	pte = (u64 *)s->l1 + ((cr2 - UVA) >> 12);
	e = read64((u64)pte);
	if (!(e & PTE_P) || (e & PTE_RW))
		return 0;
	frame = e & PTE_ADDR;
	cow_faults++;
	if (*ref(frame) > 1) {
		copy = frame_alloc();
		memcpy((void *)copy, (void *)frame, 0x1000);
		(*ref(frame))--;
		*ref(copy) = 1;
		set_pte(pte, copy | PT_USER | (e & (PTE_A | PTE_D)));
		cow_copies++;
	} else {
		set_pte(pte, e | PTE_RW);
		cow_reuses++;
	}
	invlpg(cr2);
	return 1;
}

static void space_tables(struct space *s)
{
	s->pml4 = pml4_alloc();
	s->l3 = table_alloc();
	s->l2 = table_alloc();
	s->l1 = table_alloc();
	write64(s->l2, s->l1 | PT_USER);
	write64(s->l3, s->l2 | PT_USER);
	write64(s->pml4 + 8, s->l3 | PT_USER);
}

/* Copy the parent's space; both sides lose W. Runs on the parent's CR3. */
static void fork(void)
{
	unsigned int i;

	space_tables(&child);
	for (i = 0; i < NR_PAGES; i++) {
		u64 *pp = (u64 *)parent.l1 + i;
		u64 e = read64((u64)pp) & ~PTE_RW;

		set_pte(pp, e);
		write64(child.l1 + i * 8, e);
		(*ref(e & PTE_ADDR))++;
	}
	write_cr3(parent.pml4);
}

static void child_exit(void)
{
	u64 t[4] = { child.pml4, child.l3, child.l2, child.l1 };
	unsigned int i, j;

	for (i = 0; i < NR_PAGES; i++) {
		u64 frame = read64(child.l1 + i * 8) & PTE_ADDR;

		if (!--(*ref(frame)))
			frame_free(frame);
	}
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 512; j++)
			write64(t[i] + j * 8, 0x0badUL << 48 | j << 12 | 7);
		frame_free(t[i]);
	}
	child.pml4 = 0;
}

static unsigned int popcount(u32 m)
{
	unsigned int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

/* Page i of the current space holds @want at offset 16. */
static void expect(unsigned int i, u64 want, u32 code, const char *what)
{
	u64 va = UVA + i * 0x1000UL + 16, v = read64(va);

	if (v != want) {
		fail_at(what, va, v, want);
		check(0, code, what);
	}
}

int main(void)
{
	u64 pval[NR_PAGES], cval[NR_PAGES];
	u64 copies0, reuses0, want_copies, want_reuses;
	unsigned int g, i, frames_used = 0;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	set_exception_handler(VEC_PF, cow_fault);
	space_tables(&parent);
	for (i = 0; i < NR_PAGES; i++) {
		u64 f = frame_alloc();

		memset((void *)f, 0, 0x1000);
		pval[i] = val(1, 0, i);
		write64(f + 16, pval[i]);
		*ref(f) = 1;
		write64(parent.l1 + i * 8, f | PT_USER);
	}
	write_cr3(parent.pml4);

	for (g = 1; g <= GENERATIONS; g++) {
		/* Pages the child writes, and pages the parent writes. */
		u32 cmask = (0x9e37u * g) & 0xffff, pmask = (0x7f4au * g) & 0xffff;

		copies0 = cow_copies;
		reuses0 = cow_reuses;
		fork();
		write_cr3(child.pml4);
		for (i = 0; i < NR_PAGES; i++) {
			expect(i, pval[i], 3, "child sees the parent's data");
			cval[i] = pval[i];
			if (cmask & (1u << i)) {
				cval[i] = val(2, g, i);
				write64(UVA + i * 0x1000UL + 16, cval[i]);
			}
		}
		for (i = 0; i < NR_PAGES; i++)
			expect(i, cval[i], 3, "child sees its own writes");

		write_cr3(parent.pml4);
		for (i = 0; i < NR_PAGES; i++)
			expect(i, pval[i], 4, "parent unchanged by the child");
		for (i = 0; i < NR_PAGES; i++)
			if (pmask & (1u << i)) {
				pval[i] = val(1, g, i);
				write64(UVA + i * 0x1000UL + 16, pval[i]);
			}
		for (i = 0; i < NR_PAGES; i++)
			expect(i, pval[i], 4, "parent sees its own writes");

		write_cr3(child.pml4);
		for (i = 0; i < NR_PAGES; i++)
			expect(i, cval[i], 6, "child unchanged by the parent");

		/*
		 * Child writes copy every page (all shared at fork); parent
		 * writes copy what the child did not, reuse what it did.
		 */
		want_copies = popcount(cmask) +
			      popcount(pmask & ~cmask);
		want_reuses = popcount(pmask & cmask);
		if (cow_copies - copies0 != want_copies ||
		    cow_reuses - reuses0 != want_reuses) {
			puts("  generation ");
			put_dec(g);
			puts(" copies ");
			put_dec(cow_copies - copies0);
			puts(" want ");
			put_dec(want_copies);
			puts(" reuses ");
			put_dec(cow_reuses - reuses0);
			puts(" want ");
			put_dec(want_reuses);
			putc('\n');
			check(0, 5, "one COW fault per first write to a shared page");
		}
		write_cr3(parent.pml4);
		child_exit();
	}
	for (i = 0; i < PT_NR_FRAMES; i++)
		frames_used += pt_used[i];
	/* Parent: PML4, L3, L2, L1 and its pages. */
	check(frames_used == 4 + NR_PAGES, 7,
	      "every child frame and table freed after exit");
	check(1, 0, "forks: copy-on-write faults, copies and reuses as expected");
	write_cr3(LAUNCHER_PML4);
	puts("cowfork: ");
	put_dec(cow_faults);
	puts(" COW faults in ");
	put_dec(GENERATIONS);
	puts(" forks");
	puts(" (");
	put_dec(cow_copies);
	puts(" copies); all checks passed\n");
	return 0;
}
