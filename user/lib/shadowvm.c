// SPDX-License-Identifier: GPL-2.0
/*
 * Thin userspace layer over the shadowvm ioctls: see shadowvm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shadowvm.h"

/* ioctl() returning -errno instead of -1, so callers can pass it up. */
static long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Size of the vCPU mmap area; a page until the module says otherwise. */
static long run_size;

static long run_area_size(void)
{
	return run_size > 0 ? run_size : getpagesize();
}

int svm_open_dev(void)
{
	int fd = open(SHADOWVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (run_size <= 0)
		svm_vcpu_mmap_size(fd);
	return fd;
}

long svm_vcpu_mmap_size(int sys_fd)
{
	long n = xioctl(sys_fd, SHADOWVM_GET_VCPU_MMAP_SIZE, 0);

	if (n > 0)
		run_size = n;
	return n;
}

int svm_api_version(int fd)
{
	return xioctl(fd, SHADOWVM_GET_API_VERSION, 0);
}

long svm_check_extension(int fd, unsigned long cap)
{
	return xioctl(fd, SHADOWVM_CHECK_EXTENSION, cap);
}

int svm_create_vm(int sys_fd)
{
	return xioctl(sys_fd, SHADOWVM_CREATE_VM, 0);
}

int svm_set_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t size, void *host)
{
	struct shadowvm_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (uintptr_t)host;
	return xioctl(vm_fd, SHADOWVM_SET_MEMORY_REGION, (unsigned long)&r);
}

int svm_delete_region(int vm_fd, uint32_t slot)
{
	return svm_set_region(vm_fd, slot, 0, 0, 0, NULL);
}

int svm_get_stats(int vm_fd, struct shadowvm_stats *st)
{
	memset(st, 0, sizeof(*st));
	return xioctl(vm_fd, SHADOWVM_GET_STATS, (unsigned long)st);
}

int svm_create_vcpu(int vm_fd, unsigned long id, struct shadowvm_run **run)
{
	void *p;
	int fd, err;

	fd = xioctl(vm_fd, SHADOWVM_CREATE_VCPU, id);
	if (fd < 0)
		return fd;
	p = mmap(NULL, run_area_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	*run = p;
	return fd;
}

int svm_unmap_run(struct shadowvm_run *run)
{
	return munmap(run, run_area_size()) ? -errno : 0;
}

int svm_get_regs(int vcpu_fd, struct shadowvm_regs *r)
{
	return xioctl(vcpu_fd, SHADOWVM_GET_REGS, (unsigned long)r);
}

int svm_set_regs(int vcpu_fd, const struct shadowvm_regs *r)
{
	return xioctl(vcpu_fd, SHADOWVM_SET_REGS, (unsigned long)r);
}

int svm_get_sregs(int vcpu_fd, struct shadowvm_sregs *s)
{
	return xioctl(vcpu_fd, SHADOWVM_GET_SREGS, (unsigned long)s);
}

int svm_set_sregs(int vcpu_fd, const struct shadowvm_sregs *s)
{
	return xioctl(vcpu_fd, SHADOWVM_SET_SREGS, (unsigned long)s);
}

int svm_run(int vcpu_fd)
{
	return xioctl(vcpu_fd, SHADOWVM_RUN, 0);
}

static const char *const stat_names[SHADOWVM_STAT_NR] = {
	[SHADOWVM_STAT_EXITS]		= "exits",
	[SHADOWVM_STAT_EXIT_EXCEPTION]	= "exits_exception",
	[SHADOWVM_STAT_EXIT_CR]		= "exits_cr_access",
	[SHADOWVM_STAT_EXIT_INVLPG]	= "exits_invlpg",
	[SHADOWVM_STAT_EXIT_IO]		= "exits_io",
	[SHADOWVM_STAT_EXIT_CPUID]	= "exits_cpuid",
	[SHADOWVM_STAT_EXIT_HLT]	= "exits_hlt",
	[SHADOWVM_STAT_EXIT_MSR]	= "exits_msr",
	[SHADOWVM_STAT_EXIT_EXTINT]	= "exits_external_interrupt",
	[SHADOWVM_STAT_EXIT_OTHER]	= "exits_other",
	[SHADOWVM_STAT_SHADOW_FAULTS]	= "shadow_faults",
	[SHADOWVM_STAT_GUEST_FAULTS]	= "guest_faults",
	[SHADOWVM_STAT_MMIO]		= "mmio",
	[SHADOWVM_STAT_SHADOW_PAGES]	= "shadow_pages",
	[SHADOWVM_STAT_SHADOW_PAGES_MAX] = "shadow_pages_max",
	[SHADOWVM_STAT_HASH_LOOKUPS]	= "hash_lookups",
	[SHADOWVM_STAT_HASH_MAX_CHAIN]	= "hash_max_chain",
	[SHADOWVM_STAT_CR3_LOADS]	= "cr3_loads",
	[SHADOWVM_STAT_CR3_CACHE_HITS]	= "cr3_cache_hits",
	[SHADOWVM_STAT_INVLPG]		= "invlpg",
	[SHADOWVM_STAT_POOL_RECLAIMS]	= "pool_reclaims",
	[SHADOWVM_STAT_UNSHADOWS]	= "unshadows",
	[SHADOWVM_STAT_AUDIT_FAILURES]	= "audit_failures",
	[SHADOWVM_STAT_EMULATED_WRITES]	= "emulated_writes",
	[SHADOWVM_STAT_UNSHADOWS_UP]	= "unshadows_via_up_pointer",
	[SHADOWVM_STAT_UNSHADOWS_WALK]	= "unshadows_via_walk",
	[SHADOWVM_STAT_L3_MASS_UNPINS]	= "l3_mass_unpins",
	[SHADOWVM_STAT_PREFETCHED]	= "prefetched",
	[SHADOWVM_STAT_OOS_UNSYNCS]	= "oos_unsyncs",
	[SHADOWVM_STAT_OOS_RESYNCS]	= "oos_resyncs",
};

const char *svm_stat_name(unsigned int i)
{
	return i < SHADOWVM_STAT_NR ? stat_names[i] : NULL;
}

const char *svm_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[SHADOWVM_EXIT_NONE]		= "NONE",
		[SHADOWVM_EXIT_IO]		= "IO",
		[SHADOWVM_EXIT_MMIO]		= "MMIO",
		[SHADOWVM_EXIT_HLT]		= "HLT",
		[SHADOWVM_EXIT_SHUTDOWN]	= "SHUTDOWN",
		[SHADOWVM_EXIT_FAIL_ENTRY]	= "FAIL_ENTRY",
		[SHADOWVM_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
		[SHADOWVM_EXIT_INTR]		= "INTR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "UNKNOWN";
}
