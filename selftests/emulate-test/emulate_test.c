// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests for module/emulate: decoder tables, execute-step corner
 * cases (errors leave state untouched, REP in slices, lost cmpxchg races),
 * and the comparison against the real CPU (native.c). TAP output; exit
 * status 1 if anything failed.
 *
 * Usage: emulate_test [iterations [seed]]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "emulate.h"
#include "emulate_test.h"

static unsigned int tap_n, tap_failed;

void tap_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %u - ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* A flat 64-byte memory at linear address MEM_LA, with fault injection. */
#define MEM_LA	0x7000

struct umem {
	u8 b[64];
	int fail_write;		/* error to return from write/cmpxchg */
	int races;		/* cmpxchg calls to lose, each changing b[0] */
	unsigned int writes;
};

static int umem_read(void *opaque, u64 la, void *buf, unsigned int len)
{
	struct umem *m = opaque;

	if (la < MEM_LA || la + len > MEM_LA + sizeof(m->b))
		return -EFAULT;
	memcpy(buf, m->b + (la - MEM_LA), len);
	return 0;
}

static int umem_write(void *opaque, u64 la, const void *buf, unsigned int len)
{
	struct umem *m = opaque;

	if (m->fail_write)
		return m->fail_write;
	if (la < MEM_LA || la + len > MEM_LA + sizeof(m->b))
		return -EFAULT;
	memcpy(m->b + (la - MEM_LA), buf, len);
	m->writes++;
	return 0;
}

static int umem_cmpxchg(void *opaque, u64 la, const void *old,
			const void *new, unsigned int len)
{
	struct umem *m = opaque;

	if (m->races) {
		/* Another CPU got there first: memory changed under us. */
		m->races--;
		m->b[la - MEM_LA]++;
		return -EAGAIN;
	}
	if (memcmp(m->b + (la - MEM_LA), old, len))
		return -EAGAIN;
	return umem_write(opaque, la, new, len);
}

static const struct emul_mem_ops uops = {
	.read = umem_read, .write = umem_write, .cmpxchg = umem_cmpxchg,
};

static int prep(const u8 *bytes, unsigned int n, struct emul_insn *in,
		struct emul_cpu *cpu, struct umem *m)
{
	memset(cpu, 0, sizeof(*cpu));
	memset(m, 0, sizeof(*m));
	cpu->rip = 0x1000;
	cpu->rflags = 0x2;
	cpu->regs[EMUL_REG_RBX] = MEM_LA;
	return emul_decode(bytes, n, EMUL_MODE_64, in);
}

static int prep_mode(const u8 *bytes, unsigned int n, enum emul_mode mode,
		     struct emul_insn *in, struct emul_cpu *cpu,
		     struct umem *m)
{
	prep(bytes, n, in, cpu, m);
	return emul_decode(bytes, n, mode, in);
}

