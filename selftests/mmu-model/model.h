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
	unsigned long pages_live;
	long alloc_budget;		/* < 0: unlimited */
	unsigned long flushes;
	unsigned long zallocs_live;
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
	unsigned int nr;		/* entries used */
	u64 table_gfn[4];		/* frames read, top level first */
	u64 *entry[4];			/* those entries */
	unsigned int page_shift;	/* 12 or 21 */
};

void ref_walk(struct mmu_host *h, const struct guest_paging *gp, u64 va,
	      u32 access, struct ref_result *r);

/* Processor model over the shadow tables (hw.c). */
struct hw_result {
	bool fault;
	u32 pfec;
	u64 hfn;
	bool bad;		/* malformed shadow entry */
	bool w, u, nx;		/* composed rights */
};

void hw_walk(struct mmu_host *h, const struct guest_paging *gp, u64 root_hpa,
	     u64 va, u32 access, bool set_ad, struct hw_result *r);

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

/* random.c: the randomised driver; TAP numbers from @first. */
int random_tests(int argc, char **argv, int first);

/* Long mode with CR0.WP, NXE, SMEP off, SMAP off, CR3 @cr3. */
void model_long_mode(struct guest_paging *gp, u64 cr3);

#endif /* MMU_MODEL_H */
