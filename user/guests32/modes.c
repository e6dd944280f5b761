// SPDX-License-Identifier: GPL-2.0
/*
 * Paging-mode switches done by the guest itself. Entered in unpaged 32-bit
 * protected mode (shadowvm-run --mode=unpaged), it
 *  1. checks unpaged accesses (linear = physical, up to the end of RAM);
 *  2. turns on 2-level paging (4-byte entries): translations, A/D bits,
 *     #PF error codes and CR2, INVLPG after a PTE change, CR4.PSE (a PDE
 *     with PS is a table pointer with PSE=0 and a 4 MiB page with PSE=1,
 *     bit 21 reserved), CR4.PGE (toggling it flushes global entries);
 *  3. switches to PAE paging (PG=0, CR4.PAE=1, CR3 = PDPT, PG=1) with
 *     EFER.NXE: the same checks on 8-byte entries, 2 MiB pages, NX faults
 *     and NX as a reserved bit with NXE=0, PDPTEs left alone by the walker,
 *     a PDPTE change seen only after CR3 is reloaded, a reserved PDPTE bit
 *     refused by MOV to CR3 with #GP;
 *  4. enters IA-32e mode (EFER.LME=1, the PAE tables under a PML4, PG=1,
 *     far jump to a 64-bit code segment), checks a translation above
 *     4 GiB and the A/D bits of 4-level entries;
 *  5. goes back to compatibility mode, turns paging and LME off and checks
 *     unpaged accesses again.
 * Exit: HLT (status 0) after "modes: all checks passed"; check N failed:
 * status (N << 1) | 1. Needs 12 MiB of RAM.
 *
 * QEMU TCG reads PAE PDPTEs at every walk instead of at CR3 loads (and
 * sets their A bit), and reports reserved-bit faults without P; those
 * differences are counted as
 * "TCG quirks" under TCG only, so the QEMU run stays a check of the rest.
 */
#include "rt32.h"

/* Physical layout; the image and its stacks are below 0x300000. */
#define PD2		0x300000U	/* 2-level page directory */
#define ID_PT		0x301000U	/* four PTs: 0-16 MiB identity */
#define PT_T		0x305000U	/* PT of the test window */
#define PDPT		0x310000U	/* PAE PDPT, later the 4-level PDPT */
#define PD0		0x311000U	/* PAE: 0-16 MiB identity, 2 MiB pages */
#define PD1		0x312000U	/* PAE: test window */
#define PT1		0x313000U
#define PD_BAD		0x314000U
#define PML4		0x315000U
#define PD4		0x316000U	/* 4-level: linear 4 GiB */
#define IDT64		0x317000U
#define PT_X		0x400000U	/* 4 MiB aligned: see the PSE check */
#define PAGE_A		0x500000U
#define PAGE_B		0x501000U
#define PAGE_C		0x502000U
#define PAGE_X		0x503000U
#define PAGE_RET	0x504000U	/* RET bytes, for fetches */
#define BIG4M		0x800000U	/* 4 MiB and 2 MiB aligned */
#define BIG2M		0x600000U

#define WIN		0x40000000U	/* test window: PDE 256 / PDPTE 1 */

#define MARK_A		0xa1a1a1a1U
#define MARK_B		0xb2b2b2b2U
#define MARK_C		0xc3c3c3c4U
#define MARK_X		0x58585858U
#define MARK_4M		0x4d4d4d4dU
#define MARK_2M		0x2d2d2d2dU

static u32 nr_check, nr_tcg_quirk;
static int tcg;

#define CHECK(ok, what)		check(ok, ++nr_check, what)
#define CHECK_EQ(g, w, what)	check_eq(g, w, ++nr_check, what)

static u32 rd(u32 addr)
{
	++nr_check;
	if (try_access(addr, TRY_READ32, 0, 2)) {
		puts("FAIL: read of ");
		put_hex(addr);
		puts(" faulted: vector ");
		put_dec(last_exc.vector);
		puts(" error ");
		put_hex(last_exc.error);
		putc('\n');
		guest_exit(nr_check);
	}
	return try_val;
}

