/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot stub that runs a shadowvm guest payload under QEMU (TCG, no
 * VMX), to check the payloads on a real page walker independently of the
 * module. It recreates shadowvm-run's entry state (user/lib/guest.h):
 * same GDT, TSS, empty IDT, identity tables with 2 MiB pages over 0-4 GiB,
 * long mode, RSP 0x80000, RDI = RAM size, RSI = 0x100000, RFLAGS 0x2;
 * QEMU's 16550 at 0x3f8 and isa-debug-exit at 0xf4 match the launcher's
 * devices. The stub lives at 8 MiB, out of the payloads' way.
 *
 * With -DENTRY_UNPAGED it recreates shadowvm-run --mode=unpaged instead:
 * 32-bit protected mode with paging off, CS 0x18, data 0x10, CR0 =
 * PE|MP|ET|NE, CR4 = 0, EFER = 0, ESP 0x80000, EDI = RAM size, ESI =
 * 0x100000 (multiboot already starts in protected mode without paging).
 * Adding -DENTRY_PAGING32 or -DENTRY_PAE turns paging on before the jump,
 * as --mode=32 and --mode=pae do: CR0 adds PG|WP; 2-level: a page
 * directory of 4 MiB pages at 0x10000, CR4 = PSE; PAE: a PDPT at 0x11000
 * (P only) over the long-mode page directories, CR4 = PAE, EFER = NXE.
 *
 * Assembled as x86-64, converted to elf32-i386 for QEMU's loader.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* memory info wanted */

	.section .text.mb, "ax"
	.code32
	.balign 4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

	.globl	_start
_start:
	cli
	movl	$0x7f000, %esp
	/* RAM size from mem_upper (KiB above 1 MiB) */
	movl	8(%ebx), %eax
	addl	$1024, %eax
	shll	$10, %eax
	movl	%eax, mem_size

	/* payload -> 0x100000 */
	movl	$payload, %esi
	movl	$0x100000, %edi
	movl	$payload_end, %ecx
	subl	%esi, %ecx
	cld
	rep movsb

	/* GDT at 0x1000 */
	movl	$gdt_template, %esi
	movl	$0x1000, %edi
	movl	$(gdt_template_end - gdt_template), %ecx
	rep movsb
	/* IDT (empty) and TSS pages zeroed */
	movl	$0x2000, %edi
	movl	$0x2000, %ecx
	xorl	%eax, %eax
	rep stosb
	movw	$104, 0x3000 + 102

#ifdef ENTRY_UNPAGED
	lgdt	gdtr
	ljmp	$0x18, $unpaged32
unpaged32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movw	$0x20, %ax
	ltr	%ax
	lidt	idtr
	xorl	%eax, %eax
	movl	%eax, %cr4
	movl	$0xc0000080, %ecx
	xorl	%edx, %edx
	wrmsr
	movl	$0x33, %eax		/* NE, ET, MP, PE */
	movl	%eax, %cr0
#if defined(ENTRY_PAGING32)
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$22, %eax
	orl	$0x83, %eax		/* P, RW, PS */
	movl	%eax, 0x10000(,%ecx,4)
	incl	%ecx
	cmpl	$1024, %ecx
	jne	1b
	movl	$0x10, %eax		/* PSE */
	movl	%eax, %cr4
	movl	$0x10000, %eax
	movl	%eax, %cr3
	movl	$0x80010033, %eax	/* PG, WP, NE, ET, MP, PE */
	movl	%eax, %cr0
#elif defined(ENTRY_PAE)
	movl	$1, %edx		/* PAE PDPTEs: P only */
	call	build_pae_tables
	movl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	$0xc0000080, %ecx
	xorl	%edx, %edx
	movl	$0x800, %eax		/* NXE */
	wrmsr
	movl	$0x11000, %eax
	movl	%eax, %cr3
	movl	$0x80010033, %eax	/* PG, WP, NE, ET, MP, PE */
	movl	%eax, %cr0
#endif
	movl	$0x80000, %esp
	movl	mem_size, %edi
	movl	$0x100000, %esi
	pushl	$2
	popfl
	movl	$0x100000, %eax
	jmp	*%eax
#endif

	/* Page tables at 0x10000: PML4, PDPT, 4 PDs */
	movl	$0x10000, %edi
	movl	$4096, %ecx
	xorl	%eax, %eax
	rep stosb
	movl	$(0x11000 | 3), 0x10000
	movl	$3, %edx		/* P, RW */
	call	build_pae_tables

	lgdt	gdtr
	movl	%cr4, %eax
	orl	$0x620, %eax		/* PAE, OSFXSR, OSXMMEXCPT */
	movl	%eax, %cr4
	movl	$0x10000, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$0x900, %eax		/* LME, NXE */
	wrmsr
	movl	$0x80010033, %eax	/* PG, WP, NE, ET, MP, PE */
	movl	%eax, %cr0
	ljmp	$0x08, $long64

	.code64
long64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movw	$0x20, %ax
	ltr	%ax
	lidt	idtr
	movq	$0x80000, %rsp
	movl	mem_size, %edi
	movq	$0x100000, %rsi
	pushq	$2
	popfq
	movq	$0x100000, %rax
	jmp	*%rax

	.code32
/*
 * PDPT at 0x11000 whose 4 entries (flags %edx) point at the page
 * directories at 0x12000-0x15fff: 0-4 GiB in 2 MiB pages (P|RW|PS).
 */
build_pae_tables:
	movl	$0x11000, %edi
	movl	$(5 * 4096), %ecx
	xorl	%eax, %eax
	rep stosb
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$0x12000, %eax
	orl	%edx, %eax
	movl	%eax, 0x11000(,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax
	movl	%eax, 0x12000(,%ecx,8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* bits 32+ of i << 21 */
	movl	%eax, 0x12004(,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	1b
	ret

	.section .data
	.balign 8
mem_size:
	.long	0
gdtr:
	.word	0x2f
	.long	0x1000
idtr:
	.word	0xfff
	.long	0x2000
gdt_template:
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x08 64-bit code */
	.quad	0x00cf93000000ffff	/* 0x10 data */
	.quad	0x00cf9b000000ffff	/* 0x18 32-bit code */
	.quad	0x0000893000000067	/* 0x20 TSS at 0x3000, available */
	.quad	0
gdt_template_end:

	.balign 16
payload:
	.incbin	GUEST_BIN
payload_end:
	.section .note.GNU-stack, "", @progbits
