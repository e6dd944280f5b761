// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table frames reused as data and back: a pool of frames takes turns
 * being L3, L2, L1 tables and data pages. Each round builds a tree in
 * PML4 slot 1 from the pool (the roles rotate, so a frame that was an L1
 * becomes data, then an L3...), checks the translations, then frees tables
 * while the old translations may still be shadowed: unlinks them, floods
 * them with data patterns and zeroes them with REP STOSQ, checks that the
 * data reads back, and builds them into tables again with other contents.
 * After a table is unlinked and its TLB entries flushed, the address must
 * fault (not present).
 *
 * Exit values: 1 RAM, 2 translation, 3 data written through a mapping,
 * 4 pattern in a former table, 5 zeroed former table, 6 re-used L1,
 * 7 fault after unlink, 8 former tables as data.
 */
#include "pt.h"

#define NR_POOL		12
#define NR_DATA		4
#define ROUNDS		30
#define UVA		0x8000000000UL	/* PML4 slot 1 */

static u64 pool[NR_POOL];
static u64 pml4;
static volatile u64 faults, fault_cr2, fault_err;

static u64 marker(u64 r, u64 j)
{
	return 0x7e05e000000000UL | r << 16 | j;
}

/* read_probe()'s MOV (%rdi),%rax is 3 bytes: skip it, return ~0. */
static int pf_skip(struct exc_frame *f)
{
	faults++;
	fault_cr2 = read_cr2();
	fault_err = f->error;
	f->rax = ~0UL;
	f->rip += 3;
	return 1;
}

static u64 read_probe(u64 va)
{
	u64 v;

	asm volatile(".byte 0x48, 0x8b, 0x07" : "=a"(v) : "D"(va) : "memory");
	return v;
}

static void expect_eq(u64 va, u64 got, u64 want, u32 code, const char *what)
{
	if (got != want) {
		fail_at(what, va, got, want);
		check(0, code, what);
	}
}

/* Flood a frame with data that does not look like page-table entries. */
static void flood(u64 f, u64 seed)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		write64(f + i * 8, (seed * 0x9e3779b97f4a7c15UL) ^ i << 3 ^
			0xfff0000000000ff1UL);
	for (i = 0; i < 4096; i += 64)
		asm volatile("movb %b0, (%1)" : : "q"(seed), "r"(f + i)
			     : "memory");
}

static void check_flood(u64 f, u64 seed, u32 code)
{
	unsigned int i;

	for (i = 0; i < 512; i++) {
		u64 want = (seed * 0x9e3779b97f4a7c15UL) ^ (u64)i << 3 ^
			   0xfff0000000000ff1UL;

		if (!(i % 8))
			want = (want & ~0xffUL) | (seed & 0xff);
		expect_eq(f + i * 8, read64(f + i * 8), want, code,
			  "data pattern in a former page table");
	}
}

static void check_zero(u64 f, u32 code)
{
	unsigned int i;

	for (i = 0; i < 512; i++)
		expect_eq(f + i * 8, read64(f + i * 8), 0, code,
			  "zeroed former page table");
}

int main(void)
{
	u64 l3, l2, l1, data[NR_DATA], *top;
	unsigned int r, j;
	u64 before;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	set_exception_handler(VEC_PF, pf_skip);
	pml4 = pml4_alloc();
	top = (u64 *)pml4;
	for (j = 0; j < NR_POOL; j++)
		pool[j] = frame_alloc();
	write_cr3(pml4);

	for (r = 0; r < ROUNDS; r++) {
		/* Roles rotate: last round's tables are this round's data. */
		l3 = pool[(r * 3) % NR_POOL];
		l2 = pool[(r * 3 + 1) % NR_POOL];
		l1 = pool[(r * 3 + 2) % NR_POOL];
		for (j = 0; j < NR_DATA; j++) {
			data[j] = pool[(r * 3 + 3 + j) % NR_POOL];
			write64(data[j], marker(r, j));
			write64(data[j] + 8, 0);
		}
		zero_page(l3);
		zero_page(l2);
		zero_page(l1);
		for (j = 0; j < NR_DATA; j++)
			set_pte((u64 *)l1 + j, data[j] | PT_USER);
		set_pte((u64 *)l2, l1 | PT_USER);
		set_pte((u64 *)l3, l2 | PT_USER);
		set_pte(&top[1], l3 | PT_USER);

		for (j = 0; j < NR_DATA; j++) {
			u64 va = UVA + j * 0x1000UL;

			expect_eq(va, read64(va), marker(r, j), 2,
				  "translation through freshly built tables");
			write64(va + 8, r + 1);
			expect_eq(data[j] + 8, read64(data[j] + 8), r + 1, 3,
				  "write through the mapping lands in the frame");
		}

		/* Free the L1: unlink, flush, reuse the frame as data. */
		set_pte((u64 *)l2, 0);
		for (j = 0; j < NR_DATA; j++)
			invlpg(UVA + j * 0x1000UL);
		before = faults;
		read_probe(UVA);
		if (faults != before + 1 || fault_cr2 != UVA || fault_err != 0) {
			fail_at("fault after unlink", UVA, fault_err, 0);
			check(0, 7, "unlinked L1: not-present #PF");
		}
		flood(l1, r + 1);
		check_flood(l1, r + 1, 4);
		zero_page(l1);
		check_zero(l1, 5);

		/* Back to an L1, mapping the data frames in reverse order. */
		for (j = 0; j < NR_DATA; j++)
			set_pte((u64 *)l1 + j, data[NR_DATA - 1 - j] | PT_USER);
		set_pte((u64 *)l2, l1 | PT_USER);
		for (j = 0; j < NR_DATA; j++) {
			u64 va = UVA + j * 0x1000UL;

			expect_eq(va, read64(va), marker(r, NR_DATA - 1 - j), 6,
				  "translation through a re-used L1");
		}

		/* End of round: unlink everything, tables become data. */
		set_pte(&top[1], 0);
		write_cr3(pml4);
		before = faults;
		read_probe(UVA + 0x1000);
		if (faults != before + 1 || fault_cr2 != UVA + 0x1000) {
			fail_at("fault after unlink", UVA + 0x1000, fault_err, 0);
			check(0, 7, "unlinked L3: not-present #PF");
		}
		flood(l3, r + 100);
		flood(l2, r + 200);
		memset((void *)l1, 0x5a, 0x1000);
		check_flood(l3, r + 100, 8);
		check_flood(l2, r + 200, 8);
		for (j = 0; j < 512; j++)
			expect_eq(l1 + j * 8, read64(l1 + j * 8),
				  0x5a5a5a5a5a5a5a5aUL, 8,
				  "former L1 as data (byte writes)");
	}
	check(1, 0, "30 rounds: frames rotated through L3, L2, L1 and data");
	write_cr3(LAUNCHER_PML4);
	puts("ptreuse: all checks passed\n");
	return 0;
}