static void wr(u32 addr, u32 v)
{
	++nr_check;
	if (try_access(addr, TRY_WRITE32, v, 2)) {
		puts("FAIL: write to ");
		put_hex(addr);
		puts(" faulted: vector ");
		put_dec(last_exc.vector);
		puts(" error ");
		put_hex(last_exc.error);
		putc('\n');
		guest_exit(nr_check);
	}
}

/* @op at @addr must raise #PF with @err and CR2 = @addr. */
static void expect_pf(u32 addr, u32 op, u32 err, const char *what)
{
	int faulted = try_access(addr, op, MARK_X, 2);
	int ok = faulted && last_exc.vector == VEC_PF &&
		 last_exc.error == err && last_exc.cr2 == addr;

	if (!ok && tcg && faulted && (err & PFEC_RSVD) &&
	    last_exc.error == (err & ~PFEC_P) && last_exc.cr2 == addr) {
		nr_tcg_quirk++;
		ok = 1;
	}
	puts(ok ? "PASS: " : "FAIL: ");
	puts(what);
	if (faulted) {
		puts(": vector ");
		put_dec(last_exc.vector);
		puts(" error ");
		put_hex(last_exc.error);
		puts(" cr2 ");
		put_hex(last_exc.cr2);
	} else {
		puts(": no fault");
	}
	puts(" (want #PF error ");
	put_hex(err);
	puts(" cr2 ");
	put_hex(addr);
	puts(")\n");
	++nr_check;
	if (!ok)
		guest_exit(nr_check);
}

static void fill(u32 page, u32 v)
{
	u32 i;

	for (i = 0; i < 4096; i += 4)
		write32(page + i, v);
}

/* ---- 1. unpaged ---- */

static void unpaged_checks(const char *when)
{
	u32 top = guest_mem_size - 4;

	puts("modes: unpaged protected mode (");
	puts(when);
	puts(")\n");
	CHECK_EQ(read_cr0() & (CR0_PE | CR0_PG), CR0_PE, "CR0.PE=1 PG=0");
	CHECK_EQ(read_cr4() & (CR4_PAE | CR4_PSE | CR4_PGE), 0,
		 "CR4.PAE/PSE/PGE clear");
	CHECK_EQ(rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA), 0, "EFER.LME/LMA clear");
	write32(top, 0x70707070 ^ top);
	CHECK_EQ(read32(top), 0x70707070 ^ top, "unpaged access to the last word of RAM");
	write32(PAGE_X + 8, 0x1234);
	CHECK_EQ(read32(PAGE_X + 8), 0x1234, "unpaged access is physical");
}

/* ---- 2. 2-level paging ---- */

