/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit guest entry, exception stubs and user_run(). The launcher
 * (--mode=unpaged) enters at the load address in 32-bit protected mode with
 * paging off and EDI = RAM size.
 */
#include "try.h"
	.code32
	.section .text.entry, "ax"
	.globl _start
_start:
	movl	$stack_top, %esp
	movl	%edi, guest_mem_size
	/* Zero .bss: objcopy -O binary does not carry it. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	cld
	rep stosb
	call	rt_setup
	call	main
	pushl	%eax
	call	guest_exit
1:	hlt
	jmp	1b

	.text
/* Vectors 8, 10-14, 17, 21, 29, 30 push an error code; others get a 0. */
.macro EXC vec
exc_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushl	$0
	.endif
	pushl	$\vec
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

/* The frame is struct exc_frame (rt32.h). */
exc_common:
	pushal
	pushl	%ds
	pushl	%es
	/* From CPL 3 DS/ES hold the user selector: use ours. */
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	pushl	%esp
	call	exception_dispatch
	addl	$4, %esp
	popl	%es
	popl	%ds
	popal
	addl	$8, %esp	/* vector and error code */
	iret

/*
 * int user_run(u32 eip, u32 esp, u32 edi, u32 esi): IRET to CPL 3. The
 * way back is INT 0x80 (user_ret, 0) or an exception, which
 * exception_dispatch turns into a return to user_fault_resume (1).
 * Either way we arrive on the TSS's ESP0 stack and take our own back.
 */
	.globl	user_run, user_ret, user_fault_resume
user_run:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	20(%esp), %eax
	movl	24(%esp), %edx
	movl	28(%esp), %edi
	movl	32(%esp), %esi
	movl	%esp, user_kesp
	movl	$1, user_active
	pushl	$0x2b		/* SS */
	pushl	%edx		/* ESP */
	pushl	$2		/* EFLAGS: interrupts off */
	pushl	$0x33		/* CS */
	pushl	%eax		/* EIP */
	/* A DPL 0 data selector would be nulled by the IRET to CPL 3. */
	movl	$0x2b, %ecx
	movw	%cx, %ds
	movw	%cx, %es
	iret
user_ret:
	movl	$0x10, %ecx
	movw	%cx, %ds
	movw	%cx, %es
	movl	%eax, user_eax
	xorl	%eax, %eax
	jmp	1f
user_fault_resume:
	movl	$0x10, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movl	$1, %eax
1:	movl	user_kesp, %esp
	movl	$0, user_active
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret

/*
 * int try_access(u32 addr, u32 op, u32 val, u32 eflags): one access at
 * CPL 0 with EFLAGS = @eflags (for AC). 0 if it completed (a read's value
 * in try_val), 1 if an exception stopped it: exception_dispatch sends
 * the CPU to try_fault, with the exception in last_exc.
 */
	.globl	try_access, try_fault
try_access:
	pushl	%ebx
	pushfl
	movl	%esp, try_esp
	movl	12(%esp), %edx		/* addr */
	movl	16(%esp), %ecx		/* op */
	movl	20(%esp), %eax		/* val */
	pushl	24(%esp)
	popfl
	movl	$1, try_armed
	cmpl	$TRY_CALL, %ecx
	je	2f
	cmpl	$TRY_WRITE32, %ecx
	je	1f
	cmpl	$TRY_LOAD_CR3, %ecx
	je	4f
	cmpl	$TRY_WRITE8, %ecx
	je	5f
	cmpl	$TRY_READ8, %ecx
	je	6f
	movl	(%edx), %eax
	jmp	3f
1:	movl	%eax, (%edx)
	jmp	3f
2:	call	*%edx
	jmp	3f
4:	movl	%eax, %cr3
	jmp	3f
5:	movb	%al, (%edx)
	jmp	3f
6:	movzbl	(%edx), %eax
3:	movl	%eax, try_val
	movl	$0, try_armed
	xorl	%eax, %eax
	popfl
	popl	%ebx
	ret
try_fault:
	movl	try_esp, %esp
	movl	$0, try_armed
	movl	$1, %eax
	popfl
	popl	%ebx
	ret

.macro EXC_ADDR vec
	.long	exc_\vec
.endm
.macro EXC_TABLE from=0, to=31
	EXC_ADDR \from
	.if \to-\from
	EXC_TABLE %(\from+1), \to
	.endif
.endm
	.section .rodata
	.globl exc_stubs
	.balign 4
exc_stubs:
	EXC_TABLE

	.data
	.globl	guest_mem_size, user_kesp, user_active, user_eax
	.globl	try_esp, try_armed, try_val
	.balign 4
try_esp:
	.long	0
try_armed:
	.long	0
try_val:
	.long	0
guest_mem_size:
	.long	0
user_kesp:
	.long	0
user_active:
	.long	0
user_eax:
	.long	0

	.bss
	.balign 16
	.space	16384
stack_top:
	.section .note.GNU-stack, "", @progbits
