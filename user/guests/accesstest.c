// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table access test: for every combination of entry bits (P, W, U,
 * A, D, NX, a reserved bit, PS where legal) at each level of a 4-level
 * walk, every access kind (read, write, fetch; supervisor with EFLAGS.AC
 * 0 and 1 for data, and user at CPL3), with EFER.NXE, CR4.SMEP and
 * CR4.SMAP each 0 and 1, the guest computes the architectural outcome
 * itself (fault or not, #PF error code, CR2, A and D bits written) and
 * compares it with what the CPU - here, the shadow pager - did.
 * All of that with CR0.WP = 1, then again with CR0.WP = 0 (set by MOV to
 * CR0), where supervisor writes ignore R/W; in the reduced set the WP = 0
 * half runs only the supervisor writes, the only accesses WP changes.
 * SMEP and SMAP modes run only when CPUID offers them. accesstest runs a
 * reduced set of bit combinations (see wanted()), accesstest-full all.
 *
 * One level at a time carries the bits under test; the others are
 * "permissive" (P|W|U|A, and D at the leaf) and stay as they are, so a
 * case rewrites one entry only: every exit costs in an emulated host. The
 * A and D bits the walk sets are checked on the entry under test, at each
 * level in turn, and the permissive entries must not change. The target linear address is TBASE + TARGET, mapped to
 * the physical frame TARGET whatever the page size, and the frame is full
 * of RET (0xc3) bytes, written through the kernel's identity mapping, so
 * a read, a write of 0xc3 and a CALL into it all work without changing it.
 *
 * User accesses: IRETQ to a small stub copied into a user page (CS 0x3b,
 * SS 0x33), which does the access and then UD2; the #UD (or a #PF) comes
 * back to ring 0 through the TSS's RSP0 and the handler resumes the
 * kernel, rewriting the exception frame. Needs 12 MiB of RAM.
 *
 * Outcome dump (differential runs, Documentation/differential.rst): with
 * bit 0 of the guest argument (shadowvm-run --guest-arg, RDX) set, every
 * case also prints one line "@A ..." with what the guest saw - fault or
 * not, vector and error code, CR2, the A/D bits of the path afterwards,
 * the value read - so two hypervisors can be compared line by line.
 * Lines name the reserved bit by its index among the choices, not by its
 * number, as the number depends on MAXPHYADDR, which may differ.
 *
 * Exit values: 1 RAM, 2 mismatches, 3 target page damaged, 4 no cases.
 */
#include "rt.h"

#define TBASE		0x8000000000UL	/* PML4 slot 1: the path under test */
#define TARGET		0xa00000UL	/* frame; 2 MiB and 1 GiB aligned offsets */
#define TVA		(TBASE + TARGET)
#define UVA		0x10000000000UL	/* PML4 slot 2: user stub and stack */

#define PML4		0x200000UL
#define T3		0x201000UL
#define T2		0x202000UL
#define T1		0x203000UL
#define U3		0x204000UL
#define U2		0x205000UL
#define U1		0x206000UL
#define UCODE		0x207000UL
#define USTACK		0x208000UL

#define KCS		0x08
#define KDS		0x10
#define UDS		0x33	/* GDT slot 6, RPL 3 */
#define UCS		0x3b	/* GDT slot 7, RPL 3 */

#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)
#define EFER_MSR	0xc0000080U
#define EFER_NXE	(1UL << 11)
#define RFLAGS_AC	(1UL << 18)
#define CR0_WP		(1UL << 16)

static inline void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* Probe state shared with the assembly below. */
volatile u64 probe_active, probe_rsp, probe_val;
volatile u64 probe_vec, probe_err, probe_cr2;
u64 probe(u64 addr, u64 op, u64 user, u64 rflags);
extern const u8 ustub[], ustub_end[];
extern const u8 probe_ok_resume[], probe_fault_resume[];

/*
 * probe(addr, op 0 read / 1 write / 2 fetch, user, rflags): 0 if the
 * access completed, 1 if an exception stopped it (probe_vec/err/cr2).
 */
asm(
"	.text\n"
"	.globl probe\n"
"probe:\n"
"	pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
"	pushfq\n"
"	movq %rsp, probe_rsp(%rip)\n"
"	movq $1, probe_active(%rip)\n"
"	testq %rdx, %rdx\n"
"	jnz 9f\n"
"	pushq %rcx\n"
"	popfq\n"
"	cmpl $1, %esi\n"
"	je 1f\n"
"	ja 2f\n"
"	movb (%rdi), %al\n"
"	movzbq %al, %rax\n"
"	movq %rax, probe_val(%rip)\n"
"	jmp probe_ok_resume\n"
"1:	movb $0xc3, (%rdi)\n"
"	jmp probe_ok_resume\n"
"2:	call *%rdi\n"
"	jmp probe_ok_resume\n"
"9:	pushq $0x33\n"
"	movabsq $0x10000002000, %rax\n"	/* USTACK's page end, at UVA + 0x2000 */
"	pushq %rax\n"
"	pushq %rcx\n"
"	pushq $0x3b\n"
"	movabsq $0x10000000000, %rax\n"	/* UVA: the stub */
"	pushq %rax\n"
"	iretq\n"
"	.globl probe_ok_resume\n"
"probe_ok_resume:\n"
"	xorl %eax, %eax\n"
"	jmp 3f\n"
"	.globl probe_fault_resume\n"
"probe_fault_resume:\n"
"	movl $1, %eax\n"
"3:	movq probe_rsp(%rip), %rsp\n"
"	movq $0, probe_active(%rip)\n"
"	popfq\n"
"	popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbp\n popq %rbx\n"
"	ret\n"
/* Position-independent: copied to UCODE, run at UVA with CPL 3. */
"	.section .rodata\n"
"	.globl ustub, ustub_end\n"
"ustub:\n"
"	cmpl $1, %esi\n"
"	je 1f\n"
"	ja 2f\n"
"	movzbq (%rdi), %rax\n"
"	ud2\n"
"1:	movb $0xc3, (%rdi)\n"
"	ud2\n"
"2:	call *%rdi\n"
"	ud2\n"
"ustub_end:\n"
"	.text\n"
);

/* Any exception during a probe ends it; #UD from CPL 3 is the stub's end. */
static int probe_exc(struct exc_frame *f)
{
	if (!probe_active)
		return 0;
	if (f->vector == 6 && (f->cs & 3) == 3) {
		probe_val = f->rax & 0xff;
		f->rip = (u64)probe_ok_resume;
	} else {
		probe_vec = f->vector;
		probe_err = f->error;
		probe_cr2 = f->vector == VEC_PF ? read_cr2() : 0;
		f->rip = (u64)probe_fault_resume;
	}
	f->cs = KCS;
	f->ss = KDS;
	f->rsp = probe_rsp;
	f->rflags = 2;
	return 1;
}

/* GDT with user segments and an available TSS whose RSP0 we own. */
static u64 gdt[10] __attribute__((aligned(16)));
static u32 tss[26] __attribute__((aligned(16)));
static u8 exc_stack[8192] __attribute__((aligned(16)));

static void gdt_setup(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (u64)gdt };
	u64 t = (u64)tss, sp0 = (u64)exc_stack + sizeof(exc_stack);

	tss[1] = sp0;
	tss[2] = sp0 >> 32;
	tss[25] = sizeof(tss) << 16;	/* no I/O bitmap */
	gdt[1] = 0x00af9b000000ffffUL;	/* 0x08 kernel code 64 */
	gdt[2] = 0x00cf93000000ffffUL;	/* 0x10 kernel data */
	gdt[3] = 0x00cf9b000000ffffUL;	/* 0x18 code 32 */
	gdt[4] = (sizeof(tss) - 1) | (t & 0xffffff) << 16 | 0x89UL << 40 |
		 ((t >> 24) & 0xff) << 56;	/* 0x20 TSS, available */
	gdt[5] = t >> 32;
	gdt[6] = 0x00cff3000000ffffUL;	/* 0x30 user data */
	gdt[7] = 0x00affb000000ffffUL;	/* 0x38 user code 64 */
	asm volatile("lgdt %0\n\t"
		     "movw $0x20, %%ax\n\t"
		     "ltr %%ax" : : "m"(gdtr) : "rax", "memory");
}

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* ---- the cases ---- */

