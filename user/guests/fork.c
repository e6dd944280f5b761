// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark "fork": copy an address space with every writable entry made
 * read-only, write to each page from the copy (copy-on-write), then exit
 * the copy, as fork() + exit() do; four generations.
 *
 * The parent maps NR_PAGES data pages at UVA (two L1 tables), all
 * written once. fork() builds the child's tables with the parent's L1
 * entries minus W, clears W in the parent's live entries and reloads CR3
 * (Linux flushes the parent's TLB the same way). The child writes every
 * page: each write faults (P|W), the guest's handler copies the page,
 * maps the copy writable, INVLPGs and retries. The child's pages and the
 * parent's are checked, the child exits (its PTEs are cleared one by one
 * in its tables, its copies and tables freed), and the parent writes
 * every page again: each fault now finds the page no longer shared and
 * only restores W.
 *
 * Exit values: 1 RAM, 2 unexpected fault, 3 child content, 4 parent
 * content, 5 fault counts, 6 leaked frames.
 * RAM: 32 MiB (-m 32M).
 */
#include "bench.h"

#define NR_PAGES	1024
#define GENERATIONS	4
#define NR_DATA		3072	/* data frames at DATA_BASE */

struct space {
	u64 pml4, l1[NR_PAGES / 512];
};

static struct space parent, child;
static u8 refs[NR_DATA];
static unsigned int data_next;
static u64 cow_copies, cow_reuses;

static u64 data_alloc(void)
{
	unsigned int i;

	for (i = 0; i < NR_DATA; i++) {
		unsigned int k = (data_next + i) % NR_DATA;

		if (!refs[k]) {
			refs[k] = 1;
			data_next = k + 1;
			return DATA_BASE + (u64)k * 4096;
		}
	}
	check(0, 6, "fork: data frames left");
	return 0;
}

static u8 *ref(u64 frame)
{
	return &refs[(frame - DATA_BASE) >> 12];
}

static u64 *pte(struct space *s, unsigned int i)
{
	return (u64 *)s->l1[i / 512] + i % 512;
}

static void copy_page(u64 dst, u64 src)
{
	u64 n = 512;

	asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static int cow_fault(struct exc_frame *f)
{
	u64 cr2 = read_cr2(), cr3 = read_cr3(), e, frame, copy;
	struct space *s;
	u64 *p;

	s = cr3 == parent.pml4 ? &parent : cr3 == child.pml4 ? &child : NULL;
	if (!s || f->error != (PFEC_P | PFEC_W) || cr2 < UVA ||
	    cr2 >= UVA + NR_PAGES * 4096UL)
		return 0;
	p = pte(s, (cr2 - UVA) >> 12);
	e = read64((u64)p);
	if (!(e & PTE_P) || (e & PTE_RW))
		return 0;
	frame = e & PTE_ADDR;
	if (*ref(frame) > 1) {
		copy = data_alloc();
		copy_page(copy, frame);
		(*ref(frame))--;
		set_pte(p, copy | PT_KERNEL | PTE_A | PTE_D);
		cow_copies++;
	} else {
		set_pte(p, e | PTE_RW);
		cow_reuses++;
	}
	invlpg(cr2);
	return 1;
}

static void space_tables(struct space *s)
{
	unsigned int i;

	s->pml4 = pml4_alloc();
	map_page(s->pml4, UVA, 0, 0);	/* builds L3 and L2 */
	for (i = 0; i < NR_PAGES / 512; i++) {
		if (i)
			map_page(s->pml4, UVA + i * 0x200000UL, 0, 0);
		s->l1[i] = (u64)pte_of(s->pml4, UVA + i * 0x200000UL);
	}
}

/* Runs on the parent's CR3. */
static void fork(void)
{
	unsigned int i;

	space_tables(&child);
	for (i = 0; i < NR_PAGES; i++) {
		u64 e = read64((u64)pte(&parent, i)) & ~PTE_RW;

		set_pte(pte(&parent, i), e);
		write64((u64)pte(&child, i), e);
		(*ref(e & PTE_ADDR))++;
	}
	write_cr3(parent.pml4);
}

/* Runs on the parent's CR3: zap the child's PTEs, free everything. */
static void child_exit(void)
{
	u64 l3, l2;
	unsigned int i;

	for (i = 0; i < NR_PAGES; i++) {
		u64 *p = pte(&child, i), frame = read64((u64)p) & PTE_ADDR;

		set_pte(p, 0);
		(*ref(frame))--;
	}
	l3 = read64(child.pml4 + 8) & PTE_ADDR;
	l2 = read64(l3) & PTE_ADDR;
	for (i = 0; i < NR_PAGES / 512; i++)
		frame_free(child.l1[i]);
	frame_free(l2);
	frame_free(l3);
	frame_free(child.pml4);
	child.pml4 = 0;
}

static u64 val(u64 who, u64 gen, u64 page)
{
	return bench_marker(who << 8 | gen, page);
}

static void write_all(u64 who, u64 gen)
{
	unsigned int i;

	for (i = 0; i < NR_PAGES; i++)
		write64(UVA + i * 4096UL + 16, val(who, gen, i));
}

static void expect_all(u64 who, u64 gen, u32 code, const char *what)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < NR_PAGES; i++) {
		v = read64(UVA + i * 4096UL + 16);
		if (v != val(who, gen, i)) {
			fail_at(what, UVA + i * 4096UL + 16, v,
				val(who, gen, i));
			check(0, code, what);
		}
	}
}

int main(void)
{
	u64 t0, t1, copies0, reuses0;
	unsigned int g, i, leaked = 0;

	bench_need_ram(DATA_BASE + NR_DATA * 4096UL, "-m 32M");
	idt_setup();
	set_exception_handler(VEC_PF, cow_fault);
	space_tables(&parent);
	for (i = 0; i < NR_PAGES; i++)
		set_pte(pte(&parent, i), data_alloc() | PT_KERNEL);
	write_cr3(parent.pml4);
	write_all(1, 0);

	t0 = read_tsc();
	for (g = 1; g <= GENERATIONS; g++) {
		copies0 = cow_copies;
		reuses0 = cow_reuses;
		fork();
		write_cr3(child.pml4);
		expect_all(1, g - 1, 3, "fork: the child sees the parent's data");
		write_all(2, g);
		expect_all(2, g, 3, "fork: the child sees its own writes");
		write_cr3(parent.pml4);
		expect_all(1, g - 1, 4, "fork: the parent is unchanged by the child");
		child_exit();
		write_all(1, g);
		expect_all(1, g, 4, "fork: the parent sees its own writes");
		if (cow_copies - copies0 != NR_PAGES ||
		    cow_reuses - reuses0 != NR_PAGES) {
			puts("  generation ");
			put_dec(g);
			puts(" copies ");
			put_dec(cow_copies - copies0);
			puts(" reuses ");
			put_dec(cow_reuses - reuses0);
			putc('\n');
			check(0, 5, "fork: one copy per child write, one reuse per parent write");
		}
	}
	t1 = read_tsc();
	write_cr3(LAUNCHER_PML4);
	for (i = 0; i < NR_DATA; i++)
		leaked += refs[i];
	check(leaked == NR_PAGES, 6, "fork: only the parent's pages are left");
	check(1, 0, "fork: 4 generations of 1024 COW copies and 1024 reuses, contents right");
	bench_report("fork", t1 - t0);
	return 0;
}
