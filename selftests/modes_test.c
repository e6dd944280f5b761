// SPDX-License-Identifier: GPL-2.0
/*
 * Guest paging modes: the 32-bit guests entered in unpaged protected mode
 * (shadowvm-run --mode=unpaged) that switch to 2-level, PAE and IA-32e
 * paging themselves (modes), the page-table access test in 2-level and
 * PAE paging (accesstest32), hello32 entered by the launcher in each
 * 32-bit mode (--mode=unpaged, 32, pae), the loader's entry states through
 * the raw API (SET_SREGS/GET_SREGS of unpaged, 2-level and PAE states; a
 * PDPTE with a reserved bit, EFER.LMA without paging and real mode
 * (CR0.PE=0) refused with EINVAL). The module's audit
 * is turned on for the runs when its parameter is writable. Each guest
 * checks its own results; here we assert its PASS lines, exit status, and
 * that --stats reports no audit failure. The QEMU TCG quirks the guests
 * tolerate under TCG must not appear here.
 */
#include "test_util.h"
#include "kselftest_harness.h"

#define RUN_TIMEOUT_MS	240000

FIXTURE(modes) {
	struct launch l;
	char image[4096];
};

FIXTURE_SETUP(modes)
{
}

FIXTURE_TEARDOWN(modes)
{
}

/* N on the guest's last line, "modes: N checks, all checks passed". */
static long long modes_checks(const char *out)
{
	const char *p = strstr(out, " checks, all checks passed");

	while (p && p > out && p[-1] != ' ')
		p--;
	return p ? strtoll(p, NULL, 10) : -1;
}

/* Run build/guests/@name.bin with the launcher's --mode=@mode. */
static int run_in_mode(struct __test_metadata *_metadata,
		       FIXTURE_DATA(modes) *self, const char *name,
		       const char *mode)
{
	char mode_arg[32];
	const char *args[] = { mode_arg, "-m", "16M", "--stats",
			       self->image, NULL };
	int st;

	snprintf(mode_arg, sizeof(mode_arg), "--mode=%s", mode);
	guest_path(self->image, sizeof(self->image), name);
	st = launcher_run(&self->l, args, RUN_TIMEOUT_MS);
	printf("# %s %s: status %d, guest_faults %lld, shadow_faults %lld, exits %lld\n",
	       name, mode_arg, st, launch_stat(self->l.err, "guest_faults"),
	       launch_stat(self->l.err, "shadow_faults"),
	       launch_stat(self->l.err, "exits"));
	fflush(stdout);
	return st;
}

#define EXPECT_GUEST_OK(st, pass_line) do { \
	EXPECT_EQ(0, st) LOG_LAUNCH(&self->l); \
	EXPECT_EQ(NULL, strstr(self->l.out, "FAIL")) LOG_LAUNCH(&self->l); \
	EXPECT_EQ(NULL, strstr(self->l.out, "TCG")) LOG_LAUNCH(&self->l); \
	EXPECT_NE(NULL, strstr(self->l.out, pass_line)) LOG_LAUNCH(&self->l); \
	EXPECT_EQ(0, launch_stat(self->l.err, "audit_failures")) LOG_LAUNCH(&self->l); \
} while (0)

