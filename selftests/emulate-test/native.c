// SPDX-License-Identifier: GPL-2.0
/*
 * The strong check: every instruction here is assembled once, run on the
 * real CPU against host memory with random registers, flags and memory,
 * and its exact bytes are decoded and executed by the emulator from the
 * same starting state. Registers, arithmetic flags, memory and the new
 * RIP must match.
 *
 * Each instruction sits in its own asm harness that loads all general
 * registers (except RSP) and RFLAGS from a struct, executes it, and
 * stores them back. The labels around the instruction give the emulator
 * its bytes and the expected length.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/prctl.h>
#include "emulate.h"
#include "emulate_test.h"
#include "native.h"

/* Fixed address so moffs/absolute encodings can name it. */
#define BUF		0x20000000UL
#define BUF_SIZE	0x3000UL
#define PAGE		0x1000UL

/* Used by the asm harnesses; one test runs at a time. */
struct nstate *nstate_ptr;
u8 ripbuf[64];

/* How the registers that form addresses are set up (numbers: asm uses them). */
#define K_MEM		0	/* rbx: 64-byte aligned in BUF, r8: 0..7 */
#define K_CROSS		1	/* rbx: 1..7 bytes below a page boundary */
#define K_FS		2	/* rbx: BUF address minus the FS base */
#define K_ABS		3	/* address is in the instruction (moffs, rip) */
#define K_CMPX		4	/* K_MEM, and half the time [rbx] == rax */
#define K_CMPX8B	5	/* K_MEM, and half the time [rbx] == edx:eax */
#define K_CMPX16B	6	/* K_MEM, and half the time [rbx] == rdx:rax */
#define K_BT		7	/* K_MEM, rcx: signed bit offset -512..511 */
#define K_STR		8	/* rsi, rdi in BUF, rcx: 0..24, DF random */
#define K_STR32		9	/* K_STR with garbage in bits 63:32 (addr32) */

/*
 * The harness: load all registers but RSP and RFLAGS from *rdi, run the
 * instruction, store them back through nstate_ptr. An assembler macro,
 * so that the instruction text is written once per test.
 */
asm(".macro nat_harness id, kind, undef, insn:vararg\n"
	".pushsection .text\n"
	".type \\id, @function\n"
	"\\id:\n"
	"push %rbx\n push %rbp\n push %r12\n"
	"push %r13\n push %r14\n push %r15\n"
	"mov %rdi, nstate_ptr(%rip)\n"
	"pushq 128(%rdi)\n popfq\n"
	"mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n"
	"mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
	"mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n"
	"mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n"
	"mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n"
	"mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n"
	"mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
	"mov 56(%rdi), %rdi\n"
	"\\id\\()_start:\n"
	"\\insn\n"
	"\\id\\()_end:\n"
	"pushfq\n cld\n push %rax\n"
	"mov nstate_ptr(%rip), %rax\n"
	"mov %rcx, 8(%rax)\n mov %rdx, 16(%rax)\n"
	"mov %rbx, 24(%rax)\n mov %rbp, 40(%rax)\n"
	"mov %rsi, 48(%rax)\n mov %rdi, 56(%rax)\n"
	"mov %r8, 64(%rax)\n mov %r9, 72(%rax)\n"
	"mov %r10, 80(%rax)\n mov %r11, 88(%rax)\n"
	"mov %r12, 96(%rax)\n mov %r13, 104(%rax)\n"
	"mov %r14, 112(%rax)\n mov %r15, 120(%rax)\n"
	"popq 0(%rax)\n popq 128(%rax)\n"
	"pop %r15\n pop %r14\n pop %r13\n"
	"pop %r12\n pop %rbp\n pop %rbx\n ret\n"
	".popsection\n"
	".pushsection .rodata\n"
	"\\id\\()_name: .asciz \"\\insn\"\n"
	".popsection\n"
	".pushsection nat_tests, \"aw\"\n"
	".balign 8\n"
	".quad \\id, \\id\\()_start, \\id\\()_end, \\id\\()_name\n"
	".quad \\kind, \\undef\n"
	".popsection\n"
	".endm\n");