/* 32-bit and 16-bit code segments: segment bases, wrap-around, widths. */
static void run_legacy_mode_tests(void)
{
	static const u8 mov32[] = { 0x89, 0x0b };		/* [ebx],ecx */
	static const u8 mov32es[] = { 0x26, 0x89, 0x0b };	/* es: */
	static const u8 mov16[] = { 0x89, 0x07 };		/* [bx],ax */
	static const u8 rep_stosw[] = { 0xf3, 0xab };
	static const u8 cx8b[] = { 0x0f, 0xc7, 0x0b };		/* [ebx] */
	static const u8 lock_add16[] = { 0xf0, 0x01, 0x07 };	/* [bx],ax */
	struct emul_cpu cpu;
	struct emul_insn in;
	struct umem m;
	u32 v;
	int ret;

	/* DS base + EBX wraps around 4 GiB to MEM_LA. */
	ret = prep_mode(mov32, sizeof(mov32), EMUL_MODE_32, &in, &cpu, &m);
	cpu.seg_base[EMUL_SEG_DS] = 0xffff8000;
	cpu.regs[EMUL_REG_RBX] = 0xdead00000000f000ULL;
	cpu.regs[EMUL_REG_RCX] = 0x1122334455667788ULL;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	memcpy(&v, m.b, 4);
	tap_result(ret == 0 && v == 0x55667788 && cpu.rip == 0x1002,
		   "execute32: ds base + ebx wraps at 4 GiB (ret %d, %#x)",
		   ret, v);

	/* An ES override uses ES's base, not DS's. */
	ret = prep_mode(mov32es, sizeof(mov32es), EMUL_MODE_32, &in, &cpu,
			&m);
	cpu.seg_base[EMUL_SEG_DS] = 0x100000;
	cpu.seg_base[EMUL_SEG_ES] = 0x6000;
	cpu.regs[EMUL_REG_RBX] = 0x1004;
	cpu.regs[EMUL_REG_RCX] = 0xa5a5a5a5;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == 0 && m.b[4] == 0xa5 && m.b[3] == 0,
		   "execute32: es override uses es base (ret %d)", ret);

	/* 16-bit: BX is 16 bits of RBX, IP wraps at 64 KiB. */
	ret = prep_mode(mov16, sizeof(mov16), EMUL_MODE_16, &in, &cpu, &m);
	cpu.rip = 0xffff;
	cpu.seg_base[EMUL_SEG_DS] = MEM_LA;
	cpu.regs[EMUL_REG_RBX] = 0xdeadbeef00010008ULL;
	cpu.regs[EMUL_REG_RAX] = 0x4142;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == 0 && m.b[8] == 0x42 && m.b[9] == 0x41 &&
		   m.b[10] == 0 && cpu.rip == 1,
		   "execute16: [bx] store, ip wraps (ret %d rip %#llx)", ret,
		   (unsigned long long)cpu.rip);

	/* REP STOSW in 16-bit mode counts CX, steps DI; upper bits stay. */
	ret = prep_mode(rep_stosw, sizeof(rep_stosw), EMUL_MODE_16, &in,
			&cpu, &m);
	cpu.seg_base[EMUL_SEG_ES] = MEM_LA;
	cpu.regs[EMUL_REG_RCX] = 0xabcd000000010003ULL;
	cpu.regs[EMUL_REG_RDI] = 0x1234000000000002ULL;
	cpu.regs[EMUL_REG_RAX] = 0x9988;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 100);
	tap_result(ret == 0 && m.writes == 3 && m.b[2] == 0x88 &&
		   m.b[7] == 0x99 && m.b[8] == 0 &&
		   cpu.regs[EMUL_REG_RCX] == 0xabcd000000010000ULL &&
		   cpu.regs[EMUL_REG_RDI] == 0x1234000000000008ULL,
		   "execute16: rep stosw uses cx/di only (ret %d rcx %#llx)",
		   ret, (unsigned long long)cpu.regs[EMUL_REG_RCX]);

	/* CMPXCHG8B miss in 32-bit mode: EDX:EAX loaded, 32-bit writes. */
	ret = prep_mode(cx8b, sizeof(cx8b), EMUL_MODE_32, &in, &cpu, &m);
	m.b[0] = 0x11;
	m.b[4] = 0x22;
	cpu.regs[EMUL_REG_RAX] = 0xffffffff00000000ULL;
	cpu.regs[EMUL_REG_RDX] = 0xffffffff00000000ULL;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == 0 && !(cpu.rflags & EMUL_FLAG_ZF) &&
		   cpu.regs[EMUL_REG_RAX] == 0x11 &&
		   cpu.regs[EMUL_REG_RDX] == 0x22 && m.writes == 0,
		   "execute32: cmpxchg8b miss loads edx:eax (ret %d)", ret);

	/* LOCK ADD word in 16-bit mode: 16-bit carry out. */
	ret = prep_mode(lock_add16, sizeof(lock_add16), EMUL_MODE_16, &in,
			&cpu, &m);
	cpu.seg_base[EMUL_SEG_DS] = MEM_LA;
	cpu.regs[EMUL_REG_RBX] = 0;
	cpu.regs[EMUL_REG_RAX] = 0x0001;
	m.b[0] = 0xff;
	m.b[1] = 0xff;
	m.b[2] = 0x77;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == 0 && m.b[0] == 0 && m.b[1] == 0 && m.b[2] == 0x77 &&
		   (cpu.rflags & EMUL_FLAG_CF) && (cpu.rflags & EMUL_FLAG_ZF),
		   "execute16: lock add word carries out of bit 15 (ret %d)",
		   ret);
}

