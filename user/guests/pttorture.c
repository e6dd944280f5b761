// SPDX-License-Identifier: GPL-2.0
/*
 * Random page-table torture for differential runs: a seeded sequence of
 * page-table changes at every level, TLB flushes, CR3 switches, paging
 * mode changes and supervisor accesses (read, write, fetch), with one
 * outcome line per operation. The same seed gives the same lines on every
 * correct x86 implementation, so two hypervisors' outputs can be compared
 * line by line (Documentation/differential.rst).
 *
 * Only architecturally defined outcomes are shown:
 *  - every entry change is followed by a flush that covers every address
 *    whose translation could use the entry (INVLPG of each such address,
 *    at least one, which also empties the paging-structure caches; or a
 *    CR3 reload), and every mode change by a CR3 reload, so TLB
 *    staleness, which differs between implementations, never shows;
 *  - whether a faulting walk sets accessed bits is implementation-specific:
 *    the entries of a faulting walk have an unknown A bit until the guest
 *    rewrites them or a successful access sets it; lines show such a bit
 *    as '?';
 *  - data frames and page-table frames are disjoint, and the reserved bit
 *    used is bit 51 (reserved whatever MAXPHYADDR below 52 is).
 * The guest also walks its tables itself and checks each outcome (fault,
 * error code, CR2, value) against the architectural rules.
 *
 * Guest argument (shadowvm-run --guest-arg, RDX): bits 31:0 the seed
 * (0 means 1), bits 47:32 the number of operations (0 means 2000); bit 48
 * set: EFER.NXE stays at the value of bit 49 for the whole run instead of
 * being toggled. KVM with ept=0 keeps shadow entries made while NXE was 1
 * after the guest clears it (and reloads CR3), so it misses the
 * reserved-bit faults NX bits then cause: the differential runs fix NXE
 * (once 1, once 0) so that they compare shadow paging, not that known
 * difference (Documentation/differential.rst).
 *
 * Lines, all starting "@T ":
 *   features 1g=B smep=B smap=B     what decides the operation mix
 *   N set LEVEL TABLE INDEX OLD NEW FLUSH   entry rewritten; OLD as found
 *        (A shown as '?' in the hex digit when unknown: the digit is
 *        printed with A cleared and followed by '?'); FLUSH i = INVLPGs,
 *        c = CR3 reload
 *   N cr3 K                          switch to address space K
 *   N mode WP NXE SMEP SMAP          new paging mode
 *   N rd|wr|x VA OFF ok VALUE ad=DIGITS   (A = 1, D = 2 per entry, L4 first)
 *   N rd|wr|x VA OFF pf VECTOR/ERROR CR2
 *   end ops N faults F mismatches M
 *
 * Exit values: 1 RAM, 2 the outcome differs from the guest's own walk.
 */
#include "rt.h"

#define NR_ROOTS	2
#define NR_L3		2
#define NR_L2		3
#define NR_L1		4
#define TABLE_BASE	0x400000UL	/* roots, then L3, L2, L1 tables */
#define DATA_BASE	0x800000UL	/* data frames: 0x800000-0xbfffff */
#define DATA_END	0xc00000UL
#define NR_DATA4K	16
#define STUB_OFF	0x800		/* fetch stubs: 32 of 64 bytes */

#define RSVD_BIT	(1UL << 51)
#define PTE_BIT13	(1UL << 13)

#define CR0_WP		(1UL << 16)
#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)
#define EFER_MSR	0xc0000080U
#define EFER_NXE	(1UL << 11)

enum { OP_READ, OP_WRITE, OP_FETCH };
static const char *const op_name[] = { "rd", "wr", "x" };

/* Indices used at each level (index 0 = L1): 2 * 2 * 2 * 4 addresses. */
static const unsigned int idx4[] = { 1, 2 }, idx3[] = { 0, 1 },
	idx2[] = { 4, 5 }, idx1[] = { 0, 1, 2, 3 };
#define NR_VA	32

