/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shadowvm: VMX guests with shadow paging (EPT off).
 *
 * This header is the whole userspace ABI. All structures have fixed-size
 * fields and explicit padding; padding, reserved fields and unknown flags
 * must be zero or the ioctl fails with EINVAL.
 *
 * Object model:
 *   open("/dev/shadowvm")  -> system fd
 *   SHADOWVM_CREATE_VM     -> VM fd (anon inode, O_CLOEXEC)
 *   SHADOWVM_CREATE_VCPU   -> vCPU fd (anon inode, O_CLOEXEC); mmap() it at
 *                             offset 0 for SHADOWVM_GET_VCPU_MMAP_SIZE
 *                             bytes: struct shadowvm_run, then exit data.
 *   SHADOWVM_GET_STATS_FD  -> statistics fd of a VM or a vCPU (read-only,
 *                             O_CLOEXEC): pread() it, see "statistics".
 *
 * The layouts are the same for 32-bit and 64-bit callers (no pointers, no
 * longs, every __u64 naturally aligned), so 32-bit processes use the same
 * ioctls (compat_ioctl).
 */
#ifndef _UAPI_LINUX_SHADOWVM_H
#define _UAPI_LINUX_SHADOWVM_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * 2: ioctl magic 0xBD (was 0xB7), SHADOWVM_GET_VCPU_MMAP_SIZE,
 *    SHADOWVM_GET_STATS_FD; SHADOWVM_GET_STATS is deprecated.
 */
#define SHADOWVM_API_VERSION	2

/*
 * ioctl magic. Version 1 used 0xB7, which the kernel's registry
 * (Documentation/userspace-api/ioctl/ioctl-number.rst) gives to nsfs and
 * remoteproc: SHADOWVM_CREATE_VM had the number of NS_GET_USERNS, and
 * strace decoded it as that. 0xBD has no entry in the registry (6.1 and
 * mainline as of late 2025, whose last entries near it are 0xB8 for mshv
 * and the Marvell DPI driver), and no uapi header uses it as a type.
 * KVM's is 0xAE.
 */
#define SHADOWVM_IO		0xBD

/* ---- system ioctls (on /dev/shadowvm) ---- */

/* Returns SHADOWVM_API_VERSION. Argument must be 0. */
#define SHADOWVM_GET_API_VERSION	_IO(SHADOWVM_IO, 0x00)
/* Argument: machine type, must be 0. Returns a new VM fd. */
#define SHADOWVM_CREATE_VM		_IO(SHADOWVM_IO, 0x01)
/*
 * Argument: a SHADOWVM_CAP_* number. Returns 0 if unknown, otherwise a
 * non-negative value described next to the capability. Also valid on VM fds.
 */
#define SHADOWVM_CHECK_EXTENSION	_IO(SHADOWVM_IO, 0x02)
/*
 * Argument must be 0. Returns the size in bytes of the vCPU fd's mmap
 * area (struct shadowvm_run and the data of I/O exits), a multiple of the
 * page size. Map exactly this much; it may grow in later versions.
 */
#define SHADOWVM_GET_VCPU_MMAP_SIZE	_IO(SHADOWVM_IO, 0x03)

/* Number of memory slots per VM. */
#define SHADOWVM_CAP_NR_MEMSLOTS	1
/* Maximum number of vCPUs per VM. */
#define SHADOWVM_CAP_MAX_VCPUS		2
/* Bit mask of SHADOWVM_GUEST_MODE_* that a vCPU may run in. */
#define SHADOWVM_CAP_GUEST_MODES	3
/* 1: SHADOWVM_MEM_READONLY is supported. */
#define SHADOWVM_CAP_READONLY_MEM	4
/* Deprecated with SHADOWVM_GET_STATS: its SHADOWVM_STATS_NR. */
#define SHADOWVM_CAP_STATS		5
/* 1: the host CPU has VMX and shadowvm can own it now. */
#define SHADOWVM_CAP_VMX		6
/* Nonzero: SHADOWVM_SET_SHADOW_POOL works; the value is the smallest pool. */
#define SHADOWVM_CAP_SHADOW_POOL	7
/* 1: SHADOWVM_GET_STATS_FD works on VM and vCPU fds. */
#define SHADOWVM_CAP_STATS_FD		8