void run_execute_unit_tests(void)
{
	static const u8 lock_add[] = { 0xf0, 0x48, 0x01, 0x0b };
	static const u8 rep_stosb[] = { 0xf3, 0xaa };
	static const u8 cx16b[] = { 0xf0, 0x48, 0x0f, 0xc7, 0x0b };
	static const u8 cx8b[] = { 0xf0, 0x0f, 0xc7, 0x0b };
	struct emul_cpu cpu, before;
	struct emul_insn in;
	struct umem m;
	u64 v;
	int ret;

	/* A failed write leaves registers, flags and rip alone. */
	ret = prep(lock_add, sizeof(lock_add), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RCX] = 5;
	m.fail_write = -EFAULT;
	before = cpu;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == -EFAULT && !memcmp(&cpu, &before, sizeof(cpu)),
		   "execute: write error propagates, state untouched (%d)",
		   ret);

	/* A lost cmpxchg race is redone on the new memory value. */
	ret = prep(lock_add, sizeof(lock_add), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RCX] = 5;
	m.b[0] = 10;
	m.races = 3;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	memcpy(&v, m.b, 8);
	tap_result(ret == 0 && v == 18 && cpu.rip == 0x1004,
		   "execute: lock add retried after 3 lost races (mem %llu)",
		   (unsigned long long)v);

	/* Losing every race gives up with -EAGAIN, state untouched. */
	ret = prep(lock_add, sizeof(lock_add), &in, &cpu, &m);
	m.races = EMUL_LOCK_RETRIES;
	before = cpu;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == -EAGAIN && !memcmp(&cpu, &before, sizeof(cpu)),
		   "execute: endless race gives -EAGAIN (%d)", ret);

	/* REP in slices: EMUL_CONTINUE, rip held until RCX reaches 0. */
	ret = prep(rep_stosb, sizeof(rep_stosb), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RDI] = MEM_LA;
	cpu.regs[EMUL_REG_RCX] = 10;
	cpu.regs[EMUL_REG_RAX] = 0xab;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 4);
	tap_result(ret == EMUL_CONTINUE && cpu.rip == 0x1000 &&
		   cpu.regs[EMUL_REG_RCX] == 6 &&
		   cpu.regs[EMUL_REG_RDI] == MEM_LA + 4 && m.writes == 4,
		   "execute: rep stosb slice of 4 (ret %d rcx %llu)", ret,
		   (unsigned long long)cpu.regs[EMUL_REG_RCX]);
	ret = emul_execute(&in, &cpu, &uops, &m, 100);
	tap_result(ret == 0 && cpu.rip == 0x1002 &&
		   cpu.regs[EMUL_REG_RCX] == 0 && m.writes == 10 &&
		   m.b[9] == 0xab && m.b[10] == 0,
		   "execute: rep stosb finishes (ret %d)", ret);

	/* REP stos failing mid-way keeps the completed iterations. */
	ret = prep(rep_stosb, sizeof(rep_stosb), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RDI] = MEM_LA + 60;
	cpu.regs[EMUL_REG_RCX] = 10;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 100);
	tap_result(ret == -EFAULT && cpu.regs[EMUL_REG_RCX] == 6 &&
		   cpu.regs[EMUL_REG_RDI] == MEM_LA + 64 && cpu.rip == 0x1000,
		   "execute: rep stosb fault after 4 iterations (ret %d)",
		   ret);

	/* REP with RCX = 0 touches nothing and completes. */
	ret = prep(rep_stosb, sizeof(rep_stosb), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RDI] = 0xdead0000;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 100);
	tap_result(ret == 0 && m.writes == 0 && cpu.rip == 0x1002,
		   "execute: rep stosb with rcx 0 (ret %d)", ret);

	/* CMPXCHG16B needs 16-byte alignment: #GP, reported as -EINVAL. */
	ret = prep(cx16b, sizeof(cx16b), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RBX] = MEM_LA + 8;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == -EINVAL && cpu.rip == 0x1000,
		   "execute: misaligned cmpxchg16b refused (%d)", ret);

	/* CMPXCHG8B: only 8-byte, any alignment is fine. */
	ret = prep(cx8b, sizeof(cx8b), &in, &cpu, &m);
	cpu.regs[EMUL_REG_RBX] = MEM_LA + 3;
	cpu.regs[EMUL_REG_RCX] = 0x11111111;
	cpu.regs[EMUL_REG_RBX] = MEM_LA + 3;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == 0 && (cpu.rflags & EMUL_FLAG_ZF) &&
		   m.b[3] == (u8)(MEM_LA + 3) && m.b[7] == 0x11,
		   "execute: cmpxchg8b success stores ecx:ebx (%d)", ret);

	/* A mode number outside the enum: refused. */
	ret = prep(lock_add, sizeof(lock_add), &in, &cpu, &m);
	in.mode = 7;
	ret = ret ?: emul_execute(&in, &cpu, &uops, &m, 1);
	tap_result(ret == -EOPNOTSUPP, "execute: unknown mode refused (%d)",
		   ret);

	run_legacy_mode_tests();
}
int main(int argc, char **argv)
{
	unsigned int iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000;
	unsigned int seed = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;

	printf("TAP version 13\n");
	run_decode_tables();
	run_decode_fuzz(200000);
	run_objdump_lengths();
	run_execute_unit_tests();
	run_native_tests(iterations, seed);
	printf("1..%u\n", tap_n);
	printf("# %u passed, %u failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}
