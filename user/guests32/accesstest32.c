// SPDX-License-Identifier: GPL-2.0
/*
 * Page-table access test for the 32-bit paging modes, the counterpart of
 * guests/accesstest.c (4-level): for every combination of entry bits (P,
 * W, U, A, D, NX in PAE, a reserved bit, PS where legal) at each level of
 * a 2-level or PAE walk, every access kind (read, write, fetch;
 * supervisor with EFLAGS.AC 0 and 1, and user at CPL 3), the guest
 * computes the architectural outcome (Intel SDM vol. 3 4.3, 4.4, 4.6,
 * 4.7: fault or not, #PF error code, CR2, A/D bits written) and compares
 * it with what the CPU - here, the shadow pager - did.
 *
 * Modes: 2-level paging with CR4.PSE 0 and 1 (a PDE with PS is a table
 * pointer with PSE=0 and a 4 MiB page with PSE=1, where bit 21 is
 * reserved), PAE paging with EFER.NXE 0 and 1 (NX is a reserved bit with
 * NXE=0; PDPTEs are loaded by MOV to CR3, which raises #GP for a reserved
 * bit in a present one); each with CR0.WP 1 and 0, and CR4.SMEP/SMAP 0
 * and 1 when CPUID offers them. 2-level paging also runs with EFER.NXE=1,
 * which it ignores: no NX, and the I bit of the error code only with
 * SMEP. The guest enters unpaged (shadowvm-run --mode=unpaged) and turns
 * paging on itself for each mode. accesstest32 runs a reduced set (see
 * wanted()), accesstest32-full every combination.
 *
 * One level at a time carries the bits under test, the others are
 * permissive (P|W|U|A, and D at the leaf); the target linear address TVA
 * + offset maps to the physical frame TARGET whatever the page size, full
 * of RET bytes, so reads, writes of 0xc3 and calls leave it unchanged.
 * User accesses run a stub at UVA at CPL 3 (user_run()).
 *
 * QEMU TCG reports reserved-bit faults without P, reads (and sets A in)
 * PAE PDPTEs at every walk and has no #GP for reserved PDPTE bits: under
 * TCG only, those are counted as quirks instead of mismatches.
 *
 * Exit values: 1 RAM, 2 mismatches, 3 target page damaged, 4 no cases.
 */
#include "rt32.h"

#define TVA		0x40000000U	/* PDE 256 / PDPTE 1: the path under test */
#define UVA		0x80000000U	/* PDE 512 / PDPTE 2: user stub and stack */
#define TARGET		0x800000U	/* 4 MiB and 2 MiB aligned frame */

/* 2-level tables */
#define KPD2		0x300000U
#define KPT2		0x301000U	/* four: 0-16 MiB identity */
#define TPT2		0x305000U
#define UPT2		0x306000U
/* PAE tables */
#define PDPT		0x310000U
#define KPD		0x311000U	/* 0-16 MiB identity, 2 MiB pages */
#define TPD		0x312000U
#define TPT		0x313000U
#define UPD		0x314000U
#define UPT		0x315000U
#define UCODE		0x320000U
#define USTACK		0x321000U

enum { L3, L2, L1 };	/* PAE: PDPTE, PDE, PTE; 2-level: PDE, PTE */

struct level {
	const char *name;
	int pae;
	int lvl;	/* which entry of the path carries the bits */
	int ps;		/* PS set in the tested entry */
};

static const struct level levels[] = {
	{ "PDE", 0, L2, 0 },
	{ "PDE+PS", 0, L2, 1 },	/* 4 MiB page with PSE=1, table with PSE=0 */
	{ "PTE", 0, L1, 0 },
	{ "PDPTE", 1, L3, 0 },
	{ "PAE PDE", 1, L2, 0 },
	{ "PAE PDE/2M", 1, L2, 1 },
	{ "PAE PTE", 1, L1, 0 },
};
#define NR_LEVELS	7

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
static const u32 op_of[NR_ACCESS] = { 0, 0, 1, 1, 2, 0, 1, 2 };