#define STR_(x)	#x
#define STR(x)	STR_(x)
/* Instruction text must not contain ';' (it ends the macro call). */
#define NAT(id, kind, undef, insn) \
	asm("nat_harness nat_" #id ", " STR(kind) ", " #undef ", " insn)

/* MOV family */
NAT(st8, K_MEM, 0, "mov %cl, (%rbx)");
NAT(st8h, K_MEM, 0, "mov %ch, 1(%rbx)");
NAT(st8rex, K_MEM, 0, "mov %sil, (%rbx,%r8)");
NAT(st8r9, K_MEM, 0, "mov %r9b, 3(%rbx)");
NAT(st16, K_MEM, 0, "mov %cx, (%rbx)");
NAT(st32, K_MEM, 0, "mov %ecx, (%rbx,%r8,4)");
NAT(st64, K_MEM, 0, "mov %r12, -8(%rbx,%r8,8)");
NAT(ld8, K_MEM, 0, "mov (%rbx), %cl");
NAT(ld8h, K_MEM, 0, "mov (%rbx), %dh");
NAT(ld8rex, K_MEM, 0, "mov (%rbx), %dil");
NAT(ld16, K_MEM, 0, "mov (%rbx), %ax");
NAT(ld32, K_MEM, 0, "mov (%rbx), %eax");
NAT(ld64, K_MEM, 0, "mov 0x10(%rbx), %r10");
NAT(ld32r, K_MEM, 0, "mov (%rbx,%r8,2), %r13d");
NAT(zxbl, K_MEM, 0, "movzbl (%rbx), %ecx");
NAT(zxbw, K_MEM, 0, "movzbw (%rbx), %cx");
NAT(zxbq, K_MEM, 0, "movzbq (%rbx), %r11");
NAT(zxwl, K_MEM, 0, "movzwl (%rbx), %ecx");
NAT(zxwq, K_MEM, 0, "movzwq (%rbx), %rdx");
NAT(zxww, K_MEM, 0, ".byte 0x66, 0x0f, 0xb7, 0x0b");
NAT(sxbl, K_MEM, 0, "movsbl (%rbx), %ecx");
NAT(sxbw, K_MEM, 0, "movsbw (%rbx), %bp");
NAT(sxbq, K_MEM, 0, "movsbq (%rbx), %rcx");
NAT(sxwl, K_MEM, 0, "movswl (%rbx), %esi");
NAT(sxwq, K_MEM, 0, "movswq (%rbx), %r14");
NAT(imm8, K_MEM, 0, "movb $0x85, (%rbx)");
NAT(imm16, K_MEM, 0, "movw $0x8001, 2(%rbx)");
NAT(imm32, K_MEM, 0, "movl $0x80000001, (%rbx)");
NAT(imm64n, K_MEM, 0, "movq $-5, (%rbx)");
NAT(imm64p, K_MEM, 0, "movq $0x7fffffff, 4(%rbx)");
NAT(moffs_ld8, K_ABS, 0, "movabs 0x20000800, %al");
NAT(moffs_ld16, K_ABS, 0, "movabs 0x20000802, %ax");
NAT(moffs_ld32, K_ABS, 0, "movabs 0x20000804, %eax");
NAT(moffs_ld64, K_ABS, 0, "movabs 0x20000808, %rax");
NAT(moffs_st8, K_ABS, 0, "movabs %al, 0x20000810");
NAT(moffs_st64, K_ABS, 0, "movabs %rax, 0x20000818");
NAT(moffs32_ld, K_ABS, 0, ".byte 0x67, 0xa1, 0x20, 0x08, 0x00, 0x20");
NAT(moffs32_st, K_ABS, 0, ".byte 0x67, 0x66, 0xa3, 0x22, 0x08, 0x00, 0x20");
NAT(rip_st, K_ABS, 0, "mov %ecx, ripbuf+8(%rip)");
NAT(rip_imm, K_ABS, 0, "movq $-2, ripbuf+16(%rip)");
NAT(rip_ld, K_ABS, 0, "movsbq ripbuf+3(%rip), %rdx");
NAT(fs_st, K_FS, 0, "mov %rcx, %fs:(%rbx)");
NAT(fs_ld, K_FS, 0, "movzwl %fs:2(%rbx), %r9d");
NAT(ds_st, K_MEM, 0, "mov %edx, %ds:(%rbx)");
NAT(xrel_st, K_MEM, 0, "xrelease mov %ecx, (%rbx)");
NAT(x_st64, K_CROSS, 0, "mov %rcx, (%rbx)");
NAT(x_ld32, K_CROSS, 0, "mov (%rbx), %ecx");
NAT(x_imm32, K_CROSS, 0, "movl $0x12345678, (%rbx)");

/* ALU with memory destination */
NAT(add8, K_MEM, 0, "addb %cl, (%rbx)");
NAT(add32l, K_MEM, 0, "lock addl %ecx, (%rbx)");
NAT(or64, K_MEM, 0, "lock orq %r9, 8(%rbx,%r8,4)");
NAT(and16, K_MEM, 0, "lock andw %dx, (%rbx)");
NAT(xor8h, K_MEM, 0, "xorb %ah, (%rbx)");
NAT(sub32, K_MEM, 0, "lock subl %esi, (%rbx)");
NAT(sub8rex, K_MEM, 0, "subb %sil, (%rbx)");
NAT(adc64, K_MEM, 0, "adcq %rcx, (%rbx)");
NAT(adc8, K_MEM, 0, "lock adcb %dl, (%rbx)");
NAT(sbb32, K_MEM, 0, "sbbl %ecx, (%rbx)");
NAT(sbb16, K_MEM, 0, "lock sbbw %r11w, (%rbx)");
NAT(cmp64, K_MEM, 0, "cmpq %rcx, (%rbx)");
NAT(cmp8, K_MEM, 0, "cmpb %bpl, (%rbx)");
NAT(i80or, K_MEM, 0, "lock orb $0x81, (%rbx)");
NAT(i80and, K_MEM, 0, "andb $0x7f, 1(%rbx)");
NAT(i80sub, K_MEM, 0, "subb $1, (%rbx)");
NAT(i80adc, K_MEM, 0, "adcb $0xff, (%rbx)");
NAT(i80cmp, K_MEM, 0, "cmpb $0x80, (%rbx)");
NAT(i81add, K_MEM, 0, "lock addl $0x7fffffff, (%rbx)");
NAT(i81addw, K_MEM, 0, "addw $0x8000, (%rbx)");
NAT(i81and, K_MEM, 0, "lock andq $-0x1000, (%rbx)");
NAT(i81xor, K_MEM, 0, "xorq $0x12345678, (%rbx)");
NAT(i81sbb, K_MEM, 0, "sbbw $0x1234, (%rbx)");
NAT(i81cmp, K_MEM, 0, "cmpl $0x80000000, (%rbx)");
NAT(i81sub, K_MEM, 0, "lock subq $0x40000000, (%rbx)");
NAT(i83or, K_MEM, 0, "lock orl $1, (%rbx)");
NAT(i83sub, K_MEM, 0, "subq $-128, (%rbx)");
NAT(i83add, K_MEM, 0, "addw $-1, (%rbx)");
NAT(i83and, K_MEM, 0, "lock andl $-2, (%rbx)");
NAT(i83sbb, K_MEM, 0, "sbbq $5, (%rbx)");
NAT(i83adc, K_MEM, 0, "adcl $-7, (%rbx)");
NAT(i83xor, K_MEM, 0, "xorw $0x7f, (%rbx)");
NAT(i83cmp, K_MEM, 0, "cmpq $-1, (%rbx)");
NAT(x_add64, K_CROSS, 0, "addq %rcx, (%rbx)");

/* XCHG, CMPXCHG */
NAT(xchg8, K_MEM, 0, "xchg %cl, (%rbx)");
NAT(xchg8h, K_MEM, 0, "xchg %ah, (%rbx)");
NAT(xchg16, K_MEM, 0, "xchg %cx, (%rbx)");
NAT(xchg32, K_MEM, 0, "xchg %ecx, (%rbx)");
NAT(xchg64, K_MEM, 0, "xchg %r11, (%rbx)");
NAT(xchgl, K_MEM, 0, "lock xchg %edx, (%rbx)");
NAT(cx8, K_CMPX, 0, "lock cmpxchg %cl, (%rbx)");
NAT(cx16, K_CMPX, 0, "lock cmpxchgw %cx, (%rbx)");
NAT(cx32, K_CMPX, 0, "lock cmpxchg %ecx, (%rbx)");
NAT(cx64, K_CMPX, 0, "lock cmpxchg %r10, (%rbx)");
NAT(cx32n, K_CMPX, 0, "cmpxchg %esi, (%rbx)");
NAT(cx8b, K_CMPX8B, 0, "lock cmpxchg8b (%rbx)");
NAT(cx16b, K_CMPX16B, 0, "lock cmpxchg16b (%rbx)");
NAT(cx8bn, K_CMPX8B, 0, "cmpxchg8b 8(%rbx)");

/* BTS/BTR/BTC/BT */
NAT(bts32, K_BT, 1, "lock btsl %ecx, (%rbx)");
NAT(btr64, K_BT, 1, "btrq %rcx, (%rbx)");
NAT(btc16, K_BT, 1, "lock btcw %cx, (%rbx)");
NAT(bt32, K_BT, 1, "btl %ecx, (%rbx)");
NAT(bts64i, K_BT, 1, "lock btsq $63, (%rbx)");
NAT(btr32i, K_BT, 1, "btrl $33, (%rbx)");
NAT(btc16i, K_BT, 1, "lock btcw $17, (%rbx)");
NAT(bt64i, K_BT, 1, "btq $5, (%rbx)");
NAT(btr64l, K_BT, 1, "lock btrq %rcx, 8(%rbx)");
NAT(x_bts64i, K_CROSS, 1, "btsq $40, (%rbx)");

/* STOS/MOVS */
NAT(stosb, K_STR, 0, "stosb");
NAT(stosq, K_STR, 0, "stosq");
NAT(rstosb, K_STR, 0, "rep stosb");
NAT(rstosw, K_STR, 0, "rep stosw");
NAT(rstosl, K_STR, 0, "rep stosl");
NAT(rstosq, K_STR, 0, "rep stosq");
NAT(movsb, K_STR, 0, "movsb");
NAT(movsl, K_STR, 0, "movsl");
NAT(rmovsb, K_STR, 0, "rep movsb");
NAT(rmovsw, K_STR, 0, "rep movsw");
NAT(rmovsl, K_STR, 0, "rep movsl");
NAT(rmovsq, K_STR, 0, "rep movsq");
NAT(a32stosb, K_STR32, 0, "addr32 rep stosb");
NAT(a32movsl, K_STR32, 0, "addr32 rep movsl");

/* ---- emulated memory: a copy of BUF and ripbuf ---- */

struct region {
	u64 la;
	u8 *host;	/* the emulator's copy */
	u64 size;
};

struct emem {
	struct region r[2];
	unsigned int accesses;	/* page-sized pieces touched */
	unsigned int cmpxchgs;
	bool fail;
};

/*
 * Find the emulator's copy for [la, la + len). Accesses are walked a page
 * at a time, as a kernel implementation would have to.
 */
static u8 *emem_find(struct emem *m, u64 la, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct region *r = &m->r[i];

		if (la >= r->la && la + len <= r->la + r->size && len)
			return r->host + (la - r->la);
	}
	m->fail = true;
	return NULL;
}