/* unpaged -> 2-level -> PAE -> IA-32e -> unpaged, switched by the guest. */
TEST_F_TIMEOUT(modes, modes_guest, 300)
{
	int st = run_in_mode(_metadata, self, "modes", "unpaged");

	EXPECT_GUEST_OK(st, " checks, all checks passed");
	EXPECT_NE(NULL, strstr(self->l.out, "modes: 2-level paging\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: CR4.PSE=1: the same PDE is a 4 MiB page"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: INVLPG after changing the PTE: new frame"));
	EXPECT_NE(NULL, strstr(self->l.out, "modes: PAE paging\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: NX page: fetch (NXE=1)"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: PDPTE cleared in memory: still used until CR3 is reloaded"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: MOV to CR3 with a reserved PDPTE bit"));
	EXPECT_NE(NULL, strstr(self->l.out, "modes: IA-32e mode\n"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: 64-bit mode: read of linear 0x100001234"));
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: PG=0 leaves IA-32e mode"));
	EXPECT_NE(NULL, strstr(self->l.out, "(after IA-32e mode)"));
	/* 82 checks when this was written; all of them must have run. */
	EXPECT_LE(80, modes_checks(self->l.out)) LOG_LAUNCH(&self->l);
	/* At least one #PF per fault check was reflected to the guest. */
	if (launch_stat(self->l.err, "guest_faults") >= 0)
		EXPECT_LE(10, launch_stat(self->l.err, "guest_faults"));
}

TEST_F_TIMEOUT(modes, accesstest32, 600)
{
	int st = run_in_mode(_metadata, self, "accesstest32", "unpaged");
	long long modes = num_after(self->l.out, "accesstest32: modes ");
	long long cases = num_after(self->l.out, " cases ");
	long long faults = num_after(self->l.out, " faults ");

	EXPECT_GUEST_OK(st, "PASS: accesstest32: every access matches the architectural rules");
	EXPECT_NE(NULL, strstr(self->l.out, " mismatches 0 "));
	/*
	 * 2-level: WP 1/0 x NXE 0/1 x PSE 0/1; PAE: WP 1/0 x NXE 0/1; each
	 * x SMEP/SMAP 0/1 if CPUID offers them: 12 to 48 modes. Without
	 * SMEP/SMAP the reduced set runs 1557 cases (QEMU TCG).
	 */
	EXPECT_LE(12, modes) LOG_LAUNCH(&self->l);
	EXPECT_LE(1500, cases) LOG_LAUNCH(&self->l);
	EXPECT_LT(cases / 3, faults) LOG_LAUNCH(&self->l);
	if (modes < 48)
		printf("# accesstest32: SMEP/SMAP not offered by CPUID: %lld of 48 modes run\n",
		       modes);
	/* Faults are #PF, except #GP for reserved PDPTE bits at MOV CR3. */
	if (launch_stat(self->l.err, "guest_faults") >= 0)
		EXPECT_LE(faults / 2, launch_stat(self->l.err, "guest_faults"))
			LOG_LAUNCH(&self->l);
}

/*
 * hello32 entered in @mode: it must report that mode from CR0/CR4/EFER,
 * check the entry state of that mode, write and read through its own page
 * table and take exactly one #PF, which the pager reflected.
 */
static void hello32_in(struct __test_metadata *_metadata,
		       FIXTURE_DATA(modes) *self, const char *mode,
		       const char *regs_line, const char *paging_line)
{
	char want[64];
	int st = run_in_mode(_metadata, self, "hello32", mode);

	snprintf(want, sizeof(want), "hello32: all checks passed (%s)\n", mode);
	EXPECT_GUEST_OK(st, want);
	snprintf(want, sizeof(want), "hello32: entry mode %s\n", mode);
	EXPECT_NE(NULL, strstr(self->l.out, want)) LOG_LAUNCH(&self->l);
	EXPECT_NE(NULL, strstr(self->l.out, regs_line)) LOG_LAUNCH(&self->l);
	EXPECT_NE(NULL, strstr(self->l.out, paging_line)) LOG_LAUNCH(&self->l);
	EXPECT_NE(NULL, strstr(self->l.out, "PASS: CR2: got 0xc0001004"))
		LOG_LAUNCH(&self->l);
	if (launch_stat(self->l.err, "guest_faults") >= 0)
		EXPECT_EQ(1, launch_stat(self->l.err, "guest_faults"))
			LOG_LAUNCH(&self->l);
}

TEST_F_TIMEOUT(modes, hello32_unpaged, 120)
{
	hello32_in(_metadata, self, "unpaged",
		   "hello32: cr0 0x00000033 cr4 0x00000000 efer 0x00000000\n",
		   "hello32: turned on 2-level paging with 4 MiB pages\n");
}

TEST_F_TIMEOUT(modes, hello32_2level, 120)
{
	hello32_in(_metadata, self, "32",
		   "hello32: cr0 0x80010033 cr4 0x00000010 efer 0x00000000\n",
		   "hello32: 2-level paging, 4 MiB pages\n");
}

TEST_F_TIMEOUT(modes, hello32_pae, 120)
{
	hello32_in(_metadata, self, "pae",
		   "hello32: cr0 0x80010033 cr4 0x00000020 efer 0x00000800\n",
		   "hello32: PAE paging, 2 MiB pages\n");
}

TEST_F(modes, bad_mode_refused)
{
	const char *args[] = { "--mode=real", "x.bin", NULL };
	int st = launcher_run(&self->l, args, 10000);

	EXPECT_EQ(LAUNCH_EXIT_USAGE, st) LOG_LAUNCH(&self->l);
	EXPECT_NE(NULL, strstr(self->l.err, "bad --mode 'real' (unpaged, 32, pae or long)"))
		LOG_LAUNCH(&self->l);
}

/*
 * The raw API: the loader's unpaged, 2-level and PAE states are accepted
 * and read back; real mode, EFER.LMA without paging and PDPTEs with
 * reserved bits are not.
 */
FIXTURE(vm) {
	struct tvm t;
};

FIXTURE_SETUP(vm)
{
	const char *why;
	int err = tvm_create(&self->t, TEST_MEM_SIZE, &why);

	ASSERT_EQ(0, err) TH_LOG("%s: %s", why, strerror(-err));
}

FIXTURE_TEARDOWN(vm)
{
	tvm_destroy(&self->t);
}

TEST_F(vm, unpaged_entry_accepted)
{
	struct shadowvm_sregs s;

	ASSERT_EQ(0, guest_setup_unpaged(&self->t.mem, GUEST_LOAD_DEFAULT,
					 &self->t.sregs, &self->t.regs));
	EXPECT_EQ(0, svm_set_sregs(self->t.vcpu, &self->t.sregs));
	ASSERT_EQ(0, svm_get_sregs(self->t.vcpu, &s));
	EXPECT_EQ(self->t.sregs.cr0, s.cr0 & self->t.sregs.cr0);
	EXPECT_EQ(0, s.cr0 & 0x80000000ULL);	/* PG stays off */
	EXPECT_EQ(0, s.cr4 & 0x20);		/* no PAE */
	EXPECT_EQ(0, s.efer & 0x500);		/* no LME/LMA */
	EXPECT_EQ(GUEST_SEL_CODE32, s.cs.selector);
	EXPECT_EQ(1, s.cs.db);
	EXPECT_EQ(0, s.cs.l);
}

TEST_F(vm, real_mode_refused)
{
	struct shadowvm_sregs s;

	ASSERT_EQ(0, guest_setup_unpaged(&self->t.mem, GUEST_LOAD_DEFAULT,
					 &self->t.sregs, &self->t.regs));
	s = self->t.sregs;
	s.cr0 &= ~1ULL;		/* PE = 0: real mode */
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->t.vcpu, &s));
	/* Real-mode segments too, as KVM would be handed them. */
	s.cs.selector = 0;
	s.cs.base = 0;
	s.cs.limit = 0xffff;
	s.cs.db = 0;
	s.cs.g = 0;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->t.vcpu, &s));
	/* The vCPU still takes a valid state afterwards. */
	EXPECT_EQ(0, svm_set_sregs(self->t.vcpu, &self->t.sregs));
}