enum { L4, L3, L2, L1 };

/* Where the bits under test sit and what kind of entry it is. */
struct level {
	const char *name;
	int lvl;		/* L4..L1: which entry of the path is tested */
	int leaf;		/* the path ends here (L1, 2 MiB or 1 GiB page) */
	u64 ps;			/* PS bit of the tested entry */
};

static const struct level levels[] = {
	{ "L4", L4, 0, 0 },
	{ "L3", L3, 0, 0 },
	{ "L2", L2, 0, 0 },
	{ "L2/2M", L2, 1, PTE_PS },
	{ "L1", L1, 1, 0 },
	{ "L3/1G", L3, 1, PTE_PS },	/* only if CPUID offers 1 GiB pages */
};
#define NR_LEVELS	6

/* Bits of a case, before the reserved-bit choice. */
#define B_P	(1U << 0)
#define B_W	(1U << 1)
#define B_U	(1U << 2)
#define B_A	(1U << 3)
#define B_D	(1U << 4)
#define B_NX	(1U << 5)
#define B_R	(1U << 6)

enum {
	SUP_READ, SUP_READ_AC, SUP_WRITE, SUP_WRITE_AC, SUP_FETCH,
	USER_READ, USER_WRITE, USER_FETCH, NR_ACCESS
};
static const char *const access_name[NR_ACCESS] = {
	"sread", "sread+AC", "swrite", "swrite+AC", "sfetch",
	"uread", "uwrite", "ufetch",
};

