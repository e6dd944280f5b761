// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM backend: the same VM (RAM at guest-physical 0, one vCPU, the
 * loader's entry state) on /dev/kvm, meant for kvm_intel loaded with
 * ept=0 so that KVM's shadow MMU is what runs the guest's paging.
 *
 * What KVM needs beyond shadowvm:
 *  - a TSS area (KVM_SET_TSS_ADDR, three pages) and, on Intel without
 *    unrestricted guest, an identity-map page (KVM_SET_IDENTITY_MAP_ADDR)
 *    for guests running with paging off. Both go just below 4 GiB, far
 *    above any RAM the launcher accepts (VMB_KVM_PRIVATE_BASE), where the
 *    shadowvm layout only has "nothing there" MMIO.
 *  - CPUID: KVM_GET_SUPPORTED_CPUID, less what shadowvm does not offer
 *    its guests and what changes which page tables are legal (1 GiB
 *    pages, PCID/INVPCID), so that both backends run the same guest code
 *    paths and a differential run compares like with like.
 *  - statistics: KVM's binary stats (KVM_GET_STATS_FD on the VM and the
 *    vCPU fd), read while the VM lives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "backend.h"

#define KVM_DEV_PATH		"/dev/kvm"
/* TSS (3 pages) at 0xfffbd000, identity-map page just below it. */
#define VMB_KVM_IDENTITY_MAP	0xfffbc000ULL
#define VMB_KVM_TSS		0xfffbd000ULL
#define VMB_KVM_PRIVATE_BASE	VMB_KVM_IDENTITY_MAP

_Static_assert(sizeof(struct kvm_regs) == sizeof(struct shadowvm_regs),
	       "shadowvm_regs must match kvm_regs");
_Static_assert(sizeof(struct kvm_sregs) == sizeof(struct shadowvm_sregs),
	       "shadowvm_sregs must match kvm_sregs");
_Static_assert(offsetof(struct kvm_sregs, apic_base) ==
	       offsetof(struct shadowvm_sregs, apic_base),
	       "shadowvm_sregs must match kvm_sregs");

static long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* First character of a sysfs parameter, 0 if it cannot be read. */
static char module_param(const char *path)
{
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c;
}

/*
 * KVM with two-dimensional paging would not use its shadow MMU at all:
 * refuse, since the point of this backend is comparing shadow pagers.
 */
static int check_no_tdp(struct vmb *b)
{
	char ept = module_param("/sys/module/kvm_intel/parameters/ept");
	char npt = module_param("/sys/module/kvm_amd/parameters/npt");

	if (ept == 'Y' || ept == '1')
		return vmb_fail(b, -EOPNOTSUPP,
				"kvm_intel is loaded with ept=1: KVM would use EPT, not its shadow MMU; the comparison with shadowvm wants ept=0 (rmmod kvm_intel; modprobe kvm_intel ept=0)");
	if (npt == 'Y' || npt == '1')
		return vmb_fail(b, -EOPNOTSUPP,
				"kvm_amd is loaded with npt=1: KVM would use NPT, not its shadow MMU; the comparison with shadowvm wants npt=0 (rmmod kvm_amd; modprobe kvm_amd npt=0)");
	return 0;
}

/*
 * Take out of KVM's supported CPUID what shadowvm hides from its guests
 * and that changes guest paging: 1 GiB pages (leaf 0x80000001 EDX 26),
 * PCID (leaf 1 ECX 17), INVPCID (leaf 7 EBX 10). VMX (leaf 1 ECX 5) goes
 * too: neither offers nesting here.
 */
static void filter_cpuid(struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ecx &= ~((1U << 17) | (1U << 5));
			break;
		case 7:
			if (e->index == 0)
				e->ebx &= ~(1U << 10);
			break;
		case 0x80000001:
			e->edx &= ~(1U << 26);
			break;
		}
	}
}

static int set_cpuid(struct vmb *b)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int nent;
	int err = -E2BIG;

	for (nent = 64; nent <= 4096 && err == -E2BIG; nent *= 2) {
		free(c);
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return vmb_fail(b, -ENOMEM, "CPUID table: out of memory");
		c->nent = nent;
		err = xioctl(b->sys_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)c);
	}
	if (err) {
		free(c);
		return vmb_fail(b, err, "KVM_GET_SUPPORTED_CPUID: %s",
				strerror(-err));
	}
	filter_cpuid(c);
	err = xioctl(b->vcpu_fd, KVM_SET_CPUID2, (unsigned long)c);
	free(c);
	if (err)
		return vmb_fail(b, err, "KVM_SET_CPUID2: %s", strerror(-err));
	return 0;
}