/* One mode: the control bits the outcome depends on. */
struct mode {
	int pae, pse, nxe, smep, smap, wp;
};

static unsigned int maxphy;
static int tcg, has_smep, has_smap;
static u32 nr_cases, nr_faults, nr_ok, nr_bad, nr_shown, nr_modes;
/* TCG quirks: RSVD without P, A set in PAE PDPTEs, no #GP on MOV CR3. */
static u32 nr_quirk_rsvd, nr_quirk_pdpte_a, nr_quirk_no_gp;

extern const u8 ustub[], ustub_end[];
asm(
/* Position-independent: copied to UCODE, run at UVA with CPL 3. */
"	.section .rodata\n"
"	.globl ustub, ustub_end\n"
"ustub:\n"
"	cmpl $1, %esi\n"
"	je 1f\n"
"	ja 2f\n"
"	movzbl (%edi), %eax\n"
"	int $0x80\n"
"1:	movb $0xc3, (%edi)\n"
"	int $0x80\n"
"2:	call *%edi\n"
"	int $0x80\n"
"ustub_end:\n"
"	.text\n"
);

static u32 entry_addr(int pae, int lvl)
{
	if (pae)
		return lvl == L3 ? PDPT + 8 : lvl == L2 ? TPD : TPT;
	return lvl == L2 ? KPD2 + 256 * 4 : TPT2;
}

static u64 get_entry(int pae, int lvl)
{
	u32 a = entry_addr(pae, lvl);

	return pae ? read64(a) : read32(a);
}

static void put_entry(int pae, int lvl, u64 v)
{
	u32 a = entry_addr(pae, lvl);

	if (pae)
		set_pte64(a, v);
	else
		write32(a, (u32)v);
}

/* Does the tested entry end the walk? */
static int is_leaf(const struct level *l, const struct mode *m)
{
	return l->lvl == L1 || (l->ps && (l->pae || m->pse));
}

/* The last level of the walk. */
static int last_level(const struct level *l, const struct mode *m)
{
	return is_leaf(l, m) ? l->lvl : L1;
}

static int rsvd_choices(const struct level *l, const struct mode *m, u64 *bits)
{
	int n = 0;

	if (!l->pae) {
		/* 4 MiB PDE: bit 21 is reserved for any M <= 40. */
		if (l->ps && m->pse)
			bits[n++] = 1U << 21;
		return n;
	}
	if (maxphy < 63)
		bits[n++] = 1ULL << maxphy;
	if (l->lvl == L3) {
		/* R/W, U/S, A, D, PS: all reserved in a PAE PDPTE; and NX */
		bits[n++] = PTE_RW;
		bits[n++] = PTE_US;
		bits[n++] = PTE_A;
		bits[n++] = PTE_D;
		bits[n++] = PTE_PS;
		bits[n++] = PTE_NX;
	}
	if (l->lvl == L2 && l->ps)
		bits[n++] = 1U << 13;	/* inside the 2 MiB frame number */
	return n;
}

static u64 frame_of(const struct level *l, const struct mode *m, int lvl)
{
	if (lvl == L3)
		return TPD;
	if (lvl == L2)
		return l->lvl == L2 && is_leaf(l, m) ? TARGET :
		       l->pae ? TPT : TPT2;
	return TARGET;
}