#define SHADOWVM_GUEST_MODE_LONG64	(1U << 0)	/* 4-level paging */
#define SHADOWVM_GUEST_MODE_PAE		(1U << 1)	/* 3-level PAE paging */
#define SHADOWVM_GUEST_MODE_PAGED32	(1U << 2)	/* 2-level, PSE */
#define SHADOWVM_GUEST_MODE_UNPAGED	(1U << 3)	/* CR0.PE=1, PG=0 */

/* ---- VM ioctls ---- */

#define SHADOWVM_MEM_READONLY	(1U << 0)
#define SHADOWVM_MEM_FLAGS_ALL	SHADOWVM_MEM_READONLY

/*
 * Add, or with memory_size == 0 delete, a slot. guest_phys_addr,
 * memory_size and userspace_addr must be page-aligned; slots may not
 * overlap; a slot in use must be deleted before it is redefined.
 */
struct shadowvm_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[2];
};

#define SHADOWVM_SET_MEMORY_REGION \
	_IOW(SHADOWVM_IO, 0x10, struct shadowvm_memory_region)
/* Argument: vCPU id < SHADOWVM_CAP_MAX_VCPUS. Returns a new vCPU fd. */
#define SHADOWVM_CREATE_VCPU		_IO(SHADOWVM_IO, 0x11)
/*
 * Argument: the most shadow pages (4 KiB each) the VM may use, at least
 * SHADOWVM_CHECK_EXTENSION(SHADOWVM_CAP_SHADOW_POOL). Only before the
 * first shadow is built (EBUSY after). A small pool costs speed (more
 * reclaim), never correctness.
 */
#define SHADOWVM_SET_SHADOW_POOL	_IO(SHADOWVM_IO, 0x13)

/*
 * Deprecated (API version 2): the fixed statistics of a VM, read with
 * SHADOWVM_GET_STATS (VM fd). Kept for one version; use
 * SHADOWVM_GET_STATS_FD, which describes its counters itself and gains
 * new ones without an ABI change.
 */
enum shadowvm_stat {
	SHADOWVM_STAT_EXITS,		/* all VM exits */
	SHADOWVM_STAT_EXIT_EXCEPTION,	/* #PF and other exception exits */
	SHADOWVM_STAT_EXIT_CR,		/* control-register accesses */
	SHADOWVM_STAT_EXIT_INVLPG,
	SHADOWVM_STAT_EXIT_IO,
	SHADOWVM_STAT_EXIT_CPUID,
	SHADOWVM_STAT_EXIT_HLT,
	SHADOWVM_STAT_EXIT_MSR,
	SHADOWVM_STAT_EXIT_EXTINT,	/* host interrupts */
	SHADOWVM_STAT_EXIT_OTHER,
	SHADOWVM_STAT_SHADOW_FAULTS,	/* #PF fixed by building shadows */
	SHADOWVM_STAT_GUEST_FAULTS,	/* #PF reflected to the guest */
	SHADOWVM_STAT_MMIO,		/* #PF outside slots sent to userspace */
	SHADOWVM_STAT_SHADOW_PAGES,	/* shadow pages in use now */
	SHADOWVM_STAT_SHADOW_PAGES_MAX,	/* high-water mark */
	SHADOWVM_STAT_HASH_LOOKUPS,
	SHADOWVM_STAT_HASH_MAX_CHAIN,	/* longest chain walked */
	SHADOWVM_STAT_CR3_LOADS,
	SHADOWVM_STAT_CR3_CACHE_HITS,	/* CR3 loads that found a pinned shadow */
	SHADOWVM_STAT_INVLPG,
	SHADOWVM_STAT_POOL_RECLAIMS,	/* shadows unpinned to refill the pool */
	SHADOWVM_STAT_UNSHADOWS,	/* frames unshadowed after guest writes */
	SHADOWVM_STAT_AUDIT_FAILURES,	/* invariant violations (audit=1) */
	SHADOWVM_STAT_EMULATED_WRITES,	/* guest page-table writes emulated */
	SHADOWVM_STAT_UNSHADOWS_UP,	/* parents found through an up-pointer */
	SHADOWVM_STAT_UNSHADOWS_WALK,	/* ... by searching all candidates */
	SHADOWVM_STAT_L3_MASS_UNPINS,	/* L3-toplevel switched off */
	SHADOWVM_STAT_PREFETCHED,	/* L1 entries filled ahead of faults */
	SHADOWVM_STAT_OOS_UNSYNCS,	/* guest L1s let out of sync */
	SHADOWVM_STAT_OOS_RESYNCS,	/* ... brought back at a TLB flush */
	SHADOWVM_STAT_NR
};