static int kvmb_create(struct vmb *b, void *ram, uint64_t size)
{
	struct kvm_userspace_memory_region r;
	int err;

	if (size > VMB_KVM_PRIVATE_BASE)
		return vmb_fail(b, -EINVAL,
				"--backend=kvm takes at most %#llx bytes of RAM (KVM's TSS and identity map sit above it)",
				VMB_KVM_PRIVATE_BASE);
	b->sys_fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (b->sys_fd < 0) {
		err = -errno;
		return vmb_fail(b, err, "%s: %s%s", KVM_DEV_PATH, strerror(-err),
				err == -ENOENT ?
				" (load KVM with shadow paging: modprobe kvm_intel ept=0)" : "");
	}
	err = check_no_tdp(b);
	if (err)
		return err;
	err = xioctl(b->sys_fd, KVM_GET_API_VERSION, 0);
	if (err != KVM_API_VERSION)
		return vmb_fail(b, -EPROTO, "KVM API version %d, expected %d",
				err, KVM_API_VERSION);
	b->vm_fd = xioctl(b->sys_fd, KVM_CREATE_VM, 0);
	if (b->vm_fd < 0)
		return vmb_fail(b, b->vm_fd, "KVM_CREATE_VM: %s",
				strerror(-b->vm_fd));
	err = xioctl(b->vm_fd, KVM_SET_TSS_ADDR, VMB_KVM_TSS);
	if (err)
		return vmb_fail(b, err, "KVM_SET_TSS_ADDR: %s", strerror(-err));
	/* Only Intel without unrestricted guest uses it; harmless elsewhere. */
	if (xioctl(b->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0) {
		uint64_t addr = VMB_KVM_IDENTITY_MAP;

		err = xioctl(b->vm_fd, KVM_SET_IDENTITY_MAP_ADDR,
			     (unsigned long)&addr);
		if (err)
			return vmb_fail(b, err, "KVM_SET_IDENTITY_MAP_ADDR: %s",
					strerror(-err));
	}
	memset(&r, 0, sizeof(r));
	r.slot = 0;
	r.guest_phys_addr = 0;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)ram;
	err = xioctl(b->vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
	if (err)
		return vmb_fail(b, err, "KVM_SET_USER_MEMORY_REGION (%llu bytes): %s",
				(unsigned long long)size, strerror(-err));
	b->vcpu_fd = xioctl(b->vm_fd, KVM_CREATE_VCPU, 0);
	if (b->vcpu_fd < 0)
		return vmb_fail(b, b->vcpu_fd, "KVM_CREATE_VCPU: %s",
				strerror(-b->vcpu_fd));
	b->run_size = xioctl(b->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (b->run_size < (long)sizeof(struct kvm_run))
		return vmb_fail(b, b->run_size < 0 ? (int)b->run_size : -EINVAL,
				"KVM_GET_VCPU_MMAP_SIZE: %ld", b->run_size);
	b->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->vcpu_fd, 0);
	if (b->run == MAP_FAILED) {
		err = -errno;
		b->run = NULL;
		return vmb_fail(b, err, "mmap of kvm_run: %s", strerror(-err));
	}
	return set_cpuid(b);
}

static int kvmb_set_state(struct vmb *b, const struct shadowvm_sregs *s,
			  const struct shadowvm_regs *r)
{
	struct kvm_sregs ks;
	struct kvm_regs kr;
	uint64_t apic_base;
	int err;

	/* Keep KVM's APIC base: the loader leaves it 0 (no APIC model). */
	err = xioctl(b->vcpu_fd, KVM_GET_SREGS, (unsigned long)&ks);
	if (err)
		return vmb_fail(b, err, "KVM_GET_SREGS: %s", strerror(-err));
	apic_base = ks.apic_base;
	memcpy(&ks, s, sizeof(ks));
	ks.apic_base = apic_base;
	err = xioctl(b->vcpu_fd, KVM_SET_SREGS, (unsigned long)&ks);
	if (err)
		return vmb_fail(b, err, "KVM_SET_SREGS: %s", strerror(-err));
	memcpy(&kr, r, sizeof(kr));
	err = xioctl(b->vcpu_fd, KVM_SET_REGS, (unsigned long)&kr);
	if (err)
		return vmb_fail(b, err, "KVM_SET_REGS: %s", strerror(-err));
	return 0;
}

static int kvmb_get_regs(struct vmb *b, struct shadowvm_regs *r)
{
	return xioctl(b->vcpu_fd, KVM_GET_REGS, (unsigned long)r);
}

static int kvmb_get_sregs(struct vmb *b, struct shadowvm_sregs *s)
{
	return xioctl(b->vcpu_fd, KVM_GET_SREGS, (unsigned long)s);
}

static int kvmb_run(struct vmb *b, struct vmb_exit *e)
{
	struct kvm_run *run = b->run;
	int err = xioctl(b->vcpu_fd, KVM_RUN, 0);

	if (err)
		return vmb_fail(b, err, "KVM_RUN: %s", strerror(-err));
	memset(e, 0, sizeof(*e));
	e->raw_reason = run->exit_reason;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		if (run->io.data_offset + (uint64_t)run->io.size * run->io.count >
		    (uint64_t)b->run_size)
			return vmb_fail(b, -EFAULT, "IO exit data outside kvm_run");
		e->reason = SHADOWVM_EXIT_IO;
		e->io.out = run->io.direction == KVM_EXIT_IO_OUT;
		e->io.size = run->io.size;
		e->io.port = run->io.port;
		e->io.count = run->io.count;
		e->io.data = (uint8_t *)run + run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		e->reason = SHADOWVM_EXIT_MMIO;
		e->mmio.addr = run->mmio.phys_addr;
		e->mmio.len = run->mmio.len;
		e->mmio.is_write = run->mmio.is_write;
		e->mmio.data = run->mmio.data;
		break;
	case KVM_EXIT_HLT:
		e->reason = SHADOWVM_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		e->reason = SHADOWVM_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_INTR:
		e->reason = SHADOWVM_EXIT_INTR;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		e->reason = SHADOWVM_EXIT_FAIL_ENTRY;
		e->fail_entry.reason = run->fail_entry.hardware_entry_failure_reason;
		e->fail_entry.cpu = run->fail_entry.cpu;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		e->reason = SHADOWVM_EXIT_INTERNAL_ERROR;
		e->internal.suberror = run->internal.suberror;
		e->internal.ndata = run->internal.ndata > 16 ? 16 : run->internal.ndata;
		memcpy(e->internal.data, run->internal.data,
		       e->internal.ndata * sizeof(e->internal.data[0]));
		break;
	default:
		e->reason = VMB_EXIT_OTHER;
		break;
	}
	return 0;
}

