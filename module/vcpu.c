// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: the vCPU fd and its run page, register ioctls, and the
 * run loop that enters the guest until something needs userspace.
 *
 * A vCPU holds a reference on its VM; closing the VM fd first is fine.
 * The run page is mapped from the vCPU fd, so a mapping keeps the vCPU
 * (and the VM) alive until it is unmapped.
 */
#define pr_fmt(fmt) "shadowvm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>

#include "compat.h"
#include "vcpu.h"
#include "vmx/guest.h"
#include "trace.h"

void shvm_vcpu_guest_paging(struct shvm_vcpu *v, struct guest_paging *gp)
{
	gp->cr0 = v->cr0;
	gp->cr3 = v->cr3;
	gp->cr4 = v->cr4;
	gp->efer = v->efer;
	gp->rflags = v->rflags;
	memcpy(gp->pdpte, v->pdpte, sizeof(gp->pdpte));
}

int shvm_vcpu_load_pdptes(struct shvm_vcpu *v, u64 cr3)
{
	u64 pdpte[4];
	int err;

	mutex_lock(&v->vm->mmu_lock);
	err = shadow_read_pdptes(&v->vm->mmu, cr3, pdpte);
	mutex_unlock(&v->vm->mmu_lock);
	if (!err)
		memcpy(v->pdpte, pdpte, sizeof(pdpte));
	return err;
}

/*
 * Make the VMCS current here and keep it so (preemption off). A VMCS that
 * moved CPUs may meet stale translations of its VPID there: flush them.
 */
static void vcpu_load(struct shvm_vcpu *v)
{
	preempt_disable();
	if (vmx_vmcs_load(&v->vmcs))
		set_bit(SHVM_REQ_TLB_FLUSH, &v->requests);
}

static void vcpu_put(struct shvm_vcpu *v)
{
	preempt_enable();
}

u64 shvm_vcpu_vmcs_read(struct shvm_vcpu *v, unsigned long field)
{
	u64 val;

	vcpu_load(v);
	val = vmcs_read(field);
	vcpu_put(v);
	return val;
}

void shvm_vcpu_vmcs_write(struct shvm_vcpu *v, unsigned long field, u64 val)
{
	vcpu_load(v);
	vmcs_write(field, val);
	vcpu_put(v);
}

static void nothing(void *unused)
{
}

void shvm_vcpu_kick(struct shvm_vcpu *v)
{
	int cpu;

	/* Pairs with the barrier between in_guest and the request check. */
	smp_mb();
	if (!READ_ONCE(v->in_guest))
		return;
	cpu = READ_ONCE(v->vmcs.cpu);
	/* The IPI makes the guest exit; waiting means it has. */
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_call_function_single(cpu, nothing, NULL, 1);
}

/* Returns true if the guest may be entered now (irqs disabled). */
static bool vcpu_ready_to_enter(struct shvm_vcpu *v)
{
	WRITE_ONCE(v->in_guest, true);
	/*
	 * Either a requester that sets a bit after this sees in_guest and
	 * kicks us (shvm_vcpu_kick), or we see its bit below.
	 */
	smp_mb();
	if (need_resched() || signal_pending(current) ||
	    shadow_root_stale(&v->shadow) || vmx_host_going_down()) {
		WRITE_ONCE(v->in_guest, false);
		return false;
	}
	if (test_and_clear_bit(SHVM_REQ_TLB_FLUSH, &v->requests)) {
		clear_bit(SHVM_REQ_TLB_FLUSH_NONGLOBAL, &v->requests);
		/* Without VPID every entry and exit flushes already. */
		if (v->vmcs.vpid)
			vmx_flush_vpid(v->vmcs.vpid);
	} else if (test_and_clear_bit(SHVM_REQ_TLB_FLUSH_NONGLOBAL,
				      &v->requests) && v->vmcs.vpid) {
		vmx_flush_vpid_nonglobal(v->vmcs.vpid);
	}
	return true;
}

static int vcpu_load_root(struct shvm_vcpu *v)
{
	struct shvm_vm *vm = v->vm;
	struct guest_paging gp;
	int err = 0;

	if (v->shadow.root_hpa && !shadow_root_stale(&v->shadow))
		return 0;
	shvm_vcpu_guest_paging(v, &gp);
	mutex_lock(&vm->mmu_lock);
	shadow_release_root(&vm->mmu, &v->shadow);
	err = shadow_load_root(&vm->mmu, &v->shadow, &gp);
	mutex_unlock(&vm->mmu_lock);
	return err;
}