static u64 rng;
static int has_1g, has_smep, has_smap;
static int wp = 1, nxe = 1, smep, smap, fixed_nxe;
static unsigned int cur_root;
static u64 nr_ops, nr_faults, nr_bad;

/* ---- output: straight to the UART data port, one exit a character ---- */

static void dputc(char c)
{
	outb(0x3f8, c);
}

static void dputs(const char *s)
{
	while (*s)
		dputc(*s++);
}

static void dhex(u64 v)
{
	int i = 60;

	while (i > 0 && !((v >> i) & 15))
		i -= 4;
	for (; i >= 0; i -= 4)
		dputc("0123456789abcdef"[(v >> i) & 15]);
}

static void line_start(void)
{
	dputs("@T ");
	dhex(nr_ops);
	dputc(' ');
}

/* ---- PRNG: xorshift64*, deterministic from the seed ---- */

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dUL;
}

static unsigned int rnd_below(unsigned int n)
{
	return (rnd() >> 33) % n;
}

/* ---- the tables ---- */

static u64 root(unsigned int k)
{
	return TABLE_BASE + k * 0x1000UL;
}

/* Table @t of level @lvl (3, 2, 1). */
static u64 table(int lvl, unsigned int t)
{
	u64 base = TABLE_BASE + NR_ROOTS * 0x1000UL;

	if (lvl == 3)
		return base + t * 0x1000UL;
	base += NR_L3 * 0x1000UL;
	if (lvl == 2)
		return base + t * 0x1000UL;
	return base + (NR_L2 + t) * 0x1000UL;
}

static u64 va_of(unsigned int i)
{
	return (u64)idx4[i >> 4 & 1] << 39 | (u64)idx3[i >> 3 & 1] << 30 |
	       (u64)idx2[i >> 2 & 1] << 21 | (u64)idx1[i & 3] << 12;
}

static u64 data4k(unsigned int r)
{
	return DATA_BASE + (r % 8) * 0x1000UL + (r / 8) * 0x200000UL;
}

/* ---- entries whose A bit a faulting walk may or may not have set ---- */

#define MAX_UNKNOWN 64
static u64 unknown_a[MAX_UNKNOWN];
static unsigned int nr_unknown;

static int a_unknown(u64 ea)
{
	unsigned int i;

	for (i = 0; i < nr_unknown; i++)
		if (unknown_a[i] == ea)
			return 1;
	return 0;
}

static void a_forget(u64 ea)
{
	unsigned int i;

	for (i = 0; i < nr_unknown; i++)
		if (unknown_a[i] == ea) {
			unknown_a[i] = unknown_a[--nr_unknown];
			return;
		}
}

static void a_mark(u64 ea)
{
	if (!a_unknown(ea) && nr_unknown < MAX_UNKNOWN)
		unknown_a[nr_unknown++] = ea;
}

/* ---- the guest's own walk (Intel SDM vol. 3, 4.5 and 4.6) ---- */

struct walk {
	int n;			/* entries used, L4 first */
	u64 ea[4];
	int fault;
	u64 err;
	u64 phys;
};