static u64 entry_value(const struct level *l, const struct mode *m, int lvl,
		       unsigned int b, u64 rsvd)
{
	u64 v = frame_of(l, m, lvl);

	if (lvl != l->lvl) {
		if (lvl == L3)
			return v | PTE_P;
		return v | PTE_P | PTE_RW | PTE_US | PTE_A |
		       (lvl == L1 ? PTE_D : 0);
	}
	if (l->ps)
		v |= PTE_PS;
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

struct outcome {
	int fault;
	u32 err;
};

/* The architectural outcome (SDM vol. 3 4.6, 4.7). */
static struct outcome expect(unsigned int b, int acc, const struct mode *m)
{
	int user = acc >= USER_READ;
	int write = op_of[acc] == 1, fetch = op_of[acc] == 2;
	int ac = acc == SUP_READ_AC || acc == SUP_WRITE_AC;
	int upage = !!(b & B_U), wpage = !!(b & B_W);
	int xd = m->pae && m->nxe && (b & B_NX);
	struct outcome o = { 0, 0 };
	/* I: fetches with SMEP, or with PAE paging and NXE (not 2-level). */
	u32 base = (write ? PFEC_W : 0) | (user ? PFEC_U : 0) |
		   (fetch && ((m->pae && m->nxe) || m->smep) ? PFEC_I : 0);

	if (!(b & B_P)) {
		o.fault = 1;
		o.err = base;
		return o;
	}
	if ((b & B_R) || (m->pae && (b & B_NX) && !m->nxe)) {
		o.fault = 1;
		o.err = base | PFEC_P | PFEC_RSVD;
		return o;
	}
	if (user)
		o.fault = !upage || (write && !wpage) || (fetch && xd);
	else if (fetch)
		o.fault = xd || (upage && m->smep);
	else
		o.fault = (upage && m->smap && !ac) || (write && !wpage && m->wp);
	o.err = o.fault ? base | PFEC_P : 0;
	return o;
}

static void report(const struct level *l, const struct mode *m, unsigned int b,
		   u64 rsvd, int acc, const char *what, u64 got, u64 want)
{
	static const char *last_what;
	static const struct level *last_l;

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
		/* no libgcc: __builtin_ctzll would need __ctzdi2 */
		put_dec((u32)rsvd ? __builtin_ctz((u32)rsvd) :
			32 + __builtin_ctz((u32)(rsvd >> 32)));
	}
	puts(" ");
	puts(acc >= 0 ? access_name[acc] : "MOV-CR3");
	puts(m->pae ? " PAE" : " 2-level");
	puts(m->pse ? " PSE" : "");
	puts(m->nxe ? " NXE" : "");
	puts(m->smep ? " SMEP" : "");
	puts(m->smap ? " SMAP" : "");
	puts(m->wp ? "" : " WP=0");
	puts(": ");
	puts(what);
	puts(" got ");
	put_hex(got);
	puts(" want ");
	put_hex(want);
	putc('\n');
}

/* PAE PDPTEs must never change under the walker (no A bit in them). */
static void check_pdptes(const struct level *l, const struct mode *m,
			 unsigned int b, u64 rsvd, int acc, u64 want_pdpte1)
{
	static const u32 want[3] = { KPD | PTE_P, 0, UPD | PTE_P };
	int i;

	for (i = 0; i < 3; i++) {
		u64 w = i == 1 ? want_pdpte1 : want[i];
		u64 got = read64(PDPT + i * 8);

		if (got == w)
			continue;
		if (tcg && got == (w | PTE_A)) {
			nr_quirk_pdpte_a++;
			set_pte64(PDPT + i * 8, w);
			continue;
		}
		report(l, m, b, rsvd, acc, "PDPTE changed", got, w);
		set_pte64(PDPT + i * 8, w);
	}
}