static int vcpu_run(struct shvm_vcpu *v)
{
	struct shadowvm_run *run = v->run;
	struct vmx_exit exit;
	int ret;

	if (!v->sregs_set) {
		pr_notice_ratelimited("RUN refused: set a long-mode state with SET_SREGS first\n");
		return -ENOEXEC;
	}
	shvm_stat_inc(&v->stat.runs);
	vmx_complete_pending(v);
	run->exit_reason = SHADOWVM_EXIT_NONE;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = SHADOWVM_EXIT_INTR;
		shvm_stat_inc(&v->stat.runs_interrupted);
		return -EINTR;
	}
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = SHADOWVM_EXIT_INTR;
			shvm_stat_inc(&v->stat.runs_interrupted);
			return -EINTR;
		}
		/*
		 * VMX is off or going off on every CPU: no entry can work
		 * (vcpu_ioctl() logs it).
		 */
		if (vmx_host_going_down())
			return -EIO;
		cond_resched();
		if (vcpu_load_root(v)) {
			run->exit_reason = SHADOWVM_EXIT_INTERNAL_ERROR;
			run->internal.suberror = SHADOWVM_INTERNAL_ERROR_SHADOW;
			run->internal.ndata = 0;
			return 0;
		}

		kernel_fpu_begin();
		vcpu_load(v);
		local_irq_disable();
		if (!vcpu_ready_to_enter(v)) {
			local_irq_enable();
			vcpu_put(v);
			kernel_fpu_end();
			continue;
		}
		trace_shadowvm_entry(v->id, v->rip);
		vmx_world_switch(v, &exit);
		WRITE_ONCE(v->in_guest, false);
		shvm_stat_inc(&v->stat.entries);
		/* Host interrupts that made the guest exit are taken here. */
		local_irq_enable();
		vcpu_put(v);
		kernel_fpu_end();
		/* After a VMFAIL the qualification is the instruction error. */
		trace_shadowvm_exit(v->id, exit.reason,
				    exit.vmfail ? exit.insn_error :
						  exit.qualification,
				    v->rip, exit.intr_info, exit.intr_error,
				    exit.vmfail);

		ret = vmx_handle_exit(v, &exit);
		if (ret < 0)
			return ret;
		if (ret > 0)
			return 0;
	}
}

static int vcpu_get_regs(struct shvm_vcpu *v, void __user *argp)
{
	struct shadowvm_regs r = {
		.rax = v->regs[VCPU_RAX], .rbx = v->regs[VCPU_RBX],
		.rcx = v->regs[VCPU_RCX], .rdx = v->regs[VCPU_RDX],
		.rsi = v->regs[VCPU_RSI], .rdi = v->regs[VCPU_RDI],
		.rsp = v->regs[VCPU_RSP], .rbp = v->regs[VCPU_RBP],
		.r8 = v->regs[VCPU_R8], .r9 = v->regs[VCPU_R9],
		.r10 = v->regs[VCPU_R10], .r11 = v->regs[VCPU_R11],
		.r12 = v->regs[VCPU_R12], .r13 = v->regs[VCPU_R13],
		.r14 = v->regs[VCPU_R14], .r15 = v->regs[VCPU_R15],
		.rip = v->rip, .rflags = v->rflags,
	};

	return copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
}

/* RFLAGS bits a guest can hold; bit 1 reads as one. */
#define RFLAGS_VALID (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
		      X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
		      X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF | \
		      X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF | \
		      X86_EFLAGS_AC | X86_EFLAGS_VIF | X86_EFLAGS_VIP | \
		      X86_EFLAGS_ID | X86_EFLAGS_FIXED)