static unsigned int maxphy;
/*
 * QEMU TCG reports reserved-bit faults without the P bit (error 0x8
 * instead of 0x9); hardware, Xen and KVM set P. Tolerated, and counted,
 * only under TCG so that the QEMU check of this guest stays useful.
 */
static int on_tcg;
static u64 nr_tcg_quirk;
static int has_1g, has_smep, has_smap;
static u64 entry_addr[4] = { PML4 + 8, T3, T2 + 5 * 8, T1 };

static u64 nr_cases, nr_faults, nr_ok, nr_bad, nr_shown, nr_modes;

struct outcome {
	int fault;
	u64 err;
};

#define ARG_DUMP	(1UL << 0)

/*
 * Dump output: straight to the UART's data port, without polling LSR as
 * putc() does, since the launcher's UART is always ready: one exit per
 * character instead of two, which matters for thousands of lines.
 */
static void dump_putc(char c)
{
	outb(0x3f8, c);
}

static void dump_puts(const char *s)
{
	while (*s)
		dump_putc(*s++);
}

/* Hex without leading zeros or prefix: short lines, fewer exits. */
static void dump_hex(u64 v)
{
	int i = 60;

	while (i > 0 && !((v >> i) & 15))
		i -= 4;
	for (; i >= 0; i -= 4)
		dump_putc("0123456789abcdef"[(v >> i) & 15]);
}

/*
 * One line per case: identity (case number, level, bits, reserved-bit
 * choice, access, mode as NXE SMEP SMAP WP digits), then the outcome:
 * "pf VECTOR/ERROR CR2 d=LEAF_D" or "ok v=VALUE ad=DIGITS" (A = 1, D = 2
 * per entry L4 first). A bits after a fault are not shown: whether a
 * faulting walk sets them is implementation-specific.
 */
static void dump_case(const struct level *l, unsigned int b, int k, int acc,
		      int nxe, int smep, int smap, int wp, int faulted,
		      int last)
{
	int lvl;

	dump_puts("@A ");
	dump_hex(nr_cases);
	dump_putc(' ');
	dump_puts(l->name);
	dump_putc(' ');
	dump_hex(b);
	dump_putc(' ');
	dump_hex(b & B_R ? k : 0xf);
	dump_putc(' ');
	dump_puts(access_name[acc]);
	dump_putc(' ');
	dump_putc('0' + nxe);
	dump_putc('0' + smep);
	dump_putc('0' + smap);
	dump_putc('0' + wp);
	if (faulted) {
		dump_puts(" pf ");
		dump_hex(probe_vec);
		dump_putc('/');
		dump_hex(probe_err);
		dump_putc(' ');
		dump_hex(probe_cr2);
		dump_puts(" d=");
		dump_putc(read64(entry_addr[last]) & PTE_D ? '1' : '0');
	} else {
		dump_puts(" ok v=");
		dump_hex(probe_val);
		dump_puts(" ad=");
		for (lvl = L4; lvl <= last; lvl++) {
			u64 e = read64(entry_addr[lvl]);

			dump_putc('0' + (e & PTE_A ? 1 : 0) + (e & PTE_D ? 2 : 0));
		}
	}
	dump_putc('\n');
}