#define SHADOWVM_STATS_NR	32

struct shadowvm_stats {
	__u32 nr;			/* out: number of valid entries */
	__u32 pad;
	__u64 val[SHADOWVM_STATS_NR];	/* indexed by enum shadowvm_stat */
};

/* Deprecated: see enum shadowvm_stat. */
#define SHADOWVM_GET_STATS	_IOR(SHADOWVM_IO, 0x12, struct shadowvm_stats)

/*
 * ---- statistics (VM and vCPU fds) ----
 *
 * SHADOWVM_GET_STATS_FD (argument 0) returns a new read-only fd. Read it
 * with pread() (or read(), which advances the file position):
 *
 *   offset 0            struct shadowvm_stats_header
 *   id_offset           the id string, name_size bytes, NUL-terminated
 *   desc_offset         num_desc descriptors of desc_size bytes each:
 *                       struct shadowvm_stats_desc, then its name
 *                       (name_size bytes, NUL-terminated)
 *   data_offset         the values: __u64 each, data_size bytes in all;
 *                       descriptor d's values are desc.size __u64s at
 *                       data_offset + desc.offset
 *
 * Everything but the values is fixed for the life of the fd: read it
 * once, then pread() the data area as often as wanted (each read is one
 * consistent snapshot). Use the sizes and offsets from the header, never
 * sizeof(): later versions may append fields to the header and the
 * descriptors, and add descriptors. A new counter is a new descriptor.
 * The fd keeps its VM (or vCPU) alive until it is closed.
 */
struct shadowvm_stats_header {
	__u32 flags;		/* none defined yet: 0 */
	__u32 name_size;	/* bytes of every name and of the id */
	__u32 num_desc;
	__u32 desc_size;	/* bytes per descriptor, name included */
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
	__u32 data_size;	/* bytes of values */
};

/* Low bits of shadowvm_stats_desc.flags: how the value behaves. */
#define SHADOWVM_STATS_TYPE_MASK	0x0f
#define SHADOWVM_STATS_TYPE_CUMULATIVE	0x00	/* only grows; rates make sense */
#define SHADOWVM_STATS_TYPE_INSTANT	0x01	/* a level now, goes up and down */
#define SHADOWVM_STATS_TYPE_PEAK	0x02	/* highest level seen */
/* Next bits: the unit of the value. */
#define SHADOWVM_STATS_UNIT_MASK	0xf0
#define SHADOWVM_STATS_UNIT_NONE	0x00	/* a count of events */
#define SHADOWVM_STATS_UNIT_BYTES	0x10
#define SHADOWVM_STATS_UNIT_PAGES	0x20	/* 4 KiB pages */
#define SHADOWVM_STATS_UNIT_NSEC	0x30	/* nanoseconds */