/* SET_SREGS of the loader's @mode state; GET_SREGS gives it back. */
static void sregs_round_trip(struct __test_metadata *_metadata,
			     FIXTURE_DATA(vm) *self, enum guest_mode mode)
{
	struct shadowvm_sregs s;

	ASSERT_EQ(0, guest_setup_mode(&self->t.mem, mode, GUEST_LOAD_DEFAULT,
				 &self->t.sregs, &self->t.regs));
	ASSERT_EQ(0, svm_set_sregs(self->t.vcpu, &self->t.sregs));
	ASSERT_EQ(0, svm_get_sregs(self->t.vcpu, &s));
	EXPECT_EQ(self->t.sregs.cr0, s.cr0);
	EXPECT_EQ(self->t.sregs.cr3, s.cr3);
	EXPECT_EQ(self->t.sregs.cr4, s.cr4);
	EXPECT_EQ(self->t.sregs.efer, s.efer);
	EXPECT_EQ(GUEST_SEL_CODE32, s.cs.selector);
	EXPECT_EQ(1, s.cs.db);
	EXPECT_EQ(0, s.cs.l);
	EXPECT_EQ(GUEST_SEL_DATA, s.ss.selector);
	EXPECT_EQ(GUEST_TSS, s.tr.base);
	EXPECT_EQ(GUEST_GDT, s.gdt.base);
}