/* Reserved bits to try at a level: low reserved address bit, PS, ... */
static int rsvd_choices(const struct level *l, u64 *bits)
{
	int n = 0;

	bits[n++] = 1UL << maxphy;
	if (l->lvl == L4)
		bits[n++] = PTE_PS;
	if (l->lvl == L3 && !l->leaf && !has_1g)
		bits[n++] = PTE_PS;	/* 1 GiB pages not offered */
	if (l->leaf && l->lvl == L2)
		bits[n++] = 1UL << 13;	/* inside the 2 MiB frame number */
	if (l->leaf && l->lvl == L3)
		bits[n++] = 1UL << 13;
	return n;
}

static u64 frame_of(const struct level *l, int lvl)
{
	switch (lvl) {
	case L4:
		return T3;
	case L3:
		return l->leaf && l->lvl == L3 ? 0 : T2;
	case L2:
		return l->leaf && l->lvl == L2 ? TARGET : T1;
	default:
		return TARGET;
	}
}

static u64 entry_value(const struct level *l, int lvl, unsigned int b,
		       u64 rsvd)
{
	u64 v = frame_of(l, lvl);

	if (lvl != l->lvl)
		return v | PTE_P | PTE_RW | PTE_US | PTE_A |
		       (lvl == L1 ? PTE_D : 0);
	v |= l->ps;
	if (b & B_P)
		v |= PTE_P;
	if (b & B_W)
		v |= PTE_RW;
	if (b & B_U)
		v |= PTE_US;
	if (b & B_A)
		v |= PTE_A;
	if (b & B_D)
		v |= PTE_D;
	if (b & B_NX)
		v |= PTE_NX;
	if (b & B_R)
		v |= rsvd;
	return v;
}

/* The architectural outcome (Intel SDM vol. 3 4.6 and 4.7). */
static struct outcome expect(unsigned int b, int acc, int nxe, int smep,
			     int smap, int wp)
{
	int user = acc >= USER_READ;
	int write = acc == SUP_WRITE || acc == SUP_WRITE_AC || acc == USER_WRITE;
	int fetch = acc == SUP_FETCH || acc == USER_FETCH;
	int ac = acc == SUP_READ_AC || acc == SUP_WRITE_AC;
	int upage = !!(b & B_U), wpage = !!(b & B_W);
	int xd = nxe && (b & B_NX);
	struct outcome o = { 0, 0 };
	u64 base = (write ? PFEC_W : 0) | (user ? PFEC_U : 0) |
		   (fetch && (nxe || smep) ? PFEC_I : 0);

	if (!(b & B_P)) {
		o.fault = 1;
		o.err = base;
		return o;
	}
	if ((b & B_R) || ((b & B_NX) && !nxe)) {
		o.fault = 1;
		o.err = base | PFEC_P | PFEC_RSVD;
		return o;
	}
	if (user)
		o.fault = !upage || (write && !wpage) || (fetch && xd);
	else if (fetch)
		o.fault = xd || (upage && smep);
	else
		o.fault = (upage && smap && !ac) || (write && !wpage && wp);
	o.err = o.fault ? base | PFEC_P : 0;
	return o;
}