static void two_level(void)
{
	u32 i, v;

	puts("modes: 2-level paging\n");
	fill(PAGE_A, MARK_A);
	fill(PAGE_B, MARK_B);
	fill(PAGE_C, MARK_C);
	fill(PAGE_X, MARK_X);
	fill(PAGE_RET, 0xc3c3c3c3);
	write32(BIG4M + 0x1234, MARK_4M);
	write32(BIG2M + 0x2468, MARK_2M);

	memset((void *)PD2, 0, 4096);
	memset((void *)PT_T, 0, 4096);
	for (i = 0; i < 4; i++)
		write32(PD2 + i * 4, (ID_PT + i * 4096) | PTE_P | PTE_RW);
	for (i = 0; i < 4096; i++)
		write32(ID_PT + i * 4, (i << 12) | PTE_P | PTE_RW);
	write32(PD2 + 256 * 4, PT_T | PTE_P | PTE_RW);
	write32(PT_T + 0, PAGE_A | PTE_P | PTE_RW);
	write32(PT_T + 4, PAGE_B | PTE_P);		/* read-only */
	write32(PT_T + 8, 0);				/* not present */

	write_cr3(PD2);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	CHECK_EQ(read_cr0() & (CR0_PG | CR0_WP), CR0_PG | CR0_WP, "CR0.PG and WP set");

	CHECK_EQ(rd(WIN), MARK_A, "4 KiB page: read through the window");
	CHECK_EQ(read32(PD2 + 256 * 4), PT_T | PTE_P | PTE_RW | PTE_A,
		 "PDE: A set by the walk, D left alone");
	CHECK_EQ(read32(PT_T), PAGE_A | PTE_P | PTE_RW | PTE_A,
		 "PTE after a read: A set, D clear");
	wr(WIN + 4, 0x11223344);
	CHECK_EQ(read32(PT_T), PAGE_A | PTE_P | PTE_RW | PTE_A | PTE_D,
		 "PTE after a write: A and D set");
	CHECK_EQ(read32(PAGE_A + 4), 0x11223344, "write reached the physical page");

	expect_pf(WIN + 0x2000, TRY_READ32, 0, "read of a not-present PTE");
	expect_pf(WIN + 0x1000, TRY_WRITE32, PFEC_P | PFEC_W,
		  "write to a read-only PTE (WP=1)");
	CHECK_EQ(rd(WIN + 0x1000), MARK_B, "read of the read-only page");
	CHECK_EQ(read32(PT_T + 4), PAGE_B | PTE_P | PTE_A,
		 "read-only PTE: A set, no D after the faulting write");
	expect_pf(WIN + 0x400000 * 7, TRY_READ32, 0, "read under a not-present PDE");

	/* INVLPG after a PTE change: the new frame, never the old. */
	write32(PT_T, PAGE_C | PTE_P | PTE_RW);
	invlpg(WIN);
	CHECK_EQ(rd(WIN), MARK_C, "INVLPG after changing the PTE: new frame");

	/* PSE=0: PS in a PDE is ignored, the PDE points to a page table. */
	write32(PT_X, PAGE_X | PTE_P | PTE_RW);
	write32(PD2 + 258 * 4, PT_X | PTE_PS | PTE_P | PTE_RW);
	CHECK_EQ(rd(WIN + 0x800000), MARK_X, "CR4.PSE=0: PDE.PS ignored, PDE maps a PT");
	/* PSE=1: the same PDE maps 4 MiB at PT_X: the PT's own first word. */
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3(PD2);
	v = read32(PT_X);
	CHECK_EQ(rd(WIN + 0x800000), v, "CR4.PSE=1: the same PDE is a 4 MiB page");
	write32(PD2 + 257 * 4, BIG4M | PTE_PS | PTE_P | PTE_RW);
	CHECK_EQ(rd(WIN + 0x400000 + 0x1234), MARK_4M, "4 MiB page: read");
	CHECK_EQ(read32(PD2 + 257 * 4), BIG4M | PTE_PS | PTE_P | PTE_RW | PTE_A,
		 "4 MiB PDE after a read: A set, D clear");
	wr(WIN + 0x400000 + 0x1238, 0x4444);
	CHECK_EQ(read32(PD2 + 257 * 4),
		 BIG4M | PTE_PS | PTE_P | PTE_RW | PTE_A | PTE_D,
		 "4 MiB PDE after a write: A and D set");
	CHECK_EQ(read32(BIG4M + 0x1238), 0x4444, "4 MiB page: write reached memory");
	/* Bit 21 of a 4 MiB PDE is reserved whatever MAXPHYADDR is. */
	write32(PD2 + 259 * 4, BIG4M | (1U << 21) | PTE_PS | PTE_P | PTE_RW);
	expect_pf(WIN + 0xc00000, TRY_READ32, PFEC_P | PFEC_RSVD,
		  "4 MiB PDE with reserved bit 21");

	/* CR4.PGE: toggling it flushes global translations too. */
	write_cr4(read_cr4() | CR4_PGE);
	write32(PT_T + 12, PAGE_A | PTE_P | PTE_RW | PTE_G);
	CHECK_EQ(rd(WIN + 0x3000), MARK_A, "global page read (CR4.PGE=1)");
	write32(PT_T + 12, PAGE_B | PTE_P | PTE_RW | PTE_G);
	write_cr4(read_cr4() & ~CR4_PGE);
	CHECK_EQ(rd(WIN + 0x3000), MARK_B, "CR4.PGE 1->0 flushed the global page");
}

/* ---- 3. PAE paging ---- */