static int vcpu_set_regs(struct shvm_vcpu *v, void __user *argp)
{
	struct shadowvm_regs r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.rflags & ~RFLAGS_VALID) {
		pr_notice_ratelimited("SET_REGS refused: reserved RFLAGS bits %#llx\n",
				      r.rflags & ~RFLAGS_VALID);
		return -EINVAL;
	}
	v->regs[VCPU_RAX] = r.rax;
	v->regs[VCPU_RBX] = r.rbx;
	v->regs[VCPU_RCX] = r.rcx;
	v->regs[VCPU_RDX] = r.rdx;
	v->regs[VCPU_RSI] = r.rsi;
	v->regs[VCPU_RDI] = r.rdi;
	v->regs[VCPU_RSP] = r.rsp;
	v->regs[VCPU_RBP] = r.rbp;
	v->regs[VCPU_R8] = r.r8;
	v->regs[VCPU_R9] = r.r9;
	v->regs[VCPU_R10] = r.r10;
	v->regs[VCPU_R11] = r.r11;
	v->regs[VCPU_R12] = r.r12;
	v->regs[VCPU_R13] = r.r13;
	v->regs[VCPU_R14] = r.r14;
	v->regs[VCPU_R15] = r.r15;
	v->rip = r.rip;
	v->rflags = r.rflags | X86_EFLAGS_FIXED;
	/* Userspace took over: an unfinished IN/MMIO read is dropped. */
	v->pending = SHVM_PENDING_NONE;
	return 0;
}

static int vcpu_get_sregs(struct shvm_vcpu *v, void __user *argp)
{
	struct shadowvm_sregs s;

	vcpu_load(v);
	vmx_get_sregs(v, &s);
	vcpu_put(v);
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

static int vcpu_set_sregs(struct shvm_vcpu *v, void __user *argp)
{
	struct guest_paging gp = { };
	struct shadowvm_sregs s;
	u64 pdpte[4] = { };
	int err;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	gp.cr0 = s.cr0;
	gp.cr4 = s.cr4;
	gp.efer = s.efer;
	if (shadow_guest_mode(&gp) == SHADOW_MODE_PAE) {
		/* As on a CR3 load under PAE paging (SDM Vol. 3, 4.4.1). */
		mutex_lock(&v->vm->mmu_lock);
		err = shadow_read_pdptes(&v->vm->mmu, s.cr3, pdpte);
		mutex_unlock(&v->vm->mmu_lock);
		if (err) {
			pr_notice_ratelimited("SET_SREGS refused: a PDPTE at CR3 %#llx has reserved bits set\n",
					      s.cr3);
			return err;
		}
	}
	vcpu_load(v);
	err = vmx_set_sregs(v, &s);
	vcpu_put(v);
	if (err)
		return err;
	memcpy(v->pdpte, pdpte, sizeof(pdpte));
	v->sregs_set = true;
	/* New paging state: the old root (and all shadows) may not fit. */
	mutex_lock(&v->vm->mmu_lock);
	shadow_release_root(&v->vm->mmu, &v->shadow);
	shadow_flush_all(&v->vm->mmu);
	mutex_unlock(&v->vm->mmu_lock);
	set_bit(SHVM_REQ_TLB_FLUSH, &v->requests);
	return 0;
}

/* The ioctls that use the VMCS, with v->lock held. */
static long vcpu_vmcs_ioctl(struct shvm_vcpu *v, unsigned int cmd,
			    unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SHADOWVM_RUN:
		return arg ? -EINVAL : vcpu_run(v);
	case SHADOWVM_GET_REGS:
		return vcpu_get_regs(v, argp);
	case SHADOWVM_SET_REGS:
		return vcpu_set_regs(v, argp);
	case SHADOWVM_GET_SREGS:
		return vcpu_get_sregs(v, argp);
	case SHADOWVM_SET_SREGS:
		return vcpu_set_sregs(v, argp);
	default:
		return -ENOTTY;
	}
}

static const char *vcpu_ioctl_name(unsigned int cmd)
{
	switch (cmd) {
	case SHADOWVM_RUN:
		return "RUN";
	case SHADOWVM_GET_REGS:
		return "GET_REGS";
	case SHADOWVM_SET_REGS:
		return "SET_REGS";
	case SHADOWVM_GET_SREGS:
		return "GET_SREGS";
	case SHADOWVM_SET_SREGS:
		return "SET_SREGS";
	default:
		return "vCPU ioctl";
	}
}