/* ---- binary statistics ---- */

struct kstat {
	char name[64];	/* KVM 6.1 uses 48 */
	uint64_t val;
};

/*
 * Append every statistic of the stats fd of @fd (VM or vCPU) to @ks.
 * Histograms are summed over their buckets.
 */
static int read_stats_fd(int fd, struct kstat *ks, int *n, int max)
{
	struct kvm_stats_header h;
	size_t desc_size;
	char *descs = NULL;
	uint64_t *data = NULL;
	uint32_t i;
	int sfd, err = 0;

	sfd = xioctl(fd, KVM_GET_STATS_FD, 0);
	if (sfd < 0)
		return sfd;
	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h)) {
		err = -EIO;
		goto out;
	}
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, desc_size);
	if (!descs && h.num_desc) {
		err = -ENOMEM;
		goto out;
	}
	if (pread(sfd, descs, h.num_desc * desc_size, h.desc_offset) !=
	    (ssize_t)(h.num_desc * desc_size)) {
		err = -EIO;
		goto out;
	}
	for (i = 0; i < h.num_desc && *n < max; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * desc_size);
		uint64_t sum = 0;
		uint32_t k;

		free(data);
		data = calloc(d->size ? d->size : 1, sizeof(uint64_t));
		if (!data) {
			err = -ENOMEM;
			goto out;
		}
		if (pread(sfd, data, d->size * sizeof(uint64_t),
			  h.data_offset + d->offset) !=
		    (ssize_t)(d->size * sizeof(uint64_t))) {
			err = -EIO;
			goto out;
		}
		for (k = 0; k < d->size; k++)
			sum += data[k];
		snprintf(ks[*n].name, sizeof(ks[*n].name), "%.*s",
			 (int)h.name_size, d->name);
		ks[*n].val = sum;
		(*n)++;
	}
