/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry and exception stubs. The launcher enters at the load address
 * in 64-bit mode with RDI = RAM size and RDX = shadowvm-run --guest-arg.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	movq	$stack_top, %rsp
	movq	%rdi, guest_mem_size
	movq	%rdx, guest_arg
	/* Zero .bss: objcopy -O binary does not carry it. */
	movq	$__bss_start, %rdi
	movq	$__bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	cld
	rep stosb
	call	main
	movl	%eax, %edi
	call	guest_exit
1:	hlt
	jmp	1b

	.text
/* Vectors 8, 10-14, 17, 21, 29, 30 push an error code; others get a 0. */
.macro EXC vec
exc_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
.endm

.altmacro
.macro EXC_ALL from=0, to=31
	EXC \from
	.if \to-\from
	EXC_ALL %(\from+1), \to
	.endif
.endm
	EXC_ALL

exc_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	call	exception_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp	/* vector and error code */
	iretq

.macro EXC_ADDR vec
	.quad	exc_\vec
.endm
.macro EXC_TABLE from=0, to=31
	EXC_ADDR \from
	.if \to-\from
	EXC_TABLE %(\from+1), \to
	.endif
.endm
	.section .rodata
	.globl exc_stubs
	.balign 8
exc_stubs:
	EXC_TABLE

	.data
	.globl guest_mem_size
	.balign 8
guest_mem_size:
	.quad	0
	.globl guest_arg
guest_arg:
	.quad	0

	.bss
	.balign 16
	.space	16384
stack_top:
	.section .note.GNU-stack, "", @progbits