static void soft_walk(u64 va, int op, struct walk *w)
{
	int write = op == OP_WRITE, fetch = op == OP_FETCH;
	u64 t = read_cr3() & PTE_ADDR, e = 0;
	u64 base = (write ? PFEC_W : 0) | (fetch && (nxe || smep) ? PFEC_I : 0);
	int rw = 1, us = 1, xd = 0, lvl;

	w->n = 0;
	w->fault = 0;
	w->err = 0;
	w->phys = 0;
	for (lvl = 4; lvl >= 1; lvl--) {
		u64 ea = t + ((va >> (12 + 9 * (lvl - 1))) & 511) * 8;
		int leaf;
		u64 rsvd = RSVD_BIT | (nxe ? 0 : PTE_NX);

		e = read64(ea);
		w->ea[w->n++] = ea;
		if (!(e & PTE_P)) {
			w->fault = 1;
			w->err = base;
			return;
		}
		leaf = lvl == 1 || (e & PTE_PS);
		if (lvl == 4 || (lvl == 3 && !has_1g))
			rsvd |= PTE_PS;
		if (leaf && lvl == 3)
			rsvd |= 0x3fffe000UL;
		if (leaf && lvl == 2)
			rsvd |= 0x1fe000UL;
		if (e & rsvd) {
			w->fault = 1;
			w->err = base | PFEC_P | PFEC_RSVD;
			return;
		}
		rw &= !!(e & PTE_RW);
		us &= !!(e & PTE_US);
		xd |= !!(e & PTE_NX);
		if (leaf) {
			u64 span = 1UL << (12 + 9 * (lvl - 1));

			w->phys = (e & PTE_ADDR & ~(span - 1)) | (va & (span - 1));
			break;
		}
		t = e & PTE_ADDR;
	}
	if (fetch)
		w->fault = (xd && nxe) || (us && smep);
	else
		w->fault = (us && smap) || (write && !rw && wp);
	w->err = w->fault ? base | PFEC_P : 0;
}

/* ---- probes ---- */

volatile u64 probe_active, probe_rsp, probe_val;
volatile u64 probe_vec, probe_err, probe_cr2;
u64 probe(u64 addr, u64 op, u64 val);
extern const u8 probe_ok_resume[], probe_fault_resume[];

/*
 * probe(addr, op, value to write): 0 if the access completed (a read's or
 * a fetch's value in probe_val), 1 if an exception stopped it.
 */
asm(
"	.text\n"
"	.globl probe\n"
"probe:\n"
"	pushq %rbx\n pushq %rbp\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
"	pushfq\n"
"	movq %rsp, probe_rsp(%rip)\n"
"	movq $1, probe_active(%rip)\n"
"	pushq $2\n"
"	popfq\n"
"	cmpl $1, %esi\n"
"	je 1f\n"
"	ja 2f\n"
"	movq (%rdi), %rax\n"
"	movq %rax, probe_val(%rip)\n"
"	jmp probe_ok_resume\n"
"1:	movq %rdx, (%rdi)\n"
"	jmp probe_ok_resume\n"
"2:	call *%rdi\n"
"	movq %rax, probe_val(%rip)\n"
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
);

static int probe_exc(struct exc_frame *f)
{
	if (!probe_active)
		return 0;
	probe_vec = f->vector;
	probe_err = f->error;
	probe_cr2 = f->vector == VEC_PF ? read_cr2() : 0;
	f->rip = (u64)probe_fault_resume;
	f->rsp = probe_rsp;
	f->rflags = 2;
	return 1;
}

/* ---- operations ---- */