out:
	free(data);
	free(descs);
	close(sfd);
	return err;
}

/*
 * shadowvm's names for KVM counters that mean the same thing (or nearly:
 * Documentation/differential.rst says how near), in shadowvm's order.
 */
static const struct {
	const char *common, *kvm;
} stat_map[] = {
	{ "exits",			"exits" },
	{ "exits_exception",		"pf_taken" },
	{ "exits_invlpg",		"invlpg" },
	{ "exits_io",			"io_exits" },
	{ "exits_hlt",			"halt_exits" },
	{ "exits_external_interrupt",	"irq_exits" },
	{ "shadow_faults",		"pf_fixed" },
	{ "guest_faults",		"pf_guest" },
	{ "mmio",			"mmio_exits" },
	{ "hash_max_chain",		"max_mmu_page_hash_collisions" },
	{ "invlpg",			"invlpg" },
	{ "pool_reclaims",		"mmu_recycled" },
	{ "unshadows",			"mmu_flooded" },
	{ "emulated_writes",		"mmu_pte_write" },
};

#define MAX_KSTATS 256

static int kvmb_stats(struct vmb *b, struct vmb_stat *st, int max)
{
	struct kstat *ks = calloc(MAX_KSTATS, sizeof(*ks));
	int nk = 0, n = 0, i, j, err;

	if (!ks)
		return vmb_fail(b, -ENOMEM, "statistics: out of memory");
	err = read_stats_fd(b->vm_fd, ks, &nk, MAX_KSTATS);
	if (!err)
		err = read_stats_fd(b->vcpu_fd, ks, &nk, MAX_KSTATS);
	if (err) {
		free(ks);
		return vmb_fail(b, err, "KVM binary statistics: %s%s",
				strerror(-err), err == -ENOTTY ?
				" (KVM_GET_STATS_FD needs Linux 5.14 or later)" : "");
	}
	for (i = 0; i < (int)(sizeof(stat_map) / sizeof(stat_map[0])); i++)
		for (j = 0; j < nk && n < max; j++)
			if (!strcmp(ks[j].name, stat_map[i].kvm)) {
				snprintf(st[n].name, sizeof(st[n].name), "%s",
					 stat_map[i].common);
				st[n++].val = ks[j].val;
				break;
			}
	for (j = 0; j < nk && n < max; j++) {
		snprintf(st[n].name, sizeof(st[n].name), "kvm.%s", ks[j].name);
		st[n++].val = ks[j].val;
	}
	free(ks);
	return n;
}

static const char *kvmb_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN]		= "UNKNOWN",
		[KVM_EXIT_EXCEPTION]		= "EXCEPTION",
		[KVM_EXIT_IO]			= "IO",
		[KVM_EXIT_HYPERCALL]		= "HYPERCALL",
		[KVM_EXIT_DEBUG]		= "DEBUG",
		[KVM_EXIT_HLT]			= "HLT",
		[KVM_EXIT_MMIO]			= "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN]	= "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN]		= "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY]		= "FAIL_ENTRY",
		[KVM_EXIT_INTR]			= "INTR",
		[KVM_EXIT_SET_TPR]		= "SET_TPR",
		[KVM_EXIT_TPR_ACCESS]		= "TPR_ACCESS",
		[KVM_EXIT_NMI]			= "NMI",
		[KVM_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT]		= "SYSTEM_EVENT",
		[KVM_EXIT_X86_RDMSR]		= "X86_RDMSR",
		[KVM_EXIT_X86_WRMSR]		= "X86_WRMSR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "KVM exit";
}

static const char *kvmb_suberror_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception during exception delivery";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failed";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected VM exit";
	default:
		return "unknown";
	}
}

static void kvmb_destroy(struct vmb *b)
{
	if (b->run)
		munmap(b->run, b->run_size);
}

const struct vmb_ops vmb_kvm_ops = {
	.name = "kvm",
	.create = kvmb_create,
	.set_state = kvmb_set_state,
	.get_regs = kvmb_get_regs,
	.get_sregs = kvmb_get_sregs,
	.run = kvmb_run,
	.stats = kvmb_stats,
	.exit_name = kvmb_exit_name,
	.suberror_name = kvmb_suberror_name,
	.destroy = kvmb_destroy,
};