static int emem_walk(struct emem *m, u64 la, u8 *buf, unsigned int len,
		     bool write)
{
	while (len) {
		unsigned int n = PAGE - (la & (PAGE - 1));
		u8 *p;

		if (n > len)
			n = len;
		p = emem_find(m, la, n);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		m->accesses++;
		la += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int emem_read(void *opaque, u64 la, void *buf, unsigned int len)
{
	return emem_walk(opaque, la, buf, len, false);
}

static int emem_write(void *opaque, u64 la, const void *buf,
		      unsigned int len)
{
	return emem_walk(opaque, la, (u8 *)buf, len, true);
}

static int emem_cmpxchg(void *opaque, u64 la, const void *old,
			const void *new, unsigned int len)
{
	struct emem *m = opaque;
	u8 cur[16];
	int ret;

	m->cmpxchgs++;
	ret = emem_read(m, la, cur, len);
	if (ret)
		return ret;
	if (memcmp(cur, old, len))
		return -EAGAIN;
	return emem_write(m, la, new, len);
}

static const struct emul_mem_ops ops_locked = {
	.read = emem_read, .write = emem_write, .cmpxchg = emem_cmpxchg,
};

static const struct emul_mem_ops ops_plain = {
	.read = emem_read, .write = emem_write,
};

/* ---- random state ---- */

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64*: reproducible from the seed printed in the log */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Values that sit on carry, overflow and sign boundaries of each size. */
static u64 rnd_val(void)
{
	static const u64 edges[] = {
		0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
	};
	u64 v;

	switch (rnd() % 8) {
	case 0:
		return edges[rnd() % (ARRAY_SIZE(edges))];
	case 1:
		v = edges[rnd() % (ARRAY_SIZE(edges))];
		return (rnd() & 1) ? v + 1 : v - 1;
	case 2:
		return 1ULL << (rnd() % 64);
	case 3:
		/* high bits random, low byte/word on an edge */
		return (rnd() & ~0xffULL) | (rnd() & 1 ? 0x80 : 0x7f);
	default:
		return rnd();
	}
}

static u64 fs_base;

static void setup(const struct ntest *t, struct nstate *s, u8 *buf)
{
	unsigned int i;
	u64 a;

	for (i = 0; i < 16; i++)
		s->regs[i] = rnd_val();
	s->regs[EMUL_REG_RSP] = 0;
	s->rflags = 0x2 | (rnd() & EMUL_FLAGS_ARITH);

	a = BUF + 0x800 + 64 * (rnd() % 4);
	switch (t->kind) {
	case K_CROSS:
		a = BUF + PAGE - 1 - rnd() % 7;
		break;
	case K_FS:
		a -= fs_base;
		break;
	case K_STR:
	case K_STR32:
		s->regs[EMUL_REG_RSI] = BUF + 0x800 + rnd() % 64;
		s->regs[EMUL_REG_RDI] = BUF + 0x1800 + rnd() % 64;
		s->regs[EMUL_REG_RCX] = rnd() % 25;
		if (t->kind == K_STR32) {
			s->regs[EMUL_REG_RSI] |= rnd() << 32;
			s->regs[EMUL_REG_RDI] |= rnd() << 32;
			s->regs[EMUL_REG_RCX] |= rnd() << 32;
		}
		if (rnd() & 1)
			s->rflags |= EMUL_FLAG_DF;
		return;
	default:
		break;
	}
	s->regs[EMUL_REG_RBX] = a;
	s->regs[EMUL_REG_R8] = rnd() % 8;
	if (t->kind == K_BT)
		s->regs[EMUL_REG_RCX] = (u64)((s64)(rnd() % 1024) - 512);

	/* Interesting memory at the operand, and compare hits. */
	if (t->kind != K_FS && t->kind != K_CROSS) {
		u8 *p = buf + (a - BUF);
		u64 v = rnd_val(), w = rnd_val();

		memcpy(p, &v, 8);
		memcpy(p + 8, &w, 8);
		if (rnd() & 1) {
			if (t->kind == K_CMPX)
				memcpy(p, &s->regs[EMUL_REG_RAX], 8);
			if (t->kind == K_CMPX16B) {
				memcpy(p, &s->regs[EMUL_REG_RAX], 8);
				memcpy(p + 8, &s->regs[EMUL_REG_RDX], 8);
			}
			if (t->kind == K_CMPX8B) {
				/* cx8bn uses 8(%rbx): match both places */
				memcpy(p, &s->regs[EMUL_REG_RAX], 4);
				memcpy(p + 4, &s->regs[EMUL_REG_RDX], 4);
				memcpy(p + 8, p, 8);
			}
		}
	}
}

static void fill_random(u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd();
}

#define CMP_FLAGS	(EMUL_FLAGS_ARITH | EMUL_FLAG_DF)

/*
 * The same instruction for a 32-bit or 16-bit code segment, where the
 * semantics are identical to what the CPU just did in 64-bit mode: no REX
 * (0x40-0x4f would be INC/DEC), no RIP-relative or 64-bit moffs (K_ABS), no
 * FS base (a 64-bit host base), no 67 (it would mean 16-bit addressing).
 * The addresses the harness sets up are below 4 GiB, so 32-bit addressing
 * computes the same ones. For 16-bit mode 66 and 67 are toggled: a 32-bit
 * operand needs 66, a 16-bit one loses it, and 67 selects 32-bit addressing.
 * Returns the length, or 0 if the instruction has no such twin.
 */
static unsigned int compat_bytes(const struct ntest *t, enum emul_mode mode,
				 u8 *out)
{
	unsigned int len = t->end - t->start, i, n = 0, opcode;
	bool has66 = false;

	if (t->kind == K_ABS || t->kind == K_FS || t->kind == K_STR32)
		return 0;
	for (i = 0; i < len; i++) {
		u8 b = t->start[i];

		if (b == 0x66) {
			has66 = true;
			continue;
		}
		if (b == 0x67 || (b >= 0x40 && b <= 0x4f))
			return 0;
		if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x26 &&
		    b != 0x2e && b != 0x36 && b != 0x3e && b != 0x64 &&
		    b != 0x65)
			break;
	}
	opcode = i;
	if (mode == EMUL_MODE_32) {
		memcpy(out, t->start, len);
		return len;
	}
	out[n++] = 0x67;
	/* CMPXCHG8B has a fixed size; the decoder refuses it with 66. */
	if (!has66 && !(t->start[opcode] == 0x0f &&
			t->start[opcode + 1] == 0xc7))
		out[n++] = 0x66;
	for (i = 0; i < len; i++) {
		/* drop the 66 prefixes, keep everything from the opcode on */
		if (t->start[i] != 0x66 || i >= opcode)
			out[n++] = t->start[i];
	}
	return n <= EMUL_MAX_INSN_LEN ? n : 0;
}

/*
 * A zero-count REP string instruction with 32-bit addresses: Intel CPUs
 * write RCX, RDI (and RSI for MOVS) back at the address size, clearing
 * bits 63:32; AMD CPUs leave them alone. The emulator serves VMX guests,
 * so it follows Intel: on another vendor's CPU, apply Intel's rule to the
 * native result before comparing.
 */
static bool host_is_intel;

static void detect_host_vendor(void)
{
	unsigned int eax = 0, ebx, ecx, edx;

	asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
	/* "GenuineIntel" */
	host_is_intel = ebx == 0x756e6547 && edx == 0x49656e69 &&
			ecx == 0x6c65746e;
}

static void intel_zero_count_rule(const struct ntest *t, struct nstate *n)
{
	n->regs[EMUL_REG_RCX] = 0;
	n->regs[EMUL_REG_RDI] = (u32)n->regs[EMUL_REG_RDI];
	if (strstr(t->name, "movs"))
		n->regs[EMUL_REG_RSI] = (u32)n->regs[EMUL_REG_RSI];
}

static bool run_one(const struct ntest *t, enum emul_mode mode,
		    unsigned int iter, u8 *ebuf, char *why, size_t wlen)
{
	u8 code[EMUL_MAX_INSN_LEN];
	u64 rip0, rip_end;
	u8 *nbuf = (u8 *)BUF, eripbuf[sizeof(ripbuf)];
	struct emem m = { .r = {
		{ .la = BUF, .host = ebuf, .size = BUF_SIZE },
		{ .la = (u64)ripbuf, .host = eripbuf, .size = sizeof(ripbuf) },
	} };
	unsigned int len, i, calls = 0;
	unsigned int max_rep = (iter & 1) ? 3 : 1000;
	struct nstate s, n;
	struct emul_insn in;
	struct emul_cpu cpu;
	u64 mask;
	int ret;

	fill_random(nbuf, BUF_SIZE);
	fill_random(ripbuf, sizeof(ripbuf));
	setup(t, &s, nbuf);
	memcpy(ebuf, nbuf, BUF_SIZE);
	memcpy(eripbuf, ripbuf, sizeof(ripbuf));

	n = s;
	t->fn(&n);
	if (t->kind == K_STR32 && !(u32)s.regs[EMUL_REG_RCX] && !host_is_intel)
		intel_zero_count_rule(t, &n);

	if (mode == EMUL_MODE_64) {
		len = t->end - t->start;
		memcpy(code, t->start, EMUL_MAX_INSN_LEN);
		rip0 = (u64)t->start;
		rip_end = (u64)t->end;
	} else {
		memset(code, 0x90, sizeof(code));
		len = compat_bytes(t, mode, code);
		/* EIP: the low half of the address; IP: wraps at 64 KiB */
		rip0 = mode == EMUL_MODE_32 ? (u32)(u64)t->start : 0xfffe;
		rip_end = mode == EMUL_MODE_32 ? (u32)(rip0 + len) :
			  (u16)(rip0 + len);
	}

	/* Decode with the 15 bytes a vCPU would fetch, then exactly len. */
	ret = emul_decode(code, EMUL_MAX_INSN_LEN, mode, &in);
	if (ret || in.len != len) {
		snprintf(why, wlen, "decode ret %d len %u, want len %u",
			 ret, ret ? 0 : in.len, len);
		return false;
	}
	ret = emul_decode(code, len - 1, mode, &in);
	if (ret != -ENODATA) {
		snprintf(why, wlen, "short decode ret %d", ret);
		return false;
	}
	emul_decode(code, len, mode, &in);

	memset(&cpu, 0, sizeof(cpu));
	memcpy(cpu.regs, s.regs, sizeof(cpu.regs));
	cpu.rflags = s.rflags;
	cpu.rip = rip0;
	cpu.seg_base[EMUL_SEG_FS] = fs_base;
	do {
		ret = emul_execute(&in, &cpu, (iter & 2) ? &ops_plain :
				   &ops_locked, &m, max_rep);
	} while (ret == EMUL_CONTINUE && ++calls < 100);
	if (ret || m.fail) {
		snprintf(why, wlen, "execute ret %d%s", ret,
			 m.fail ? " (access outside the buffers)" : "");
		return false;
	}
	if (cpu.rip != rip_end) {
		snprintf(why, wlen, "rip %#llx, want %#llx",
			 (unsigned long long)cpu.rip,
			 (unsigned long long)rip_end);
		return false;
	}
	for (i = 0; i < 16; i++) {
		if (i != EMUL_REG_RSP && cpu.regs[i] != n.regs[i]) {
			snprintf(why, wlen,
				 "reg %u: emulator %#llx, cpu %#llx (before %#llx)",
				 i, (unsigned long long)cpu.regs[i],
				 (unsigned long long)n.regs[i],
				 (unsigned long long)s.regs[i]);
			return false;
		}
	}
	mask = CMP_FLAGS;
	if (t->bt_undef)
		mask &= ~(u64)(EMUL_FLAG_OF | EMUL_FLAG_SF | EMUL_FLAG_AF |
			       EMUL_FLAG_PF);
	if ((cpu.rflags ^ n.rflags) & mask) {
		snprintf(why, wlen,
			 "rflags: emulator %#llx, cpu %#llx (before %#llx, compared %#llx)",
			 (unsigned long long)(cpu.rflags & CMP_FLAGS),
			 (unsigned long long)(n.rflags & CMP_FLAGS),
			 (unsigned long long)(s.rflags & CMP_FLAGS),
			 (unsigned long long)mask);
		return false;
	}
	for (i = 0; i < BUF_SIZE; i++) {
		if (ebuf[i] != nbuf[i]) {
			snprintf(why, wlen,
				 "memory at BUF+%#x: emulator %#x, cpu %#x",
				 i, ebuf[i], nbuf[i]);
			return false;
		}
	}
	if (memcmp(eripbuf, ripbuf, sizeof(ripbuf))) {
		snprintf(why, wlen, "ripbuf differs");
		return false;
	}
	return true;
}

void run_native_tests(unsigned int iterations, unsigned int seed)
{
	const struct ntest *t;
	unsigned int i = 0, it;
	char why[300];
	void *p;
	u8 *ebuf;

	p = mmap((void *)BUF, BUF_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)BUF) {
		tap_result(false, "native: map test buffer at %#lx", BUF);
		return;
	}
	ebuf = malloc(BUF_SIZE);
	if (!ebuf || syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base)) {
		tap_result(false, "native: setup");
		return;
	}
	detect_host_vendor();
	printf("# native comparison: %u iterations each, seed %u, %s host%s\n",
	       iterations, seed, host_is_intel ? "Intel" : "non-Intel",
	       host_is_intel ? "" :
	       " (zero-count addr32 REP checked against Intel's rule)");
	for (t = __start_nat_tests; t < __stop_nat_tests; t++, i++) {
		static const char *const prefix[] = {
			[EMUL_MODE_64] = "native", [EMUL_MODE_32] = "native32",
			[EMUL_MODE_16] = "native16",
		};
		enum emul_mode mode;

		for (mode = EMUL_MODE_64; mode <= EMUL_MODE_16; mode++) {
			u8 tmp[EMUL_MAX_INSN_LEN];
			bool ok = true;

			if (mode != EMUL_MODE_64 && !compat_bytes(t, mode, tmp))
				continue;
			rng_state = seed * 0x9e3779b97f4a7c15ULL + i + 1;
			why[0] = 0;
			for (it = 0; it < iterations && ok; it++)
				ok = run_one(t, mode, it, ebuf, why,
					     sizeof(why));
			if (!ok)
				printf("# %s %s: iteration %u: %s\n",
				       prefix[mode], t->name, it - 1, why);
			tap_result(ok, "%s: %s", prefix[mode], t->name);
		}
	}
	free(ebuf);
	munmap(p, BUF_SIZE);
}