TEST_F(vm, paging32_entry_round_trip)
{
	sregs_round_trip(_metadata, self, GUEST_MODE_32);
	EXPECT_EQ(0x80010033ULL, self->t.sregs.cr0);
	EXPECT_EQ(0x10ULL, self->t.sregs.cr4);	/* PSE */
}

TEST_F(vm, pae_entry_round_trip)
{
	sregs_round_trip(_metadata, self, GUEST_MODE_PAE);
	EXPECT_EQ(0x20ULL, self->t.sregs.cr4);	/* PAE */
	EXPECT_EQ(0x800ULL, self->t.sregs.efer);	/* NXE, no LME/LMA */
}

/* Set bit @bit in PDPTE @idx at CR3 and try SET_SREGS; restore it. */
static int set_sregs_with_pdpte_bit(struct tvm *t, unsigned int idx,
				    unsigned int bit)
{
	uint64_t *pdpte = (uint64_t *)(t->mem.host + GUEST_PDPT) + idx;
	uint64_t old = *pdpte;
	int err;

	*pdpte |= 1ULL << bit;
	err = svm_set_sregs(t->vcpu, &t->sregs);
	*pdpte = old;
	return err;
}

TEST_F(vm, pae_reserved_pdpte_refused)
{
	struct shadowvm_sregs s;

	ASSERT_EQ(0, guest_setup_mode(&self->t.mem, GUEST_MODE_PAE,
				 GUEST_LOAD_DEFAULT, &self->t.sregs,
				 &self->t.regs));
	/* RW (bit 1) and bit 63 are reserved in a present PDPTE. */
	EXPECT_EQ(-EINVAL, set_sregs_with_pdpte_bit(&self->t, 0, 1));
	EXPECT_EQ(-EINVAL, set_sregs_with_pdpte_bit(&self->t, 3, 63));
	EXPECT_EQ(-EINVAL, set_sregs_with_pdpte_bit(&self->t, 2, 2));
	EXPECT_EQ(-EINVAL, set_sregs_with_pdpte_bit(&self->t, 1, 52));
	/* A refused state changes nothing: the vCPU still has its old one. */
	ASSERT_EQ(0, svm_get_sregs(self->t.vcpu, &s));
	EXPECT_EQ(0, s.cr4 & 0x20);
	/* Not present: the other bits are free. */
	self->t.mem.host[GUEST_PDPT + 24] &= ~1;
	EXPECT_EQ(0, set_sregs_with_pdpte_bit(&self->t, 3, 63));
	self->t.mem.host[GUEST_PDPT + 24] |= 1;
	/* The same PDPTEs without the reserved bits are accepted. */
	EXPECT_EQ(0, svm_set_sregs(self->t.vcpu, &self->t.sregs));
	ASSERT_EQ(0, svm_get_sregs(self->t.vcpu, &s));
	EXPECT_EQ(GUEST_PDPT, s.cr3);
}

TEST_F(vm, lma_without_paging_refused)
{
	struct shadowvm_sregs s;

	ASSERT_EQ(0, guest_setup_unpaged(&self->t.mem, GUEST_LOAD_DEFAULT,
					 &self->t.sregs, &self->t.regs));
	s = self->t.sregs;
	s.cr4 |= 0x20;			/* PAE */
	s.efer |= 0x500;		/* LME, LMA; CR0.PG still 0 */
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->t.vcpu, &s));
	s.efer &= ~0x100ULL;		/* LMA alone */
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->t.vcpu, &s));
	/* LME without PG is legal: IA-32e mode is not active yet. */
	s.efer = 0x100;
	EXPECT_EQ(0, svm_set_sregs(self->t.vcpu, &s));
	/* And LMA with PG but without LME is refused too. */
	ASSERT_EQ(0, guest_setup_mode(&self->t.mem, GUEST_MODE_PAE,
				 GUEST_LOAD_DEFAULT, &s, &self->t.regs));
	s.efer |= 0x400;
	EXPECT_EQ(-EINVAL, svm_set_sregs(self->t.vcpu, &s));
}

int main(int argc, char **argv)
{
	char old[16];
	int ret;

	require_shadowvm(true);
	require_launcher();
	require_guests();
	filter_tests();
	audit_begin(old, sizeof(old));
	ret = test_harness_run(argc, argv);
	audit_restore(old);
	return ret;
}