static void report(const struct level *l, unsigned int b, u64 rsvd, int acc,
		   int nxe, int smep, int smap, int wp, const char *what,
		   u64 got, u64 want)
{
	static const char *last_what;
	static const struct level *last_l;

	/* The first few, then one per new kind of mismatch (up to 24). */
	if (++nr_bad > 8 && (nr_shown >= 24 ||
			     (what == last_what && l == last_l)))
		return;
	nr_shown++;
	last_what = what;
	last_l = l;
	puts("  MISMATCH ");
	puts(l->name);
	puts(" bits");
	puts(b & B_P ? " P" : "");
	puts(b & B_W ? " W" : "");
	puts(b & B_U ? " U" : "");
	puts(b & B_A ? " A" : "");
	puts(b & B_D ? " D" : "");
	puts(b & B_NX ? " NX" : "");
	if (b & B_R) {
		puts(" R");
		put_dec(__builtin_ctzl(rsvd));
	}
	puts(" ");
	puts(access_name[acc]);
	puts(nxe ? " NXE" : "");
	puts(smep ? " SMEP" : "");
	puts(smap ? " SMAP" : "");
	puts(wp ? "" : " WP=0");
	puts(": ");
	puts(what);
	puts(" got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	putc('\n');
}

static void run_case(const struct level *l, unsigned int b, u64 rsvd, int k,
		     int acc, int nxe, int smep, int smap, int wp)
{
	static const u64 op[NR_ACCESS] = { 0, 0, 1, 1, 2, 0, 1, 2 };
	int user = acc >= USER_READ;
	int ac = acc == SUP_READ_AC || acc == SUP_WRITE_AC;
	struct outcome want = expect(b, acc, nxe, smep, smap, wp);
	u64 addr = TVA + ((nr_cases * 0x48) & 0xfff);
	u64 before[4], after;
	int lvl, last = l->leaf ? l->lvl : L1, faulted;

	for (lvl = L4; lvl <= last; lvl++) {
		before[lvl] = entry_value(l, lvl, b, rsvd);
		if (read64(entry_addr[lvl]) != before[lvl])
			set_pte((u64 *)entry_addr[lvl], before[lvl]);
	}
	invlpg(addr);
	nr_cases++;
	probe_val = ~0UL;
	faulted = probe(addr, op[acc], user, 2 | (ac ? RFLAGS_AC : 0));
	if (guest_arg & ARG_DUMP)
		dump_case(l, b, k, acc, nxe, smep, smap, wp, faulted, last);

	if (faulted != want.fault) {
		report(l, b, rsvd, acc, nxe, smep, smap, wp, "fault", faulted,
		       want.fault);
		if (faulted) {
			puts("    vector ");
			put_dec(probe_vec);
			puts(" error ");
			put_hex(probe_err);
			putc('\n');
		}
		return;
	}
	if (faulted) {
		nr_faults++;
		if (probe_vec != VEC_PF)
			report(l, b, rsvd, acc, nxe, smep, smap, wp, "vector",
			       probe_vec, VEC_PF);
		else if (probe_err != want.err && on_tcg &&
			 (want.err & PFEC_RSVD) && probe_err == (want.err & ~PFEC_P))
			nr_tcg_quirk++;
		else if (probe_err != want.err)
			report(l, b, rsvd, acc, nxe, smep, smap, wp,
			       "error code", probe_err, want.err);
		else if (probe_cr2 != addr)
			report(l, b, rsvd, acc, nxe, smep, smap, wp, "CR2",
			       probe_cr2, addr);
		/* A faulting access never makes the leaf dirty. */
		else if ((read64(entry_addr[last]) ^ before[last]) & PTE_D)
			report(l, b, rsvd, acc, nxe, smep, smap, wp,
			       "D after fault", read64(entry_addr[last]),
			       before[last]);
		return;
	}
	nr_ok++;
	if (op[acc] == 0 && probe_val != 0xc3) {
		report(l, b, rsvd, acc, nxe, smep, smap, wp, "value read",
		       probe_val, 0xc3);
		return;
	}
	/* Every entry used gets A; the leaf gets D on a write, only. */
	for (lvl = L4; lvl <= last; lvl++) {
		u64 exp = before[lvl] | PTE_A;

		if (lvl == last && op[acc] == 1)
			exp |= PTE_D;
		after = read64(entry_addr[lvl]);
		if (after != exp) {
			report(l, b, rsvd, acc, nxe, smep, smap, wp,
			       lvl == last ? "leaf A/D" : "upper entry A/D",
			       after, exp);
			return;
		}
	}
}

/*
 * Which bit combinations to run. Not present: the other bits do not
 * matter, two cases. The full sweep (ACCESS_FULL, accesstest-full) runs
 * the other 64 combinations, each reserved bit with all of them. The
 * default, sized for Bochs with the audit on, keeps every combination of
 * the bits that decide rights (W, U, NX) with A and D both clear and, at
 * the leaf, both set; A and D in the other combinations and both set at
 * non-leaf levels (where D is ignored) only on a user-writable entry; a
 * reserved bit only with W/U/A/D/NX all clear, all set, or alternating:
 * the fault does not depend on them, only its error code does (on the
 * access). EFLAGS.AC only changes anything with CR4.SMAP = 1, so the AC=1
 * accesses run in SMAP modes only (in the full sweep: always).
 */
static int wanted(const struct level *l, unsigned int b)
{
	unsigned int rest = b & (B_W | B_U | B_A | B_D | B_NX);

	if (!(b & B_P))
		return b == 0 || b == 0x7e;
#ifdef ACCESS_FULL
	(void)l;
	(void)rest;
	return 1;
#else
	if (b & B_R)
		return rest == 0 || rest == (B_W | B_U | B_A | B_D | B_NX) ||
		       rest == (B_W | B_A | B_NX) || rest == (B_U | B_D);
	/* W, U, NX: all 8; A/D both clear or both set (D: leaf only). */
	if (!(b & B_A) == !(b & B_D))
		return l->leaf || !(b & B_A) ||
		       (b & (B_W | B_U | B_NX)) == (B_W | B_U);
	/* A without D and D without A: on a user-writable leaf. */
	return l->leaf && (b & (B_W | B_U | B_NX)) == (B_W | B_U);
#endif
}

static void run_mode(int nxe, int smep, int smap, int wp)
{
	u64 efer = rdmsr(EFER_MSR), cr4 = read_cr4(), cr0 = read_cr0();
	unsigned int i, b;
	int acc, k, n;
	u64 rs[4];

	efer = nxe ? efer | EFER_NXE : efer & ~EFER_NXE;
	wrmsr(EFER_MSR, efer);
	cr4 &= ~(CR4_SMEP | CR4_SMAP);
	cr4 |= (smep ? CR4_SMEP : 0) | (smap ? CR4_SMAP : 0);
	write_cr4(cr4);
	write_cr0(wp ? cr0 | CR0_WP : cr0 & ~CR0_WP);
	write_cr3(PML4);
	nr_modes++;

	for (i = 0; i < NR_LEVELS; i++) {
		const struct level *l = &levels[i];

		if (l->lvl == L3 && l->leaf && !has_1g)
			continue;
		n = rsvd_choices(l, rs);
		for (b = 0; b < 128; b++) {
			if (!wanted(l, b))
				continue;
			for (k = 0; k < ((b & B_R) && (b & B_P) ? n : 1); k++)
				for (acc = 0; acc < NR_ACCESS; acc++) {
#ifndef ACCESS_FULL
					if (!smap && (acc == SUP_READ_AC ||
						      acc == SUP_WRITE_AC))
						continue;
					if (!wp && acc != SUP_WRITE &&
					    acc != SUP_WRITE_AC)
						continue;
#endif
					run_case(l, b, rs[k], k, acc, nxe,
						 smep, smap, wp);
				}
		}
	}
}

int main(void)
{
	u32 a, bx, c, d;
	u64 *p;
	unsigned int i;
	int nxe, smep, smap, wp;

	check(guest_mem_size >= 12UL << 20, 1, "at least 12 MiB of RAM");
	idt_setup();
	for (i = 0; i < 32; i++)
		set_exception_handler(i, probe_exc);
	gdt_setup();

	cpuid(1, 0, &a, &bx, &c, &d);
	if (c & (1U << 31)) {
		u32 sig[4] = { 0, 0, 0, 0 };

		cpuid(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
		puts("accesstest: hypervisor ");
		puts((const char *)sig);
		putc('\n');
		on_tcg = sig[0] == 0x54474354 && sig[1] == 0x43544743 &&
			 sig[2] == 0x47435447;	/* "TCGTCGTCGTCG" */
	}
	cpuid(0x80000000, 0, &a, &bx, &c, &d);
	maxphy = 36;
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &bx, &c, &d);
		maxphy = a & 0xff;
	}
	cpuid(0x80000001, 0, &a, &bx, &c, &d);
	has_1g = !!(d & (1U << 26));
	cpuid(0, 0, &a, &bx, &c, &d);
	puts("accesstest: CPUID max leaf ");
	put_hex(a);
	if (a >= 7) {
		cpuid(7, 0, &a, &bx, &c, &d);
		has_smep = !!(bx & (1U << 7));
		has_smap = !!(bx & (1U << 20));
		puts(", leaf 7 EBX ");
		put_hex(bx);
	}
	putc('\n');
	puts("accesstest: MAXPHYADDR ");
	put_dec(maxphy);
	puts(has_1g ? ", 1 GiB pages" : ", no 1 GiB pages");
	puts(has_smep ? ", SMEP" : ", no SMEP");
	puts(has_smap ? ", SMAP\n" : ", no SMAP\n");
	/* The features that decide which cases run: compared too. */
	if (guest_arg & ARG_DUMP) {
		dump_puts("@A features 1g=");
		dump_putc('0' + has_1g);
		dump_puts(" smep=");
		dump_putc('0' + has_smep);
		dump_puts(" smap=");
		dump_putc('0' + has_smap);
		dump_putc('\n');
	}

	/* Tables: kernel identity map in slot 0, user stub in slot 2. */
	memset((void *)PML4, 0, 0x9000);
	p = (u64 *)PML4;
	p[0] = LAUNCHER_PDPT | PTE_P | PTE_RW;
	p[2] = U3 | PTE_P | PTE_RW | PTE_US;
	((u64 *)U3)[0] = U2 | PTE_P | PTE_RW | PTE_US;
	((u64 *)U2)[0] = U1 | PTE_P | PTE_RW | PTE_US;
	((u64 *)U1)[0] = UCODE | PTE_P | PTE_US;
	((u64 *)U1)[1] = USTACK | PTE_P | PTE_RW | PTE_US;
	((u64 *)T3)[0] = T2 | PTE_P | PTE_RW | PTE_US;
	((u64 *)T2)[5] = T1 | PTE_P | PTE_RW | PTE_US;
	((u64 *)T1)[0] = TARGET | PTE_P | PTE_RW | PTE_US;
	p[1] = T3 | PTE_P | PTE_RW | PTE_US;
	memcpy((void *)UCODE, ustub, ustub_end - ustub);
	memset((void *)TARGET, 0xc3, 0x1000);

	for (wp = 1; wp >= 0; wp--)
		for (nxe = 0; nxe < 2; nxe++)
			for (smep = 0; smep <= has_smep; smep++)
				for (smap = 0; smap <= has_smap; smap++)
					run_mode(nxe, smep, smap, wp);

	write_cr0(read_cr0() | CR0_WP);
	write_cr4(read_cr4() & ~(CR4_SMEP | CR4_SMAP));
	wrmsr(EFER_MSR, rdmsr(EFER_MSR) | EFER_NXE);
	write_cr3(LAUNCHER_PML4);

	for (i = 0; i < 0x1000; i++)
		if (((u8 *)TARGET)[i] != 0xc3)
			break;
	check(i == 0x1000, 3, "target page still all RET bytes");

	puts("accesstest: modes ");
	put_dec(nr_modes);
	puts(" cases ");
	put_dec(nr_cases);
	puts(" faults ");
	put_dec(nr_faults);
	puts(" completed ");
	put_dec(nr_ok);
	puts(" mismatches ");
	put_dec(nr_bad);
	puts(" (CR0.WP 1 and 0)\n");
	if (nr_tcg_quirk) {
		puts("accesstest: QEMU TCG quirk, RSVD faults without P: ");
		put_dec(nr_tcg_quirk);
		putc('\n');
	}
	check(nr_cases > 0, 4, "access cases ran");
	check(nr_bad == 0, 2, "accesstest: every access matches the architectural rules");
	return 0;
}