struct shadowvm_stats_desc {
	__u32 flags;		/* SHADOWVM_STATS_TYPE_* | SHADOWVM_STATS_UNIT_* */
	__u16 size;		/* number of __u64 values (1 for a counter) */
	__u16 reserved;
	__u32 offset;		/* of the first value, from data_offset */
	__u32 reserved2;
	char name[];		/* header.name_size bytes */
};

#define SHADOWVM_STATS_NAME_SIZE	48	/* name_size of this version */

/* On VM and vCPU fds; argument must be 0. Returns the stats fd. */
#define SHADOWVM_GET_STATS_FD	_IO(SHADOWVM_IO, 0x14)

/* ---- vCPU ioctls ---- */

/* Binary-compatible with KVM's struct kvm_regs. */
struct shadowvm_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8,  r9,  r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* Binary-compatible with KVM's struct kvm_segment. */
struct shadowvm_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

/* Binary-compatible with KVM's struct kvm_dtable. */
struct shadowvm_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

/* Binary-compatible with KVM's struct kvm_sregs. */
struct shadowvm_sregs {
	struct shadowvm_segment cs, ds, es, fs, gs, ss;
	struct shadowvm_segment tr, ldt;
	struct shadowvm_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 interrupt_bitmap[4];	/* must be zero: no interrupt injection */
};

#define SHADOWVM_RUN		_IO(SHADOWVM_IO, 0x20)
#define SHADOWVM_GET_REGS	_IOR(SHADOWVM_IO, 0x21, struct shadowvm_regs)
#define SHADOWVM_SET_REGS	_IOW(SHADOWVM_IO, 0x22, struct shadowvm_regs)
#define SHADOWVM_GET_SREGS	_IOR(SHADOWVM_IO, 0x23, struct shadowvm_sregs)
#define SHADOWVM_SET_SREGS	_IOW(SHADOWVM_IO, 0x24, struct shadowvm_sregs)

/*
 * ---- the run page (mmap of a vCPU fd at offset 0, of
 * SHADOWVM_GET_VCPU_MMAP_SIZE bytes; the mapping cannot be moved past
 * that size with mremap) ----
 */

enum shadowvm_exit_reason {
	SHADOWVM_EXIT_NONE,
	SHADOWVM_EXIT_IO,
	SHADOWVM_EXIT_MMIO,
	SHADOWVM_EXIT_HLT,
	SHADOWVM_EXIT_SHUTDOWN,		/* triple fault */
	SHADOWVM_EXIT_FAIL_ENTRY,
	SHADOWVM_EXIT_INTERNAL_ERROR,
	SHADOWVM_EXIT_INTR,		/* immediate_exit or a signal */
};

#define SHADOWVM_EXIT_IO_IN	0
#define SHADOWVM_EXIT_IO_OUT	1

/* INTERNAL_ERROR suberrors */
#define SHADOWVM_INTERNAL_ERROR_EMULATION	1	/* exit not handled */
#define SHADOWVM_INTERNAL_ERROR_SHADOW		2	/* shadow pool exhausted */
#define SHADOWVM_INTERNAL_ERROR_DELIVERY	3	/* event delivery failed */

struct shadowvm_run {
	/* in */
	__u8 immediate_exit;		/* nonzero: RUN returns -EINTR at once */
	__u8 pad0[7];
	/* out */
	__u32 exit_reason;		/* enum shadowvm_exit_reason */
	__u32 pad1;
	union {
		/* SHADOWVM_EXIT_IO: data is at (char *)run + data_offset */
		struct {
			__u8  direction;	/* SHADOWVM_EXIT_IO_IN/OUT */
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		/* SHADOWVM_EXIT_MMIO: for reads, fill data before next RUN */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
			__u8  pad[3];
		} mmio;
		/* SHADOWVM_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
			__u32 pad;
		} fail_entry;
		/* SHADOWVM_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		__u8 padding[256];
	};
};

#endif /* _UAPI_LINUX_SHADOWVM_H */