static void run_case(const struct level *l, const struct mode *m,
		     unsigned int b, u64 rsvd, int acc)
{
	int user = acc >= USER_READ;
	int ac = acc == SUP_READ_AC || acc == SUP_WRITE_AC;
	/* A PDPTE has no rights bits: those of the levels below decide. */
	struct outcome want = expect(l->lvl == L3 && (b & B_P) ?
				     b | B_W | B_U : b, acc, m);
	u32 addr = TVA + ((nr_cases * 0x48) & 0xfff);
	u64 before[3], after;
	int lvl, first = l->pae ? L3 : L2, last = last_level(l, m), faulted;
	int pdpte_changed = 0;
	u32 vec, err, cr2;

	for (lvl = first; lvl <= last; lvl++) {
		before[lvl] = entry_value(l, m, lvl, b, rsvd);
		if (get_entry(l->pae, lvl) != before[lvl]) {
			put_entry(l->pae, lvl, before[lvl]);
			pdpte_changed |= lvl == L3;
		}
	}
	/*
	 * A PDPTE is used from the copy MOV to CR3 made, also when a case
	 * of another level puts back the one the previous case changed.
	 */
	if (l->pae && (l->lvl == L3 || pdpte_changed))
		write_cr3(PDPT);
	invlpg(addr);
	nr_cases++;
	if (user)
		faulted = user_run(UVA, UVA + 0x2000, addr, op_of[acc]);
	else
		faulted = try_access(addr, op_of[acc] == 0 ? TRY_READ8 :
				     op_of[acc] == 1 ? TRY_WRITE8 : TRY_CALL,
				     0xc3, 2 | (ac ? EFLAGS_AC : 0));
	vec = last_exc.vector;
	err = last_exc.error;
	cr2 = last_exc.cr2;
	if (l->pae)
		check_pdptes(l, m, b, rsvd, acc, before[L3]);

	if (faulted != want.fault) {
		report(l, m, b, rsvd, acc, "fault", faulted, want.fault);
		if (faulted) {
			puts("    vector ");
			put_dec(vec);
			puts(" error ");
			put_hex(err);
			putc('\n');
		}
		return;
	}
	if (faulted) {
		nr_faults++;
		if (vec != VEC_PF)
			report(l, m, b, rsvd, acc, "vector", vec, VEC_PF);
		else if (err != want.err && tcg && (want.err & PFEC_RSVD) &&
			 err == (want.err & ~PFEC_P))
			nr_quirk_rsvd++;
		else if (err != want.err)
			report(l, m, b, rsvd, acc, "error code", err, want.err);
		else if (cr2 != addr)
			report(l, m, b, rsvd, acc, "CR2", cr2, addr);
		else if ((get_entry(l->pae, last) ^ before[last]) & PTE_D)
			report(l, m, b, rsvd, acc, "D after fault",
			       get_entry(l->pae, last), before[last]);
		return;
	}
	nr_ok++;
	if (op_of[acc] == 0 && (user ? user_eax : try_val) != 0xc3) {
		report(l, m, b, rsvd, acc, "value read",
		       user ? user_eax : try_val, 0xc3);
		return;
	}
	/* Every entry used gets A (not PAE PDPTEs); the leaf gets D on writes. */
	for (lvl = L2; lvl <= last; lvl++) {
		u64 exp = before[lvl] | PTE_A;

		if (lvl == last && op_of[acc] == 1)
			exp |= PTE_D;
		after = get_entry(l->pae, lvl);
		if (after != exp) {
			report(l, m, b, rsvd, acc,
			       lvl == last ? "leaf A/D" : "upper entry A/D",
			       after, exp);
			return;
		}
	}
}

/* A present PAE PDPTE with a reserved bit: MOV to CR3 raises #GP(0). */
static void run_pdpte_rsvd(const struct level *l, const struct mode *m,
			   u64 rsvd)
{
	int faulted;

	set_pte64(PDPT + 8, TPD | PTE_P | rsvd);
	nr_cases++;
	faulted = try_access(0, TRY_LOAD_CR3, PDPT, 2);
	if (!faulted && tcg) {
		nr_quirk_no_gp++;
	} else if (!faulted) {
		report(l, m, B_P | B_R, rsvd, -1, "#GP", 0, 1);
	} else {
		nr_faults++;
		if (last_exc.vector != VEC_GP || last_exc.error)
			report(l, m, B_P | B_R, rsvd, -1, "#GP vector/error",
			       last_exc.vector << 16 | last_exc.error,
			       VEC_GP << 16);
	}
	set_pte64(PDPT + 8, TPD | PTE_P);
	write_cr3(PDPT);
}

