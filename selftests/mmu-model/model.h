/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace model of the shadow pager: a host on malloc'ed guest RAM, a
 * reference page walker written independently of the pager, and a model
 * of the processor walking the shadow tables.
 */
#ifndef MMU_MODEL_H
#define MMU_MODEL_H

#include "mmu_compat.h"
#include "internal.h"

#define MODEL_MAX_SLOTS		4
#define MODEL_MAX_SHADOW	8192
#define MODEL_SHADOW_HPA	0x100000000ULL	/* shadow pages live here */
/* Pages from mmu_host_alloc_low_page(): below 4 GiB, below guest RAM. */
#define MODEL_LOW_HPA		0x10000000ULL
#define MODEL_MAX_LOW		64
#define MODEL_HFN_BASE		0x80000ULL	/* guest RAM host frames */
#define MODEL_HFN_STRIDE	0x10000ULL	/* per slot */

struct model_slot {
	u64 base_gfn;
	u64 npages;
	bool readonly;
	u8 *mem;
};

struct mmu_host {
	struct model_slot slots[MODEL_MAX_SLOTS];
	unsigned int nr_slots;
	void *shadow[MODEL_MAX_SHADOW];
	void *low[MODEL_MAX_LOW];
	unsigned long pages_live;
	long alloc_budget;		/* < 0: unlimited */
	unsigned long flushes;
	unsigned long zallocs_live;
	/* Trace hooks (model_trace.h): events by kind, and by cause. */
	unsigned long trace[MODEL_TRACE_NR];
	unsigned long trace_cause[MODEL_TRACE_NR][MMU_CAUSE_NR];
	u64 trace_last_gfn[MODEL_TRACE_NR];	/* what the last one named */
	u64 trace_last_val[MODEL_TRACE_NR];
};

void model_host_init(struct mmu_host *h);
void model_host_destroy(struct mmu_host *h);
void model_add_slot(struct mmu_host *h, u64 base_gfn, u64 npages,
		    bool readonly);
void *model_gfn_va(struct mmu_host *h, u64 gfn);	/* any slot, or NULL */
void *model_hpa_va(struct mmu_host *h, u64 hpa);	/* guest or shadow */

/* Reference walker (ref_walk.c). */
struct ref_result {
	bool fault;
	u32 pfec;
	u64 gpa;
	/*
	 * Entries read from guest memory, top level first (the PAE PDPTE
	 * registers are not among them): their frames and addresses (NULL
	 * outside guest RAM), each entry_size bytes wide.
	 */
	unsigned int nr;
	u64 table_gfn[4];
	void *entry[4];
	unsigned int entry_size;	/* 4 (2-level paging) or 8 */
	unsigned int page_shift;	/* 12, 21 or 22 (unpaged: 12) */
};

/* Entry @i of a reference walk (0 if it was outside guest RAM). */
static inline u64 ref_entry(const struct ref_result *r, unsigned int i)
{
	if (!r->entry[i])
		return 0;
	return r->entry_size == 4 ? *(u32 *)r->entry[i] : *(u64 *)r->entry[i];
}

enum shadow_guest_mode ref_mode(const struct guest_paging *gp);
void ref_walk(struct mmu_host *h, const struct guest_paging *gp, u64 va,
	      u32 access, struct ref_result *r);
/*
 * What the processor does at a CR3 load under PAE paging: read the four
 * PDPTEs at @cr3 (bits 31:5). -EINVAL (#GP) when a present one has a
 * reserved bit set.
 */
int ref_read_pdptes(struct mmu_host *h, u64 cr3, u64 pdpte[4]);

/* Processor model over the shadow tables (hw.c). */
struct hw_result {
	bool fault;
	u32 pfec;
	u64 hfn;
	bool bad;		/* malformed shadow entry */
	bool w, u, nx;		/* composed rights */
};

/*
 * Walk the shadow tables from @root_hpa as the processor would: 4-level
 * paging for a 64-bit guest, PAE paging (32-bit @va) for every other.
 */
void hw_walk(struct mmu_host *h, const struct guest_paging *gp, u64 root_hpa,
	     u64 va, u32 access, bool set_ad, struct hw_result *r);
/*
 * The shadow tables the processor's walk of @va goes through (not the
 * PAE root): their hpas into @hpa[4], top first; returns how many. *leaf
 * gets the L1 entry the walk ends at, or NULL.
 */
unsigned int hw_path(struct mmu_host *h, const struct guest_paging *gp,
		     u64 root_hpa, u64 va, u64 hpa[4], u64 **leaf);

/* How the model's vCPU completes a SHADOW_FAULT_EMULATE write. */
enum model_emulate {
	EMU_WRITE,	/* shadow_write_guest() */
	EMU_CMPXCHG,	/* shadow_cmpxchg_guest(), as a locked instruction */
	EMU_FAIL,	/* the decoder gave up: shadow_unshadow_gfn(), retry */
};

/* A VM with one vCPU, and accesses that go through "hardware". */
struct model_vm {
	struct mmu_host host;
	struct shadow_mmu mmu;
	struct shadow_vcpu sv;
	struct guest_paging gp;
	enum model_emulate emulate;
	unsigned long pdpt_gp;	/* PDPT loads refused with #GP */
};

enum cpu_result { CPU_OK, CPU_GUEST_FAULT, CPU_MMIO, CPU_ERROR };

struct cpu_outcome {
	enum cpu_result kind;
	u32 pfec;
	u64 mmio_gpa;
	bool mmio_write;
	int err;
	unsigned int faults;	/* pager calls needed */
	unsigned int emulated;	/* SHADOW_FAULT_EMULATE answers */
	unsigned int stepped;	/* shadow_fault.single_step answers */
};

int model_vm_init(struct model_vm *vm, unsigned long pool_pages);
int model_vm_init_vcpus(struct model_vm *vm, unsigned long pool_pages,
			unsigned int nr_vcpus);
void model_vm_destroy(struct model_vm *vm);
void cpu_access(struct model_vm *vm, u64 va, u32 access, u64 *val,
		struct cpu_outcome *o);
/* The same with a @size byte (4 or 8) access. */
void cpu_access_size(struct model_vm *vm, u64 va, u32 access,
		     unsigned int size, u64 *val, struct cpu_outcome *o);

/*
 * The vCPU's side of guest MOV to CR3 and of writes to CR0/CR4/EFER:
 * PDPTE loads under PAE paging (-EINVAL: #GP, nothing changed), then the
 * pager calls of the mode-change protocol. Other errors are the pager's.
 */
int model_load_cr3(struct model_vm *vm, u64 cr3);
int model_set_paging(struct model_vm *vm, u64 cr0, u64 cr4, u64 efer);

/* random.c: the randomised driver; TAP numbers from @first. */
int random_tests(int argc, char **argv, int first);

/* Long mode with CR0.WP, NXE, SMEP off, SMAP off, CR3 @cr3. */
void model_long_mode(struct guest_paging *gp, u64 cr3);

/* Control register values of each mode (CR0.WP=1, no NXE/SMEP/SMAP). */
#define MODEL_CR0_UNPAGED	(CR0_PE | CR0_WP)
#define MODEL_CR0_PAGED		(CR0_PE | CR0_WP | CR0_PG)
#ifndef CR4_PSE
#define CR4_PSE			BIT_ULL(4)
#endif
#ifndef CR4_PGE
#define CR4_PGE			BIT_ULL(7)
#endif
#ifndef EFER_LME
#define EFER_LME		BIT_ULL(8)
#endif

#endif /* MMU_MODEL_H */