static void mismatch(const char *what, u64 got, u64 want)
{
	nr_bad++;
	if (nr_bad > 20)
		return;
	puts("  MISMATCH op ");
	put_hex(nr_ops);
	puts(": ");
	puts(what);
	puts(" got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	putc('\n');
}

static void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
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

static void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* A random entry for level @lvl: a table of the next level or a leaf. */
static u64 random_entry(int lvl)
{
	u64 r = rnd(), e, flags;

	if (!(r & 0xf))
		return 0;
	flags = ((r >> 4) & 7 ? PTE_P : 0) | (r & (1 << 8) ? PTE_RW : 0) |
		((r >> 9) & 3 ? PTE_US : 0) | (r & (1 << 11) ? PTE_A : 0) |
		(r & (1 << 12) ? PTE_D : 0) | (!((r >> 13) & 3) ? PTE_NX : 0);
	if (!((r >> 16) & 31))
		flags |= RSVD_BIT;
	switch (lvl) {
	case 4:
		e = table(3, (r >> 24) % NR_L3);
		if (!((r >> 32) & 31))
			e |= PTE_PS;		/* reserved at L4 */
		break;
	case 3:
		if (!((r >> 32) & 7)) {
			e = PTE_PS;		/* 1 GiB page of frame 0 */
			if (!((r >> 40) & 7))
				e |= PTE_BIT13;	/* reserved in a 1 GiB entry */
		} else {
			e = table(2, (r >> 24) % NR_L2);
		}
		break;
	case 2:
		if (!((r >> 32) & 3)) {
			e = PTE_PS | ((r >> 35) & 1 ? 0xa00000UL : DATA_BASE);
			if (!((r >> 40) & 7))
				e |= PTE_BIT13;	/* reserved in a 2 MiB entry */
		} else {
			e = table(1, (r >> 24) % NR_L1);
		}
		break;
	default:
		e = data4k((r >> 24) % NR_DATA4K);
		break;
	}
	return e | flags;
}

/* Print an entry value, with '?' after the digit holding an unknown A. */
static void print_entry(u64 ea, u64 v)
{
	int i = 60;

	if (!a_unknown(ea)) {
		dhex(v);
		return;
	}
	v &= ~PTE_A;
	while (i > 4 && !((v >> i) & 15))
		i -= 4;
	for (; i >= 0; i -= 4) {
		dputc("0123456789abcdef"[(v >> i) & 15]);
		if (i == 4)
			dputc('?');
	}
}

static void op_set(void)
{
	int lvl = 4 - rnd_below(4);
	unsigned int t, ix, i, flushed = 0;
	u64 tab, ea, old, new;
	struct walk w;

	switch (lvl) {
	case 4:
		t = rnd_below(NR_ROOTS);
		tab = root(t);
		ix = idx4[rnd_below(2)];
		break;
	case 3:
		t = rnd_below(NR_L3);
		tab = table(3, t);
		ix = idx3[rnd_below(2)];
		break;
	case 2:
		t = rnd_below(NR_L2);
		tab = table(2, t);
		ix = idx2[rnd_below(2)];
		break;
	default:
		t = rnd_below(NR_L1);
		tab = table(1, t);
		ix = idx1[rnd_below(4)];
		break;
	}
	ea = tab + ix * 8;
	new = random_entry(lvl);
	old = read64(ea);
	line_start();
	dputs("set L");
	dputc('0' + lvl);
	dputc(' ');
	dhex(t);
	dputc(' ');
	dhex(ix);
	dputc(' ');
	print_entry(ea, old);
	dputc(' ');
	dhex(new);

	/*
	 * Which addresses may have a translation through this entry: those
	 * whose current walk uses it (a cached translation was made from
	 * the current tables, since every change so far was flushed).
	 */
	if (rnd() & 1) {
		u64 affected = 0;

		for (i = 0; i < NR_VA; i++) {
			int k;

			soft_walk(va_of(i), OP_READ, &w);
			for (k = 0; k < w.n; k++)
				if (w.ea[k] == ea)
					affected |= 1UL << i;
		}
		set_pte((u64 *)ea, new);
		a_forget(ea);
		for (i = 0; i < NR_VA; i++)
			if (affected & (1UL << i)) {
				invlpg(va_of(i));
				flushed++;
			}
		/* At least one: it also empties the paging-structure caches. */
		if (!flushed)
			invlpg(va_of(0));
		dputs(" i\n");
	} else {
		set_pte((u64 *)ea, new);
		a_forget(ea);
		write_cr3(read_cr3());
		dputs(" c\n");
	}
}

static void op_cr3(void)
{
	cur_root = rnd_below(NR_ROOTS);
	write_cr3(root(cur_root));
	line_start();
	dputs("cr3 ");
	dhex(cur_root);
	dputc('\n');
}

static void op_mode(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4(), efer = rdmsr(EFER_MSR);

	switch (rnd_below(4)) {
	case 0:
		wp = !wp;
		break;
	case 1:
		if (!fixed_nxe)
			nxe = !nxe;
		break;
	case 2:
		smep = has_smep && !smep;
		break;
	default:
		smap = has_smap && !smap;
		break;
	}
	write_cr0(wp ? cr0 | CR0_WP : cr0 & ~CR0_WP);
	wrmsr(EFER_MSR, nxe ? efer | EFER_NXE : efer & ~EFER_NXE);
	cr4 &= ~(CR4_SMEP | CR4_SMAP);
	write_cr4(cr4 | (smep ? CR4_SMEP : 0) | (smap ? CR4_SMAP : 0));
	/* Whether a mode change flushes varies: flush, so it never shows. */
	write_cr3(read_cr3());
	line_start();
	dputs("mode ");
	dputc('0' + wp);
	dputc('0' + nxe);
	dputc('0' + smep);
	dputc('0' + smap);
	dputc('\n');
}

static void op_access(void)
{
	unsigned int i = rnd_below(NR_VA), slot = rnd_below(32);
	int op = rnd_below(10), k, faulted;
	u64 off, addr, val = rnd();
	struct walk w;

	op = op < 5 ? OP_READ : op < 8 ? OP_WRITE : OP_FETCH;
	off = op == OP_FETCH ? STUB_OFF + slot * 64 : (rnd() & 0x7f8);
	addr = va_of(i) + off;
	soft_walk(addr, op, &w);
	probe_val = ~0UL;
	faulted = probe(addr, op, val);

	line_start();
	dputs(op_name[op]);
	dputc(' ');
	dhex(i);
	dputc(' ');
	dhex(off);
	if (faulted) {
		nr_faults++;
		dputs(" pf ");
		dhex(probe_vec);
		dputc('/');
		dhex(probe_err);
		dputc(' ');
		dhex(probe_cr2);
		dputc('\n');
		for (k = 0; k < w.n; k++)
			a_mark(w.ea[k]);
		if (!w.fault)
			mismatch("unexpected fault, vector", probe_vec, 0);
		else if (probe_vec != VEC_PF)
			mismatch("vector", probe_vec, VEC_PF);
		else if (probe_err != w.err)
			mismatch("error code", probe_err, w.err);
		else if (probe_cr2 != addr)
			mismatch("CR2", probe_cr2, addr);
		return;
	}
	dputs(" ok ");
	dhex(op == OP_WRITE ? val : probe_val);
	dputs(" ad=");
	for (k = 0; k < w.n; k++) {
		u64 e = read64(w.ea[k]);

		a_forget(w.ea[k]);
		dputc('0' + (e & PTE_A ? 1 : 0) + (e & PTE_D ? 2 : 0));
	}
	dputc('\n');
	if (w.fault) {
		mismatch("no fault, want error code", 0, w.err);
		return;
	}
	if (w.phys < DATA_BASE || w.phys >= DATA_END) {
		mismatch("mapped outside the data frames", w.phys, DATA_BASE);
		return;
	}
	if (op == OP_READ && probe_val != read64(w.phys))
		mismatch("value read", probe_val, read64(w.phys));
	if (op == OP_WRITE && read64(w.phys) != val)
		mismatch("value written", read64(w.phys), val);
	if (op == OP_FETCH &&
	    probe_val != ((w.phys >> 12) << 8 | slot))
		mismatch("fetched stub", probe_val, (w.phys >> 12) << 8 | slot);
}

/* Data words: their own address, tagged; fetch stubs: "mov $tag, %eax; ret". */
static void fill_data(void)
{
	u64 f, o;

	for (f = DATA_BASE; f < DATA_END; f += 0x1000) {
		for (o = 0; o < STUB_OFF; o += 8)
			write64(f + o, 0xd00d000000000000UL | f | o);
		for (o = 0; o < 32; o++) {
			u8 *s = (u8 *)(f + STUB_OFF + o * 64);
			u32 tag = (f >> 12) << 8 | o;

			s[0] = 0xb8;
			memcpy(s + 1, &tag, 4);
			s[5] = 0xc3;
		}
	}
}

static void build_tables(void)
{
	unsigned int k, i;

	memset((void *)TABLE_BASE, 0,
	       (NR_ROOTS + NR_L3 + NR_L2 + NR_L1) * 0x1000UL);
	for (k = 0; k < NR_ROOTS; k++) {
		write64(root(k), LAUNCHER_PDPT | PTE_P | PTE_RW);
		for (i = 0; i < 2; i++)
			write64(root(k) + idx4[i] * 8,
				table(3, (k + i) % NR_L3) | PTE_P | PTE_RW);
	}
	for (k = 0; k < NR_L3; k++)
		for (i = 0; i < 2; i++)
			write64(table(3, k) + idx3[i] * 8,
				table(2, (k + i) % NR_L2) | PTE_P | PTE_RW);
	for (k = 0; k < NR_L2; k++)
		for (i = 0; i < 2; i++)
			write64(table(2, k) + idx2[i] * 8,
				table(1, (k + i) % NR_L1) | PTE_P | PTE_RW);
	for (k = 0; k < NR_L1; k++)
		for (i = 0; i < 4; i++)
			write64(table(1, k) + idx1[i] * 8,
				data4k(k * 4 + i) | PTE_P | PTE_RW);
}

int main(void)
{
	u64 seed = guest_arg & 0xffffffffUL, n = (guest_arg >> 32) & 0xffff;
	u32 a, b, c, d;
	unsigned int i;

	check(guest_mem_size >= 16UL << 20, 1, "at least 16 MiB of RAM");
	idt_setup();
	for (i = 0; i < 32; i++)
		set_exception_handler(i, probe_exc);
	if (!seed)
		seed = 1;
	if (guest_arg & (1UL << 48)) {
		fixed_nxe = 1;
		nxe = !!(guest_arg & (1UL << 49));
	}
	if (!n)
		n = 2000;
	/* splitmix64 of the seed: nearby seeds give unrelated sequences */
	rng = seed + 0x9e3779b97f4a7c15UL;
	rng = (rng ^ (rng >> 30)) * 0xbf58476d1ce4e5b9UL;
	rng = (rng ^ (rng >> 27)) * 0x94d049bb133111ebUL;
	rng ^= rng >> 31;
	if (!rng)
		rng = 1;

	cpuid(0x80000001, &a, &b, &c, &d);
	has_1g = !!(d & (1U << 26));
	cpuid(0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, &a, &b, &c, &d);
		has_smep = !!(b & (1U << 7));
		has_smap = !!(b & (1U << 20));
	}
	puts("pttorture: seed ");
	put_dec(seed);
	puts(", ");
	put_dec(n);
	puts(" operations");
	puts(fixed_nxe ? (nxe ? ", EFER.NXE fixed at 1\n" : ", EFER.NXE fixed at 0\n") :
	     ", EFER.NXE toggled\n");
	dputs("@T features 1g=");
	dputc('0' + has_1g);
	dputs(" smep=");
	dputc('0' + has_smep);
	dputs(" smap=");
	dputc('0' + has_smap);
	dputc('\n');

	fill_data();
	build_tables();
	/* The NXE of the run is set before any test address is used. */
	wrmsr(EFER_MSR, nxe ? rdmsr(EFER_MSR) | EFER_NXE :
	      rdmsr(EFER_MSR) & ~EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(root(0));

	for (nr_ops = 0; nr_ops < n; nr_ops++) {
		unsigned int r = rnd_below(100);

		if (r < 40)
			op_set();
		else if (r < 90)
			op_access();
		else if (r < 95)
			op_cr3();
		else
			op_mode();
	}

	write_cr4(read_cr4() & ~(CR4_SMEP | CR4_SMAP));
	write_cr0(read_cr0() | CR0_WP);
	wrmsr(EFER_MSR, rdmsr(EFER_MSR) | EFER_NXE);
	write_cr3(LAUNCHER_PML4);
	dputs("@T end ops ");
	dhex(nr_ops);
	dputs(" faults ");
	dhex(nr_faults);
	dputs(" mismatches ");
	dhex(nr_bad);
	dputc('\n');
	puts("pttorture: ");
	put_dec(nr_ops);
	puts(" operations, ");
	put_dec(nr_faults);
	puts(" faults, ");
	put_dec(nr_bad);
	puts(" mismatches\n");
	check(nr_bad == 0, 2, "pttorture: every outcome matches the guest's own walk");
	return 0;
}