/*
 * The reduced set (default): as in guests/accesstest.c, every
 * combination of the bits that decide rights (W, U, NX) with A and D both
 * clear and, at the leaf, both set; A/D otherwise only on a user-writable
 * entry; a reserved bit with W/U/A/D/NX all clear, all set, or
 * alternating. PDPTEs have only P (the rest is reserved): not present,
 * present, and each reserved bit.
 */
static int wanted(const struct level *l, const struct mode *m, unsigned int b)
{
	unsigned int rest = b & (B_W | B_U | B_A | B_D | B_NX);
	int leaf = is_leaf(l, m);

	if (!l->pae && (b & B_NX))
		return 0;		/* no NX bit in 4-byte entries */
	if (!(b & B_P))
		return b == 0 || b == (l->pae ? 0x7eU : 0x5eU);
	if (l->lvl == L3)
		return b == B_P;	/* reserved bits: run_pdpte_rsvd() */
#ifdef ACCESS_FULL
	(void)leaf;
	(void)rest;
	return 1;
#else
	if (b & B_R)
		return rest == 0 || rest == (l->pae ? 0x3eU : 0x1eU) ||
		       rest == (B_W | B_A | (l->pae ? B_NX : 0)) ||
		       rest == (B_U | B_D);
	if (!(b & B_A) == !(b & B_D))
		return leaf || !(b & B_A) ||
		       (b & (B_W | B_U | B_NX)) == (B_W | B_U);
	return leaf && (b & (B_W | B_U | B_NX)) == (B_W | B_U);
#endif
}

static void enter_mode(const struct mode *m)
{
	u32 cr0 = read_cr0(), cr4 = read_cr4();
	u64 efer = rdmsr(MSR_EFER);

	write_cr0(cr0 & ~CR0_PG);
	wrmsr(MSR_EFER, m->nxe ? efer | EFER_NXE : efer & ~EFER_NXE);
	cr4 &= ~(CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP);
	cr4 |= (m->pae ? CR4_PAE : 0) | (m->pse ? CR4_PSE : 0) |
	       (m->smep ? CR4_SMEP : 0) | (m->smap ? CR4_SMAP : 0);
	write_cr4(cr4);
	write_cr3(m->pae ? PDPT : KPD2);
	cr0 = (cr0 & ~CR0_WP) | (m->wp ? CR0_WP : 0) | CR0_PG;
	write_cr0(cr0);
}

static void run_mode(const struct mode *m)
{
	unsigned int i, b;
	int acc, k, n;
	u64 rs[8];

	enter_mode(m);
	nr_modes++;
	for (i = 0; i < NR_LEVELS; i++) {
		const struct level *l = &levels[i];

		if (l->pae != m->pae)
			continue;
		n = rsvd_choices(l, m, rs);
		if (l->lvl == L3)
			for (k = 0; k < n; k++)
				run_pdpte_rsvd(l, m, rs[k]);
		for (b = 0; b < 128; b++) {
			if (!wanted(l, m, b) || ((b & B_R) && (b & B_P) && !n))
				continue;
			for (k = 0; k < ((b & B_R) && (b & B_P) ? n : 1); k++)
				for (acc = 0; acc < NR_ACCESS; acc++) {
#ifndef ACCESS_FULL
					if (!m->smap && (acc == SUP_READ_AC ||
							 acc == SUP_WRITE_AC))
						continue;
					/* WP=0 changes supervisor writes only */
					if (!m->wp && acc != SUP_WRITE &&
					    acc != SUP_WRITE_AC)
						continue;
					/* NXE in 2-level paging: fetches only */
					if (!m->pae && m->nxe && op_of[acc] != 2)
						continue;
#endif
					run_case(l, m, b, rs[k], acc);
				}
		}
	}
}

