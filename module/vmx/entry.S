/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry and exit.
 *
 * int shvm_vmx_enter(u64 *regs, unsigned long launched)
 *
 * Loads the guest's general-purpose registers from regs[] (x86 encoding
 * order; RSP lives in the VMCS), enters with VMLAUNCH or VMRESUME and, on
 * VM exit, lands at shvm_vmx_exit_point (the VMCS's HOST_RIP) with RSP =
 * HOST_RSP, saves the guest registers back and returns 0. Returns 1 if the
 * entry instruction itself failed (VMfailValid/VMfailInvalid); the caller
 * reads VM_INSTRUCTION_ERROR. A VMX instruction that faults (VMX turned
 * off under us by a shutdown, see shutdown.c) counts as a failed entry.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/asm.h>
#include <asm/unwind_hints.h>
#include <asm/nospec-branch.h>

#define HOST_RSP_FIELD	0x00006c14

#define R_RAX	0*8
#define R_RCX	1*8
#define R_RDX	2*8
#define R_RBX	3*8
#define R_RBP	5*8
#define R_RSI	6*8
#define R_RDI	7*8
#define R_R8	8*8
#define R_R9	9*8
#define R_R10	10*8
#define R_R11	11*8
#define R_R12	12*8
#define R_R13	13*8
#define R_R14	14*8
#define R_R15	15*8

	.section .text, "ax"

SYM_FUNC_START(shvm_vmx_enter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The regs pointer is the word HOST_RSP points at. */
	push %rdi

	mov  $HOST_RSP_FIELD, %eax
.Lvmwrite:
	vmwrite %rsp, %rax
	jbe  .Lfail

	/* Flags from this test survive the MOVs below. */
	test %rsi, %rsi

	mov  R_RAX(%rdi), %rax
	mov  R_RCX(%rdi), %rcx
	mov  R_RDX(%rdi), %rdx
	mov  R_RBX(%rdi), %rbx
	mov  R_RBP(%rdi), %rbp
	mov  R_RSI(%rdi), %rsi
	mov  R_R8(%rdi),  %r8
	mov  R_R9(%rdi),  %r9
	mov  R_R10(%rdi), %r10
	mov  R_R11(%rdi), %r11
	mov  R_R12(%rdi), %r12
	mov  R_R13(%rdi), %r13
	mov  R_R14(%rdi), %r14
	mov  R_R15(%rdi), %r15
	mov  R_RDI(%rdi), %rdi

	UNWIND_HINT_SAVE
	jnz  .Lresume
.Lvmlaunch:
	vmlaunch
	jmp  .Lfail_guest_regs
.Lresume:
	vmresume
	jmp  .Lfail_guest_regs

SYM_INNER_LABEL(shvm_vmx_exit_point, SYM_L_GLOBAL)
	/*
	 * A VM exit is not an indirect branch: the CPU jumps here with the
	 * IBT tracker idle, so no ENDBR. The address is taken only for
	 * HOST_RIP; the annotation tells objtool so (it is a no-op on
	 * kernels without CONFIG_X86_KERNEL_IBT).
	 */
	ANNOTATE_NOENDBR
	UNWIND_HINT_RESTORE
	/* RSP = HOST_RSP: (%rsp) is the regs pointer. */
	push %rdi
	mov  8(%rsp), %rdi
	mov  %rax, R_RAX(%rdi)
	mov  %rcx, R_RCX(%rdi)
	mov  %rdx, R_RDX(%rdi)
	mov  %rbx, R_RBX(%rdi)
	mov  %rbp, R_RBP(%rdi)
	mov  %rsi, R_RSI(%rdi)
	mov  %r8,  R_R8(%rdi)
	mov  %r9,  R_R9(%rdi)
	mov  %r10, R_R10(%rdi)
	mov  %r11, R_R11(%rdi)
	mov  %r12, R_R12(%rdi)
	mov  %r13, R_R13(%rdi)
	mov  %r14, R_R14(%rdi)
	mov  %r15, R_R15(%rdi)
	popq R_RDI(%rdi)
	xor  %eax, %eax

.Lout:
	/* Leave no guest values in registers the host does not restore. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d
	add  $8, %rsp
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

.Lfail_guest_regs:
	/* Entry failed with guest values loaded; callee-saved come back below. */
.Lfail:
	mov  $1, %eax
	jmp  .Lout

	_ASM_EXTABLE(.Lvmwrite, .Lfail)
	_ASM_EXTABLE(.Lvmlaunch, .Lfail_guest_regs)
	_ASM_EXTABLE(.Lresume, .Lfail_guest_regs)
SYM_FUNC_END(shvm_vmx_enter)