static long vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct shvm_vcpu *v = file->private_data;
	long ret;

	/* Uses nothing v->lock guards: a monitor gets it during RUN. */
	if (cmd == SHADOWVM_GET_STATS_FD)
		return arg ? -EINVAL : shvm_stats_vcpu_fd(v, file);
	if (mutex_lock_killable(&v->lock))
		return -EINTR;
	/*
	 * Once the host goes down VMX is off (or going off) on every CPU: a
	 * VMREAD then "succeeds" with 0 and a VMWRITE is lost (vmx.h), so
	 * the vCPU's state can no longer be read, written or run: EIO. The
	 * shutdown may also come in the middle of the ioctl, hence the check
	 * afterwards; RUN checks before every entry too.
	 */
	if (vmx_host_going_down())
		ret = -EIO;
	else
		ret = vcpu_vmcs_ioctl(v, cmd, arg);
	if (ret >= 0 && vmx_host_going_down())
		ret = -EIO;
	if (ret == -EIO && vmx_host_going_down())
		pr_notice_ratelimited("%s refused: the host is going down and VMX is off\n",
				      vcpu_ioctl_name(cmd));
	mutex_unlock(&v->lock);
	return ret;
}

static vm_fault_t vcpu_fault(struct vm_fault *vmf)
{
	struct shvm_vcpu *v = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(v->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vcpu_vm_ops = {
	.fault = vcpu_fault,
};

/*
 * Exactly the run area at offset 0. VM_DONTEXPAND: mremap() must not grow
 * the mapping past it (the fault handler would SIGBUS there, but a larger
 * VMA than the object it maps is a bug waiting for a new fault path).
 */
static int vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 ||
	    vma->vm_end - vma->vm_start != SHVM_VCPU_MMAP_SIZE)
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &vcpu_vm_ops;
	return 0;
}

static void vcpu_destroy(struct shvm_vcpu *v)
{
	struct shvm_vm *vm = v->vm;

	/*
	 * TLB-flush requesters walk vm->vcpus under the MMU lock: once the
	 * vCPU is gone from there under that lock, nobody can kick it.
	 */
	mutex_lock(&vm->lock);
	mutex_lock(&vm->mmu_lock);
	WRITE_ONCE(vm->vcpus[v->id], NULL);
	shadow_vcpu_destroy(&vm->mmu, &v->shadow);
	mutex_unlock(&vm->mmu_lock);
	mutex_unlock(&vm->lock);
	vmx_vmcs_free(&v->vmcs);
	free_page((unsigned long)v->run);
	kfree(v);
	shvm_vm_put(vm);
}

static int vcpu_release(struct inode *inode, struct file *file)
{
	vcpu_destroy(file->private_data);
	return 0;
}

static const struct file_operations vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vcpu_release,
	.unlocked_ioctl = vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vcpu_mmap,
	.llseek = noop_llseek,
};

/* Architectural reset values for what SET_SREGS/SET_REGS do not cover. */
static void vcpu_reset(struct shvm_vcpu *v)
{
	struct fxregs_state *fx = (struct fxregs_state *)v->fxsave;

	v->rflags = X86_EFLAGS_FIXED;
	v->pat = 0x0007040600070406ull;
	fx->cwd = 0x37f;
	fx->mxcsr = 0x1f80;
}

int shvm_vcpu_create(struct shvm_vm *vm, unsigned long id)
{
	struct shvm_vcpu *v;
	int fd, err;

	if (id >= SHVM_MAX_VCPUS)
		return -EINVAL;
	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = id;
	mutex_init(&v->lock);
	BUILD_BUG_ON(sizeof(*v->run) > SHVM_VCPU_MMAP_SIZE);
	v->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	err = -ENOMEM;
	if (!v->run)
		goto free_vcpu;
	err = shadow_vcpu_init(&vm->mmu, &v->shadow);
	if (err)
		goto free_run;
	err = vmx_vmcs_alloc(&v->vmcs);
	if (err)
		goto free_shadow;
	vcpu_reset(v);
	vcpu_load(v);
	vmx_setup_vmcs(v);
	vcpu_put(v);

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		err = -EEXIST;
		goto free_vmcs;
	}
	shvm_vm_get(vm);
	fd = anon_inode_getfd("shadowvm-vcpu", &vcpu_fops, v,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_unlock(&vm->lock);
		shvm_vm_put(vm);
		err = fd;
		goto free_vmcs;
	}
	WRITE_ONCE(vm->vcpus[id], v);
	mutex_unlock(&vm->lock);
	return fd;

free_vmcs:
	vmx_vmcs_free(&v->vmcs);
free_shadow:
	shadow_vcpu_destroy(&vm->mmu, &v->shadow);
free_run:
	free_page((unsigned long)v->run);
free_vcpu:
	kfree(v);
	return err;
}