static void build_tables(void)
{
	u32 i;

	memset((void *)KPD2, 0, 0x7000);
	memset((void *)PDPT, 0, 0x6000);
	/* 2-level: identity 0-16 MiB with 4 KiB pages (works with PSE=0). */
	for (i = 0; i < 4; i++)
		write32(KPD2 + i * 4, (KPT2 + i * 4096) | PTE_P | PTE_RW);
	for (i = 0; i < 4096; i++)
		write32(KPT2 + i * 4, (i << 12) | PTE_P | PTE_RW);
	write32(KPD2 + 512 * 4, UPT2 | PTE_P | PTE_RW | PTE_US);
	write32(UPT2 + 0, UCODE | PTE_P | PTE_US);
	write32(UPT2 + 4, USTACK | PTE_P | PTE_RW | PTE_US);
	/* PAE: PDPTEs 0 (identity, 2 MiB pages), 1 (test), 2 (user). */
	write32(PDPT + 0, KPD | PTE_P);
	write32(PDPT + 8, TPD | PTE_P);
	write32(PDPT + 16, UPD | PTE_P);
	for (i = 0; i < 8; i++)
		write32(KPD + i * 8, (i << 21) | PTE_PS | PTE_P | PTE_RW);
	write32(UPD, UPT | PTE_P | PTE_RW | PTE_US);
	write32(UPT + 0, UCODE | PTE_P | PTE_US);
	write32(UPT + 8, USTACK | PTE_P | PTE_RW | PTE_US);
	memcpy((void *)UCODE, ustub, ustub_end - ustub);
	memset((void *)TARGET, 0xc3, 0x1000);
}

int main(void)
{
	struct mode m;
	u32 a, bx, c, d, i;

	check(guest_mem_size >= 12U << 20, 1, "at least 12 MiB of RAM");
	tcg = on_tcg();
	cpuid(0x80000000, 0, &a, &bx, &c, &d);
	maxphy = 36;
	if (a >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &bx, &c, &d);
		maxphy = a & 0xff;
	}
	cpuid(0, 0, &a, &bx, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &bx, &c, &d);
		has_smep = !!(bx & (1U << 7));
		has_smap = !!(bx & (1U << 20));
	}
	puts("accesstest32: MAXPHYADDR ");
	put_dec(maxphy);
	puts(has_smep ? ", SMEP" : ", no SMEP");
	puts(has_smap ? ", SMAP" : ", no SMAP");
	puts(tcg ? ", QEMU TCG\n" : "\n");
	build_tables();

	for (m.pae = 0; m.pae < 2; m.pae++)
		for (m.wp = 1; m.wp >= 0; m.wp--)
			for (m.nxe = 0; m.nxe < 2; m.nxe++)
				for (m.pse = 0; m.pse <= !m.pae; m.pse++)
					for (m.smep = 0; m.smep <= has_smep; m.smep++)
						for (m.smap = 0; m.smap <= has_smap; m.smap++)
							run_mode(&m);

	/* Back to unpaged mode. */
	write_cr0(read_cr0() & ~CR0_PG);
	write_cr4(0);
	wrmsr(MSR_EFER, 0);
	write_cr0(read_cr0() | CR0_WP);

	for (i = 0; i < 0x1000; i++)
		if (((u8 *)TARGET)[i] != 0xc3)
			break;
	check(i == 0x1000, 3, "target page still all RET bytes");

	puts("accesstest32: modes ");
	put_dec(nr_modes);
	puts(" cases ");
	put_dec(nr_cases);
	puts(" faults ");
	put_dec(nr_faults);
	puts(" completed ");
	put_dec(nr_ok);
	puts(" mismatches ");
	put_dec(nr_bad);
	puts(" (2-level and PAE, CR0.WP 1 and 0)\n");
	if (tcg) {
		puts("accesstest32: QEMU TCG quirks tolerated: RSVD without P ");
		put_dec(nr_quirk_rsvd);
		puts(", A set in PAE PDPTEs ");
		put_dec(nr_quirk_pdpte_a);
		puts(", no #GP for reserved PDPTE bits ");
		put_dec(nr_quirk_no_gp);
		putc('\n');
	}
	check(nr_cases > 0, 4, "access cases ran");
	check(nr_bad == 0, 2, "accesstest32: every access matches the architectural rules");
	return 0;
}
