// SPDX-License-Identifier: GPL-2.0
/*
 * Execute step of the x86 emulator: the read-modify-write and string
 * instructions guests use on page tables. Memory goes through callbacks
 * (guest linear addresses), so the same code serves the kernel's shadow
 * pager and the userspace test that checks it against the real CPU.
 *
 * Every instruction works on a copy of the CPU state and commits it only
 * after its memory write succeeded, so an error leaves the guest as it
 * was and the instruction can be retried or a fault injected.
 */
#include "emulate.h"

static u64 mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static u64 sign_bit(u64 v, unsigned int size)
{
	return (v >> (8 * size - 1)) & 1;
}

static s64 sext(u64 v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	if (size >= 8)
		return (s64)v;
	return (s64)(v << shift) >> shift;
}

static void put_le(u8 *buf, u64 v, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		buf[i] = v >> (8 * i);
}

static u64 get_le(const u8 *buf, unsigned int size)
{
	unsigned int i;
	u64 v = 0;

	for (i = 0; i < size; i++)
		v |= (u64)buf[i] << (8 * i);
	return v;
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static u64 parity_flag(u64 r)
{
	u8 b = r;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return (b & 1) ? 0 : EMUL_FLAG_PF;
}

static u64 szp_flags(u64 r, unsigned int size)
{
	u64 f = parity_flag(r);

	if (!(r & mask_of(size)))
		f |= EMUL_FLAG_ZF;
	if (sign_bit(r, size))
		f |= EMUL_FLAG_SF;
	return f;
}

/*
 * Result and arithmetic flags of an ALU operation on size-byte operands.
 * Carry and overflow come from the per-bit carry vector, which is
 * correct for every width including 64 bits without a wider type.
 */
static u64 alu_compute(unsigned int alu, u64 a, u64 b, u64 rflags,
		       unsigned int size, u64 *flags)
{
	u64 cin = rflags & EMUL_FLAG_CF ? 1 : 0;
	u64 r, carries = 0, f = 0;
	bool arith = true;

	a &= mask_of(size);
	b &= mask_of(size);
	switch (alu) {
	case EMUL_ALU_ADD:
		cin = 0;
		fallthrough;
	case EMUL_ALU_ADC:
		r = a + b + cin;
		carries = (a & b) | ((a | b) & ~r);
		if (sign_bit((a ^ r) & (b ^ r), size))
			f |= EMUL_FLAG_OF;
		break;
	case EMUL_ALU_SUB:
	case EMUL_ALU_CMP:
		cin = 0;
		fallthrough;
	case EMUL_ALU_SBB:
		r = a - b - cin;
		carries = (~a & b) | ((~a | b) & r);
		if (sign_bit((a ^ b) & (a ^ r), size))
			f |= EMUL_FLAG_OF;
		break;
	case EMUL_ALU_OR:
		r = a | b;
		arith = false;
		break;
	case EMUL_ALU_AND:
		r = a & b;
		arith = false;
		break;
	default:	/* EMUL_ALU_XOR */
		r = a ^ b;
		arith = false;
		break;
	}
	r &= mask_of(size);
	if (arith) {
		if (sign_bit(carries, size))
			f |= EMUL_FLAG_CF;
		f |= (a ^ b ^ r) & EMUL_FLAG_AF;
	}
	/* Logical ops: CF = OF = 0; AF undefined, cleared like the CPUs. */
	*flags = f | szp_flags(r, size);
	return r;
}

static u64 set_arith_flags(u64 rflags, u64 flags)
{
	return (rflags & ~(u64)EMUL_FLAGS_ARITH) | flags;
}

struct exec_ctx {
	const struct emul_insn *in;
	const struct emul_mem_ops *ops;
	void *opaque;
};

/*
 * Linear address: in 64-bit mode only FS and GS have a base. Outside
 * long mode linear addresses are 32 bits wide and wrap around 4 GiB.
 * Segment limits and rights are the caller's business (it has the
 * descriptors); here only the base is applied.
 */
static u64 linear(const struct emul_insn *in, const struct emul_cpu *cpu,
		  unsigned int seg, u64 ea)
{
	if (in->mode != EMUL_MODE_64)
		return (u32)(cpu->seg_base[seg] + ea);
	if (seg != EMUL_SEG_FS && seg != EMUL_SEG_GS)
		return ea;
	return cpu->seg_base[seg] + ea;
}

/*
 * The instruction pointer after the instruction: RIP in 64-bit mode,
 * EIP with a 32-bit code segment, IP (wrapping at 64 KiB) with a 16-bit one.
 */
static u64 next_rip(const struct emul_insn *in, u64 rip)
{
	rip += in->len;
	if (in->mode == EMUL_MODE_32)
		return (u32)rip;
	if (in->mode == EMUL_MODE_16)
		return (u16)rip;
	return rip;
}

/*
 * One read-modify-write. compute() sees the old memory bytes and a copy
 * of the CPU, sets the new bytes and returns whether to write them.
 */
struct rmw {
	u8 old[16];
	u8 new[16];
};

typedef bool (*rmw_fn)(const struct emul_insn *in, struct emul_cpu *c,
		       struct rmw *m);

static int do_rmw(struct exec_ctx *x, struct emul_cpu *cpu, u64 la,
		  unsigned int size, rmw_fn compute)
{
	const struct emul_insn *in = x->in;
	bool locked = (in->flags & EMUL_F_LOCK) && x->ops->cmpxchg;
	unsigned int tries;
	struct emul_cpu c;
	struct rmw m;
	int ret;

	for (tries = 0; tries < EMUL_LOCK_RETRIES; tries++) {
		c = *cpu;
		ret = x->ops->read(x->opaque, la, m.old, size);
		if (ret)
			return ret;
		if (compute(in, &c, &m)) {
			if (locked)
				ret = x->ops->cmpxchg(x->opaque, la, m.old,
						      m.new, size);
			else
				ret = x->ops->write(x->opaque, la, m.new, size);
			/* Someone changed memory since the read: redo. */
			if (ret == -EAGAIN && locked)
				continue;
			if (ret)
				return ret;
		}
		c.rip = next_rip(in, c.rip);
		*cpu = c;
		return 0;
	}
	return -EAGAIN;
}

/* Source operand of a two-operand instruction: immediate or register. */
static u64 src_value(const struct emul_insn *in, const struct emul_cpu *c)
{
	if (in->flags & EMUL_F_IMM)
		return in->imm;
	return emul_get_reg(c->regs, in->reg, in->flags & EMUL_F_HIGH8,
			    in->size);
}

static bool rmw_alu(const struct emul_insn *in, struct emul_cpu *c,
		    struct rmw *m)
{
	u64 flags, r;

	r = alu_compute(in->alu, get_le(m->old, in->size), src_value(in, c),
			c->rflags, in->size, &flags);
	c->rflags = set_arith_flags(c->rflags, flags);
	put_le(m->new, r, in->size);
	return in->alu != EMUL_ALU_CMP;
}

static bool rmw_xchg(const struct emul_insn *in, struct emul_cpu *c,
		     struct rmw *m)
{
	put_le(m->new, src_value(in, c), in->size);
	emul_set_reg(c->regs, in->reg, in->flags & EMUL_F_HIGH8, in->size,
		     get_le(m->old, in->size));
	return true;
}

static bool rmw_cmpxchg(const struct emul_insn *in, struct emul_cpu *c,
			struct rmw *m)
{
	u64 old = get_le(m->old, in->size);
	u64 acc = emul_get_reg(c->regs, EMUL_REG_RAX, false, in->size);
	u64 flags;

	alu_compute(EMUL_ALU_CMP, acc, old, c->rflags, in->size, &flags);
	c->rflags = set_arith_flags(c->rflags, flags);
	if (acc == old) {
		put_le(m->new, src_value(in, c), in->size);
		return true;
	}
	/*
	 * The CPU writes the old value back on failure; storing the same
	 * bytes is invisible, so skip it. RAX is written (32-bit: zeroed
	 * above) only on failure.
	 */
	emul_set_reg(c->regs, EMUL_REG_RAX, false, in->size, old);
	return false;
}

/* CMPXCHG8B (half = 4) / CMPXCHG16B (half = 8): only ZF is affected. */
static bool rmw_cmpxchg_dbl(const struct emul_insn *in, struct emul_cpu *c,
			    struct rmw *m)
{
	unsigned int half = in->op_size;
	u64 lo = get_le(m->old, half), hi = get_le(m->old + half, half);
	u64 *r = c->regs;

	if (lo == (r[EMUL_REG_RAX] & mask_of(half)) &&
	    hi == (r[EMUL_REG_RDX] & mask_of(half))) {
		c->rflags |= EMUL_FLAG_ZF;
		put_le(m->new, r[EMUL_REG_RBX], half);
		put_le(m->new + half, r[EMUL_REG_RCX], half);
		return true;
	}
	c->rflags &= ~(u64)EMUL_FLAG_ZF;
	emul_set_reg(r, EMUL_REG_RAX, false, half, lo);
	emul_set_reg(r, EMUL_REG_RDX, false, half, hi);
	return false;
}

/*
 * BT/BTS/BTR/BTC on the size-byte word do_rmw was pointed at; the bit
 * number within it is already reduced (imm form: imm mod width; register
 * form: exec_bt moved the address). CF = the old bit; OF SF AF PF are
 * undefined and left alone, ZF is unaffected.
 */
static bool rmw_bt(const struct emul_insn *in, struct emul_cpu *c,
		   struct rmw *m)
{
	unsigned int bits = 8 * in->size;
	u64 off, old = get_le(m->old, in->size), bit, r;

	if (in->flags & EMUL_F_BT_IMM)
		off = in->imm;
	else
		off = c->regs[in->reg];
	bit = 1ULL << (off & (bits - 1));

	if (old & bit)
		c->rflags |= EMUL_FLAG_CF;
	else
		c->rflags &= ~(u64)EMUL_FLAG_CF;
	switch (in->alu) {
	case EMUL_BT_BTS:
		r = old | bit;
		break;
	case EMUL_BT_BTR:
		r = old & ~bit;
		break;
	case EMUL_BT_BTC:
		r = old ^ bit;
		break;
	default:
		return false;
	}
	put_le(m->new, r, in->size);
	return true;
}

static int exec_bt(struct exec_ctx *x, struct emul_cpu *cpu, u64 ea)
{
	const struct emul_insn *in = x->in;
	u64 amask = mask_of(in->addr_size);

	if (!(in->flags & EMUL_F_BT_IMM)) {
		/*
		 * A register bit offset is signed and may reach outside the
		 * operand: the CPU accesses the size-aligned word containing
		 * the bit, offset / width words away (arithmetic shift).
		 */
		s64 off = sext(cpu->regs[in->reg], in->size);
		unsigned int shift = in->size == 2 ? 4 : in->size == 4 ? 5 : 6;

		ea = (ea + (u64)((off >> shift) * in->size)) & amask;
	}
	return do_rmw(x, cpu, linear(in, cpu, in->seg, ea), in->size, rmw_bt);
}

/* Step RSI/RDI by size bytes in the direction DF says, at the address size. */
static void string_step(const struct emul_insn *in, struct emul_cpu *c,
			unsigned int reg, unsigned int size)
{
	u64 v = c->regs[reg];

	if (c->rflags & EMUL_FLAG_DF)
		v -= size;
	else
		v += size;
	emul_set_reg(c->regs, reg, false, in->addr_size, v);
}

static int exec_string(struct exec_ctx *x, struct emul_cpu *cpu,
		       unsigned int max_rep)
{
	const struct emul_insn *in = x->in;
	u64 amask = mask_of(in->addr_size);
	bool rep = in->flags & EMUL_F_REP;
	unsigned int done;
	u8 buf[8];
	u64 dst;
	int ret;

	if (!max_rep)
		max_rep = 1;
	for (done = 0; ; done++) {
		if (rep && !(cpu->regs[EMUL_REG_RCX] & amask)) {
			/*
			 * Even with a count of 0 an Intel CPU writes RCX, RDI
			 * (and RSI for MOVS) back at the address size: with
			 * 67 their bits 63:32 end up cleared (checked
			 * against Intel hardware by the native tests; AMD
			 * leaves them alone, but VMX guests run on Intel).
			 */
			emul_set_reg(cpu->regs, EMUL_REG_RCX, false,
				     in->addr_size, 0);
			string_step(in, cpu, EMUL_REG_RDI, 0);
			if (in->op == EMUL_OP_MOVS)
				string_step(in, cpu, EMUL_REG_RSI, 0);
			break;
		}
		if (done == max_rep)
			return EMUL_CONTINUE;

		if (in->op == EMUL_OP_MOVS) {
			u64 src = cpu->regs[EMUL_REG_RSI] & amask;

			ret = x->ops->read(x->opaque,
					   linear(in, cpu, in->seg, src),
					   buf, in->size);
			if (ret)
				return ret;
		} else {
			put_le(buf, cpu->regs[EMUL_REG_RAX], in->size);
		}
		dst = cpu->regs[EMUL_REG_RDI] & amask;
		ret = x->ops->write(x->opaque,
				    linear(in, cpu, EMUL_SEG_ES, dst),
				    buf, in->size);
		if (ret)
			return ret;

		string_step(in, cpu, EMUL_REG_RDI, in->size);
		if (in->op == EMUL_OP_MOVS)
			string_step(in, cpu, EMUL_REG_RSI, in->size);
		if (!rep)
			break;
		emul_set_reg(cpu->regs, EMUL_REG_RCX, false, in->addr_size,
			     cpu->regs[EMUL_REG_RCX] - 1);
	}
	cpu->rip = next_rip(in, cpu->rip);
	return 0;
}

/* Plain MOV/MOVZX/MOVSX through the callbacks. */
static int exec_move(struct exec_ctx *x, struct emul_cpu *cpu, u64 la)
{
	const struct emul_insn *in = x->in;
	u8 buf[8];
	int ret;

	if (in->op == EMUL_OP_STORE) {
		put_le(buf, emul_write_value(in, cpu->regs), in->size);
		ret = x->ops->write(x->opaque, la, buf, in->size);
		if (ret)
			return ret;
	} else {
		ret = x->ops->read(x->opaque, la, buf, in->size);
		if (ret)
			return ret;
		emul_complete_read(in, cpu->regs, get_le(buf, in->size));
	}
	cpu->rip = next_rip(in, cpu->rip);
	return 0;
}

int emul_execute(const struct emul_insn *in, struct emul_cpu *cpu,
		 const struct emul_mem_ops *ops, void *opaque,
		 unsigned int max_rep)
{
	struct exec_ctx x = { .in = in, .ops = ops, .opaque = opaque };
	u64 ea, la;

	if (in->mode != EMUL_MODE_64 && in->mode != EMUL_MODE_32 &&
	    in->mode != EMUL_MODE_16)
		return -EOPNOTSUPP;
	if (in->op == EMUL_OP_STOS || in->op == EMUL_OP_MOVS)
		return exec_string(&x, cpu, max_rep);

	ea = emul_effective_addr(in, cpu->regs, cpu->rip);
	la = linear(in, cpu, in->seg, ea);
	switch (in->op) {
	case EMUL_OP_LOAD:
	case EMUL_OP_STORE:
		return exec_move(&x, cpu, la);
	case EMUL_OP_ALU:
		return do_rmw(&x, cpu, la, in->size, rmw_alu);
	case EMUL_OP_XCHG:
		return do_rmw(&x, cpu, la, in->size, rmw_xchg);
	case EMUL_OP_CMPXCHG:
		return do_rmw(&x, cpu, la, in->size, rmw_cmpxchg);
	case EMUL_OP_CMPXCHG_DBL:
		if (in->size == 16 && (la & 15))
			return -EINVAL;
		return do_rmw(&x, cpu, la, in->size, rmw_cmpxchg_dbl);
	case EMUL_OP_BT:
		return exec_bt(&x, cpu, ea);
	default:
		return -EOPNOTSUPP;
	}
}