static void pae(void)
{
	u64 e;
	u32 i;
	int faulted;

	puts("modes: PAE paging\n");
	write_cr0(read_cr0() & ~CR0_PG);
	CHECK_EQ(read_cr0() & CR0_PG, 0, "paging off again");
	write_cr4((read_cr4() & ~(CR4_PSE | CR4_PGE)) | CR4_PAE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

	memset((void *)PDPT, 0, 4096);
	memset((void *)PD0, 0, 4096);
	memset((void *)PD1, 0, 4096);
	memset((void *)PT1, 0, 4096);
	memset((void *)PD_BAD, 0, 4096);
	/* PAE PDPTEs: only P (and PWT/PCD); R/W, U/S, A, D are reserved. */
	write32(PDPT + 0, PD0 | PTE_P);
	write32(PDPT + 8, PD1 | PTE_P);
	for (i = 0; i < 8; i++)
		write32(PD0 + i * 8, (i << 21) | PTE_PS | PTE_P | PTE_RW);
	write32(PD1 + 0, PT1 | PTE_P | PTE_RW);
	write32(PD1 + 8, BIG2M | PTE_PS | PTE_P | PTE_RW);
	write32(PT1 + 0, PAGE_A | PTE_P | PTE_RW);
	write32(PT1 + 8, PAGE_B | PTE_P);
	write32(PT1 + 32, PAGE_RET | PTE_P | PTE_RW);
	write32(PT1 + 36, 1U << 31);			/* NX */
	write32(PT1 + 40, PAGE_RET | PTE_P | PTE_RW);	/* executable */

	write_cr3(PDPT);
	write_cr0(read_cr0() | CR0_PG);
	CHECK_EQ(read_cr4() & CR4_PAE, CR4_PAE, "CR4.PAE set");
	CHECK_EQ(rdmsr(MSR_EFER) & (EFER_NXE | EFER_LMA), EFER_NXE,
		 "EFER.NXE set, LMA clear");

	CHECK_EQ(rd(WIN), MARK_A, "PAE 4 KiB page: read");
	CHECK_EQ(read64(PD1), PT1 | PTE_P | PTE_RW | PTE_A, "PAE PDE: A set");
	CHECK_EQ(read64(PT1), PAGE_A | PTE_P | PTE_RW | PTE_A,
		 "PAE PTE after a read: A set, D clear");
	if (tcg && read64(PDPT + 8) == (PD1 | PTE_P | PTE_A)) {
		/* Bit 5 is reserved in a PAE PDPTE: take it away again. */
		nr_tcg_quirk++;
		puts("modes: TCG quirk: A set in a PAE PDPTE\n");
		write32(PDPT + 0, PD0 | PTE_P);
		write32(PDPT + 8, PD1 | PTE_P);
	} else {
		CHECK_EQ(read64(PDPT + 8), PD1 | PTE_P,
			 "PDPTE untouched by the walk (no A in PAE PDPTEs)");
	}
	wr(WIN + 8, 0x55667788);
	CHECK_EQ(read64(PT1), PAGE_A | PTE_P | PTE_RW | PTE_A | PTE_D,
		 "PAE PTE after a write: A and D set");
	CHECK_EQ(read32(PAGE_A + 8), 0x55667788, "PAE write reached memory");

	CHECK_EQ(rd(WIN + 0x200000 + 0x2468), MARK_2M, "2 MiB page: read");
	wr(WIN + 0x200000 + 0x246c, 0x2222);
	CHECK_EQ(read64(PD1 + 8), BIG2M | PTE_PS | PTE_P | PTE_RW | PTE_A | PTE_D,
		 "2 MiB PDE after a write: A and D set");

	expect_pf(WIN + 0x2000, TRY_READ32, 0, "PAE: read of a not-present PTE");
	expect_pf(WIN + 0x1000, TRY_WRITE32, PFEC_P | PFEC_W,
		  "PAE: write to a read-only PTE");
	expect_pf(WIN + 0x600000, TRY_READ32, 0, "PAE: read under a not-present PDE");
	expect_pf(0x80000000U, TRY_READ32, 0, "PAE: read under a not-present PDPTE");

	/* NX with EFER.NXE=1: data accesses fine, fetches fault with I. */
	CHECK_EQ(rd(WIN + 0x4000), 0xc3c3c3c3, "NX page: read");
	expect_pf(WIN + 0x4000, TRY_CALL, PFEC_P | PFEC_I, "NX page: fetch (NXE=1)");
	CHECK(try_access(WIN + 0x5000, TRY_CALL, 0, 2) == 0,
	      "fetch from a page without NX runs");
	/* NXE=0: bit 63 is reserved. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_NXE);
	write_cr3(PDPT);
	expect_pf(WIN + 0x4000, TRY_READ32, PFEC_P | PFEC_RSVD,
		  "NX bit with EFER.NXE=0: reserved-bit fault");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr3(PDPT);
	CHECK_EQ(rd(WIN + 0x4000), 0xc3c3c3c3, "NX page readable again with NXE=1");

	write32(PT1, PAGE_C | PTE_P | PTE_RW);
	invlpg(WIN);
	CHECK_EQ(rd(WIN), MARK_C, "PAE: INVLPG after changing the PTE: new frame");

	/* PDPTEs are loaded at MOV to CR3: a change in memory waits for one. */
	write32(PDPT + 8, 0);
	invlpg(WIN);
	faulted = try_access(WIN, TRY_READ32, 0, 2);
	if (faulted && tcg) {
		nr_tcg_quirk++;
		puts("modes: TCG quirk: PDPTE change seen before MOV to CR3\n");
	} else {
		CHECK(!faulted && try_val == MARK_C,
		      "PDPTE cleared in memory: still used until CR3 is reloaded");
	}
	write_cr3(PDPT);
	expect_pf(WIN, TRY_READ32, 0, "PDPTE cleared, CR3 reloaded: not present");
	write32(PDPT + 8, PD1 | PTE_P);
	write_cr3(PDPT);
	CHECK_EQ(rd(WIN), MARK_C, "PDPTE restored after CR3 reload");

	/* A reserved bit (R/W) in a present PDPTE: MOV to CR3 raises #GP. */
	write32(PDPT + 16, PD_BAD | PTE_P | PTE_RW);
	faulted = try_access(0, TRY_LOAD_CR3, PDPT, 2);
	if (!faulted && tcg) {
		nr_tcg_quirk++;
		puts("modes: TCG quirk: no #GP for a reserved PDPTE bit\n");
	} else {
		puts(faulted && last_exc.vector == VEC_GP && last_exc.error == 0 ?
		     "PASS: " : "FAIL: ");
		puts("MOV to CR3 with a reserved PDPTE bit: ");
		if (faulted) {
			puts("vector ");
			put_dec(last_exc.vector);
			puts(" error ");
			put_hex(last_exc.error);
		} else {
			puts("no fault");
		}
		puts(" (want #GP(0))\n");
		++nr_check;
		if (!faulted || last_exc.vector != VEC_GP || last_exc.error)
			guest_exit(nr_check);
	}
	write32(PDPT + 16, 0);
	write_cr3(PDPT);
	e = read64(PD1);
	CHECK_EQ(e & PTE_A, PTE_A, "PAE PDE still accessed after the CR3 loads");
}

/* ---- 4. IA-32e mode ---- */

/* 64-bit part (asm below): reads linear 4 GiB + 0x1234, writes + 0x1238. */
u32 run64(void);
extern const u8 exc64[];
volatile u32 val64, esp32;

asm(
"	.text\n"
"	.globl run64\n"
"run64:\n"
"	pushl %ebx\n pushl %esi\n pushl %edi\n pushl %ebp\n"
"	movl %esp, esp32\n"
"	ljmp $0x08, $1f\n"
"	.code64\n"
"1:	movl %esp, %esp\n"		/* RSP's upper half: zero */
"	movabsq $0x100001234, %rax\n"
"	movl (%rax), %ebx\n"
"	movl %ebx, val64(%rip)\n"
"	movabsq $0x100001238, %rax\n"
"	movl $0x64646464, (%rax)\n"
"	pushq $0x18\n"
"	leaq 2f(%rip), %rax\n"
"	pushq %rax\n"
"	lretq\n"
/* Any exception in IA-32e mode: report and stop (there is no way back). */
"	.globl exc64\n"
"exc64:\n"
"	movl $msg64, %esi\n"
"	movw $0x3f8, %dx\n"
"3:	movb (%rsi), %al\n"
"	testb %al, %al\n"
"	jz 4f\n"
"	outb %al, %dx\n"
"	incq %rsi\n"
"	jmp 3b\n"
"4:	movw $0xf4, %dx\n"
"	movl $0x7d, %eax\n"
"	outl %eax, %dx\n"
"5:	hlt\n"
"	jmp 5b\n"
"	.code32\n"
"2:	movl esp32, %esp\n"
"	popl %ebp\n popl %edi\n popl %esi\n popl %ebx\n"
"	movl val64, %eax\n"
"	ret\n"
"	.section .rodata\n"
"msg64:	.asciz \"FAIL: exception in IA-32e mode\\n\"\n"
"	.text\n"
);

static void load_idt64(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr = { 32 * 16 - 1, IDT64 };
	u32 i, h = (u32)exc64;

	for (i = 0; i < 32; i++) {
		write32(IDT64 + i * 16, SEL_CODE64 << 16 | (h & 0xffff));
		write32(IDT64 + i * 16 + 4, (h & 0xffff0000) | 0x8e00);
		write32(IDT64 + i * 16 + 8, 0);
		write32(IDT64 + i * 16 + 12, 0);
	}
	asm volatile("lidt %0" : : "m"(idtr));
}

static void long_mode(void)
{
	u32 v;

	puts("modes: IA-32e mode\n");
	write_cr0(read_cr0() & ~CR0_PG);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_LME);
	CHECK_EQ(rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA), EFER_LME,
		 "EFER.LME set, LMA clear while paging is off");

	/*
	 * The PAE tables under a PML4. 4-level PDPTEs have R/W and U/S (the
	 * PAE ones do not): the identity and window entries get R/W.
	 */
	memset((void *)PML4, 0, 4096);
	memset((void *)PD4, 0, 4096);
	write32(PML4, PDPT | PTE_P | PTE_RW);
	write32(PDPT + 0, PD0 | PTE_P | PTE_RW);
	write32(PDPT + 8, PD1 | PTE_P | PTE_RW);
	write32(PDPT + 32, PD4 | PTE_P | PTE_RW);	/* linear 4 GiB */
	write32(PD4, BIG4M | PTE_PS | PTE_P | PTE_RW);
	write32(BIG4M + 0x1234, MARK_4M);

	load_idt64();
	write_cr3(PML4);
	write_cr0(read_cr0() | CR0_PG);
	CHECK_EQ(rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA,
		 "IA-32e mode active (EFER.LMA) in compatibility mode");
	CHECK_EQ(read32(WIN), MARK_C, "compatibility mode: read through the window");

	v = run64();
	CHECK_EQ(v, MARK_4M, "64-bit mode: read of linear 0x100001234 (4 GiB + 0x1234)");
	CHECK_EQ(read32(BIG4M + 0x1238), 0x64646464, "64-bit mode: write above 4 GiB reached memory");
	CHECK_EQ(read64(PML4), PDPT | PTE_P | PTE_RW | PTE_A, "PML4E: A set");
	CHECK_EQ(read64(PDPT + 32), PD4 | PTE_P | PTE_RW | PTE_A,
		 "4-level PDPTE: A set (unlike PAE)");
	CHECK_EQ(read64(PD4), BIG4M | PTE_PS | PTE_P | PTE_RW | PTE_A | PTE_D,
		 "2 MiB PDE under 4 GiB: A and D set by the 64-bit write");

	/* Down: compatibility mode (we are), paging off, LME off. */
	write_cr0(read_cr0() & ~CR0_PG);
	CHECK_EQ(rdmsr(MSR_EFER) & EFER_LMA, 0, "PG=0 leaves IA-32e mode (LMA clear)");
	wrmsr(MSR_EFER, 0);
	write_cr4(0);
	write_cr3(0);
	rt_load_idt();
}

int main(void)
{
	tcg = on_tcg();
	if (tcg)
		puts("modes: running under QEMU TCG\n");
	check(guest_mem_size >= 12U << 20, 0x7e, "at least 12 MiB of RAM");
	unpaged_checks("entry");
	two_level();
	pae();
	long_mode();
	unpaged_checks("after IA-32e mode");
	CHECK_EQ(read32(PAGE_C), MARK_C, "unpaged read after the round trip");
	if (tcg) {
		puts("modes: TCG quirks tolerated: ");
		put_dec(nr_tcg_quirk);
		putc('\n');
	}
	puts("modes: ");
	put_dec(nr_check);
	puts(" checks, all checks passed\n");
	return 0;
}
