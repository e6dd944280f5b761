// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction decoder for the memory-access instructions shadowvm
 * emulates. It decodes a closed list of opcodes and refuses everything
 * else: a wrong guess would corrupt guest state silently, a refusal turns
 * into a visible INTERNAL_ERROR exit.
 */
#include "emulate.h"

/* Legacy prefixes seen before the opcode. */
#define PFX_OPSIZE	BIT(0)	/* 66 */
#define PFX_ADSIZE	BIT(1)	/* 67 */
#define PFX_LOCK	BIT(2)	/* F0 */
#define PFX_REPNE	BIT(3)	/* F2 */
#define PFX_REP		BIT(4)	/* F3 */

#define REX_B		BIT(0)
#define REX_X		BIT(1)
#define REX_R		BIT(2)
#define REX_W		BIT(3)

struct decoder {
	const u8 *insn;
	unsigned int avail;
	unsigned int pos;
	unsigned int prefixes;	/* PFX_* */
	u8 rex;			/* 0x40-0x4f, or 0 if none applies */
	u8 opcode;		/* last opcode byte */
	u8 mode;		/* enum emul_mode */
	bool twobyte;		/* opcode follows 0F */
};

static int fetch_byte(struct decoder *d, u8 *b)
{
	/* The CPU gives up at 15 bytes no matter what is fetchable. */
	if (d->pos >= EMUL_MAX_INSN_LEN)
		return -EOPNOTSUPP;
	if (d->pos >= d->avail)
		return -ENODATA;
	*b = d->insn[d->pos++];
	return 0;
}

/* Fetch a little-endian immediate or displacement of 1, 2, 4 or 8 bytes. */
static int fetch_le(struct decoder *d, unsigned int bytes, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	u8 b;
	int ret;

	for (i = 0; i < bytes; i++) {
		ret = fetch_byte(d, &b);
		if (ret)
			return ret;
		v |= (u64)b << (8 * i);
	}
	*val = v;
	return 0;
}

static u64 size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static s64 sign_extend(u64 v, unsigned int size)
{
	unsigned int shift = 64 - 8 * size;

	if (size >= 8)
		return (s64)v;
	return (s64)(v << shift) >> shift;
}

/*
 * Operand size of a non-byte instruction: REX.W beats 66; otherwise 66
 * toggles the default, which is 16 bits only for a CS.D = 0 code segment.
 */
static unsigned int op_size(const struct decoder *d)
{
	bool def16 = d->mode == EMUL_MODE_16;

	if (d->rex & REX_W)
		return 8;
	if (d->prefixes & PFX_OPSIZE)
		return def16 ? 4 : 2;
	return def16 ? 2 : 4;
}

/*
 * Address size: 67 toggles between the mode's default and the other size
 * the mode allows (64 <-> 32 in long mode, 32 <-> 16 elsewhere).
 */
static unsigned int addr_size(enum emul_mode mode, bool pfx67)
{
	switch (mode) {
	case EMUL_MODE_64:
		return pfx67 ? 4 : 8;
	case EMUL_MODE_32:
		return pfx67 ? 2 : 4;
	default:
		return pfx67 ? 4 : 2;
	}
}

/*
 * Name the register operand of a byte instruction. Without any REX prefix
 * encodings 4-7 are AH CH DH BH; with one they are SPL BPL SIL DIL.
 */
static void set_reg8(struct decoder *d, struct emul_insn *in, unsigned int r)
{
	if (!d->rex && r >= 4 && r < 8) {
		in->reg = r - 4;
		in->flags |= EMUL_F_HIGH8;
	} else {
		in->reg = r;
	}
}

/*
 * The 16-bit ModRM forms (address size 2): no SIB, base and index from a
 * fixed table, disp16 alone for mod 0 rm 6, and SS as the default segment
 * whenever BP takes part.
 */
static int decode_modrm16(struct decoder *d, struct emul_insn *in,
			  unsigned int mod, unsigned int rm)
{
	static const u8 base16[8] = {
		EMUL_REG_RBX, EMUL_REG_RBX, EMUL_REG_RBP, EMUL_REG_RBP,
		EMUL_REG_RSI, EMUL_REG_RDI, EMUL_REG_RBP, EMUL_REG_RBX,
	};
	static const u8 index16[8] = {
		EMUL_REG_RSI, EMUL_REG_RDI, EMUL_REG_RSI, EMUL_REG_RDI,
		EMUL_REG_NONE, EMUL_REG_NONE, EMUL_REG_NONE, EMUL_REG_NONE,
	};
	unsigned int disp_bytes = mod == 1 ? 1 : (mod == 2 ? 2 : 0);
	u64 disp;
	int ret;

	in->base = base16[rm];
	in->index = index16[rm];
	if (mod == 0 && rm == 6) {
		in->base = EMUL_REG_NONE;
		disp_bytes = 2;
	}
	ret = fetch_le(d, disp_bytes, &disp);
	if (ret)
		return ret;
	in->disp = disp_bytes ? sign_extend(disp, disp_bytes) : 0;
	if (in->seg == EMUL_NR_SEGS)
		in->seg = in->base == EMUL_REG_RBP ? EMUL_SEG_SS : EMUL_SEG_DS;
	return 0;
}

/*
 * Decode ModRM (+ SIB + displacement). 32/64-bit addressing is the same
 * encoding except that mod 0 rm 5 is RIP-relative only in 64-bit mode;
 * 16-bit addressing has its own table. Returns the reg field, REX.R
 * applied, in *reg. Register-direct forms (mod 3) cannot be the faulting
 * memory access, so they are refused.
 */
static int decode_modrm(struct decoder *d, struct emul_insn *in,
			unsigned int *reg)
{
	unsigned int mod, rm, disp_bytes = 0;
	u8 modrm, sib;
	u64 disp;
	int ret;

	ret = fetch_byte(d, &modrm);
	if (ret)
		return ret;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | (d->rex & REX_R ? 8 : 0);
	if (mod == 3)
		return -EOPNOTSUPP;

	in->mem_kind = EMUL_MEM_MODRM;
	in->index = EMUL_REG_NONE;
	in->scale = 1;
	if (in->addr_size == 2)
		return decode_modrm16(d, in, mod, rm);
	if (rm == 4) {
		unsigned int idx;

		ret = fetch_byte(d, &sib);
		if (ret)
			return ret;
		in->scale = 1 << (sib >> 6);
		idx = ((sib >> 3) & 7) | (d->rex & REX_X ? 8 : 0);
		/* Index 100b means none; with REX.X it is R12. */
		if (idx != EMUL_REG_RSP)
			in->index = idx;
		if ((sib & 7) == 5 && mod == 0) {
			in->base = EMUL_REG_NONE;
			disp_bytes = 4;
		} else {
			in->base = (sib & 7) | (d->rex & REX_B ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		/* 64-bit mode: RIP-relative; elsewhere absolute disp32. */
		in->base = d->mode == EMUL_MODE_64 ? EMUL_REG_RIP :
			   EMUL_REG_NONE;
		disp_bytes = 4;
	} else {
		in->base = rm | (d->rex & REX_B ? 8 : 0);
	}
	if (mod == 1)
		disp_bytes = 1;
	else if (mod == 2)
		disp_bytes = 4;

	ret = fetch_le(d, disp_bytes, &disp);
	if (ret)
		return ret;
	in->disp = disp_bytes ? sign_extend(disp, disp_bytes) : 0;

	/* SS is the default segment for RSP/RBP-based addressing. */
	if (in->seg == EMUL_NR_SEGS)
		in->seg = (in->base == EMUL_REG_RSP || in->base == EMUL_REG_RBP) ?
			  EMUL_SEG_SS : EMUL_SEG_DS;
	return 0;
}

/* Fetch an immediate of bytes, sign-extend it to op_size, mask it. */
static int decode_imm(struct decoder *d, struct emul_insn *in,
		      unsigned int bytes)
{
	u64 v;
	int ret;

	ret = fetch_le(d, bytes, &v);
	if (ret)
		return ret;
	in->imm = (u64)sign_extend(v, bytes) & size_mask(in->op_size);
	in->flags |= EMUL_F_IMM;
	return 0;
}

/* Immediate of a full-size operand: imm16, or imm32 for 32 and 64 bits. */
static unsigned int imm_bytes(unsigned int size)
{
	return size == 2 ? 2 : (size == 1 ? 1 : 4);
}

/* ModRM memory operand with a register operand of size op_sz. */
static int modrm_reg_operand(struct decoder *d, struct emul_insn *in,
			     unsigned int op_sz)
{
	unsigned int reg;
	int ret;

	ret = decode_modrm(d, in, &reg);
	if (ret)
		return ret;
	in->op_size = op_sz;
	if (op_sz == 1)
		set_reg8(d, in, reg);
	else
		in->reg = reg;
	return 0;
}

static int decode_onebyte(struct decoder *d, struct emul_insn *in)
{
	u8 op = d->opcode;
	unsigned int reg, sz = (op & 1) ? op_size(d) : 1;
	u64 moffs;
	int ret;

	/* 00-39 with memory destination: ADD OR ADC SBB AND SUB XOR CMP */
	if (op < 0x40 && (op & 7) <= 1) {
		in->op = EMUL_OP_ALU;
		in->alu = op >> 3;
		in->size = sz;
		in->flags |= EMUL_F_READ;
		if (in->alu != EMUL_ALU_CMP)
			in->flags |= EMUL_F_WRITE;
		return modrm_reg_operand(d, in, sz);
	}

	switch (op) {
	case 0x80:
	case 0x81:
	case 0x83:
		sz = op == 0x80 ? 1 : op_size(d);
		ret = decode_modrm(d, in, &reg);
		if (ret)
			return ret;
		in->op = EMUL_OP_ALU;
		in->alu = reg & 7;
		in->size = sz;
		in->op_size = sz;
		in->flags |= EMUL_F_READ;
		if (in->alu != EMUL_ALU_CMP)
			in->flags |= EMUL_F_WRITE;
		return decode_imm(d, in, op == 0x81 ? imm_bytes(sz) : 1);
	case 0x86:
	case 0x87:
		in->op = EMUL_OP_XCHG;
		in->size = sz;
		/* XCHG with memory is locked whether or not F0 is present. */
		in->flags |= EMUL_F_READ | EMUL_F_WRITE | EMUL_F_LOCK;
		return modrm_reg_operand(d, in, sz);
	case 0x88:
	case 0x89:
		in->op = EMUL_OP_STORE;
		in->size = sz;
		in->flags |= EMUL_F_WRITE;
		return modrm_reg_operand(d, in, sz);
	case 0x8a:
	case 0x8b:
		in->op = EMUL_OP_LOAD;
		in->size = sz;
		in->flags |= EMUL_F_READ;
		return modrm_reg_operand(d, in, sz);
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		/* moffs is address-size wide: 8, 4 or 2 bytes. */
		ret = fetch_le(d, in->addr_size, &moffs);
		if (ret)
			return ret;
		in->op = op < 0xa2 ? EMUL_OP_LOAD : EMUL_OP_STORE;
		in->flags |= op < 0xa2 ? EMUL_F_READ : EMUL_F_WRITE;
		in->mem_kind = EMUL_MEM_MOFFS;
		in->disp = (s64)moffs;
		in->reg = EMUL_REG_RAX;
		in->size = sz;
		in->op_size = sz;
		if (in->seg == EMUL_NR_SEGS)
			in->seg = EMUL_SEG_DS;
		return 0;
	case 0xa4:
	case 0xa5:
	case 0xaa:
	case 0xab:
		in->op = op >= 0xaa ? EMUL_OP_STOS : EMUL_OP_MOVS;
		in->flags |= EMUL_F_WRITE;
		in->mem_kind = EMUL_MEM_STRING;
		in->size = sz;
		in->op_size = sz;
		if (in->op == EMUL_OP_STOS) {
			in->reg = EMUL_REG_RAX;
			/* The destination ES cannot be overridden. */
			in->seg = EMUL_SEG_ES;
		} else {
			in->flags |= EMUL_F_READ;
			/* seg names the source; the destination is ES. */
			if (in->seg == EMUL_NR_SEGS)
				in->seg = EMUL_SEG_DS;
		}
		return 0;
	case 0xc6:
	case 0xc7:
		ret = decode_modrm(d, in, &reg);
		if (ret)
			return ret;
		/* Only /0 is MOV; C6 /7 and C7 /7 are XABORT/XBEGIN. */
		if ((reg & 7) != 0)
			return -EOPNOTSUPP;
		in->op = EMUL_OP_STORE;
		in->flags |= EMUL_F_WRITE;
		in->size = sz;
		in->op_size = sz;
		return decode_imm(d, in, imm_bytes(sz));
	}
	return -EOPNOTSUPP;
}

static int decode_twobyte(struct decoder *d, struct emul_insn *in)
{
	u8 op = d->opcode;
	unsigned int reg, sz = op_size(d);
	u64 imm;
	int ret;

	switch (op) {
	case 0xb6:
	case 0xb7:
	case 0xbe:
	case 0xbf:
		in->op = EMUL_OP_LOAD;
		in->ext = op >= 0xbe ? EMUL_EXT_SIGN : EMUL_EXT_ZERO;
		in->flags |= EMUL_F_READ;
		in->size = (op & 1) ? 2 : 1;
		ret = modrm_reg_operand(d, in, sz);
		/* MOVZX r16, m16 is a plain 16-bit load. */
		if (in->size == in->op_size)
			in->ext = EMUL_EXT_NONE;
		return ret;
	case 0xb0:
	case 0xb1:
		sz = (op & 1) ? sz : 1;
		in->op = EMUL_OP_CMPXCHG;
		in->flags |= EMUL_F_READ | EMUL_F_WRITE;
		in->size = sz;
		return modrm_reg_operand(d, in, sz);
	case 0xc7:
		ret = decode_modrm(d, in, &reg);
		if (ret)
			return ret;
		/* Only /1; 66 with it is not a defined encoding. */
		if ((reg & 7) != 1 || (d->prefixes & PFX_OPSIZE))
			return -EOPNOTSUPP;
		in->op = EMUL_OP_CMPXCHG_DBL;
		in->flags |= EMUL_F_READ | EMUL_F_WRITE;
		in->size = (d->rex & REX_W) ? 16 : 8;
		in->op_size = in->size / 2;
		return 0;
	case 0xa3:
	case 0xab:
	case 0xb3:
	case 0xbb:
		in->op = EMUL_OP_BT;
		/* A3 AB B3 BB carry /4 /5 /6 /7 in bits 5:3 of the opcode. */
		in->alu = EMUL_BT_BT + ((op >> 3) & 3);
		in->flags |= EMUL_F_READ;
		if (in->alu != EMUL_BT_BT)
			in->flags |= EMUL_F_WRITE;
		in->size = sz;
		return modrm_reg_operand(d, in, sz);
	case 0xba:
		ret = decode_modrm(d, in, &reg);
		if (ret)
			return ret;
		if ((reg & 7) < EMUL_BT_BT)
			return -EOPNOTSUPP;
		in->op = EMUL_OP_BT;
		in->alu = reg & 7;
		in->flags |= EMUL_F_READ | EMUL_F_BT_IMM;
		if (in->alu != EMUL_BT_BT)
			in->flags |= EMUL_F_WRITE;
		in->size = sz;
		in->op_size = sz;
		ret = fetch_le(d, 1, &imm);
		in->imm = imm;
		return ret;
	}
	return -EOPNOTSUPP;
}

static bool lockable(const struct emul_insn *in)
{
	switch (in->op) {
	case EMUL_OP_ALU:
		return in->alu != EMUL_ALU_CMP;
	case EMUL_OP_BT:
		return in->alu != EMUL_BT_BT;
	case EMUL_OP_XCHG:
	case EMUL_OP_CMPXCHG:
	case EMUL_OP_CMPXCHG_DBL:
		return true;
	default:
		return false;
	}
}

/*
 * Refuse prefixes the CPU would answer with #UD, and F2/F3 where they
 * could mean something else. F2/F3 are otherwise only the XACQUIRE and
 * XRELEASE hints, which do not change the result.
 */
static int check_prefixes(const struct decoder *d, struct emul_insn *in)
{
	unsigned int rep = d->prefixes & (PFX_REP | PFX_REPNE);
	bool lock = d->prefixes & PFX_LOCK;

	if (lock) {
		if (!lockable(in))
			return -EOPNOTSUPP;
		in->flags |= EMUL_F_LOCK;
	}
	if (!rep)
		return 0;
	/* Both: which one the CPU honours is not architectural. */
	if (rep == (PFX_REP | PFX_REPNE))
		return -EOPNOTSUPP;

	if (in->op == EMUL_OP_STOS || in->op == EMUL_OP_MOVS) {
		/* REPNE on a non-comparing string op is not defined. */
		if (rep != PFX_REP)
			return -EOPNOTSUPP;
		in->flags |= EMUL_F_REP;
		return 0;
	}
	/* XACQUIRE/XRELEASE: locked RMW, XCHG, or XRELEASE on a MOV store. */
	if (in->op == EMUL_OP_XCHG || (lock && lockable(in)))
		return 0;
	if (rep == PFX_REP && in->op == EMUL_OP_STORE && !d->twobyte &&
	    (d->opcode == 0x88 || d->opcode == 0x89 ||
	     d->opcode == 0xc6 || d->opcode == 0xc7))
		return 0;
	return -EOPNOTSUPP;
}

int emul_decode(const u8 *insn, unsigned int avail, enum emul_mode mode,
		struct emul_insn *out)
{
	struct decoder d = { .insn = insn, .avail = avail };
	struct emul_insn in;
	u8 b;
	int ret;

	if (mode != EMUL_MODE_64 && mode != EMUL_MODE_32 &&
	    mode != EMUL_MODE_16)
		return -EOPNOTSUPP;
	d.mode = mode;

	memset(&in, 0, sizeof(in));
	in.mode = mode;
	in.reg = EMUL_REG_NONE;
	in.base = EMUL_REG_NONE;
	in.index = EMUL_REG_NONE;
	in.scale = 1;
	in.seg = EMUL_NR_SEGS;		/* none yet: chosen by addressing */

	for (;;) {
		ret = fetch_byte(&d, &b);
		if (ret)
			return ret;
		/*
		 * 0x40-0x4f are REX only in 64-bit mode; elsewhere they are
		 * INC/DEC r32, opcodes that never touch memory, refused below.
		 */
		if (mode == EMUL_MODE_64 && b >= 0x40 && b <= 0x4f) {
			/* REX counts only directly before the opcode. */
			d.rex = b;
			continue;
		}
		switch (b) {
		case 0x66:
			d.prefixes |= PFX_OPSIZE;
			break;
		case 0x67:
			d.prefixes |= PFX_ADSIZE;
			break;
		case 0xf0:
			d.prefixes |= PFX_LOCK;
			break;
		case 0xf2:
			d.prefixes |= PFX_REPNE;
			break;
		case 0xf3:
			d.prefixes |= PFX_REP;
			break;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			/*
			 * ES CS SS DS overrides are ignored in 64-bit mode;
			 * their bases count as zero. They still cancel an
			 * earlier FS/GS override (the last one wins).
			 * Elsewhere they select the segment: bits 4:3 of
			 * the prefix are its number.
			 */
			in.seg = mode == EMUL_MODE_64 ? EMUL_NR_SEGS :
				 (b >> 3) & 3;
			break;
		case 0x64:
			in.seg = EMUL_SEG_FS;
			break;
		case 0x65:
			in.seg = EMUL_SEG_GS;
			break;
		default:
			goto opcode;
		}
		/* A legacy prefix after REX makes the REX void. */
		d.rex = 0;
	}

opcode:
	in.addr_size = addr_size(mode, d.prefixes & PFX_ADSIZE);
	d.opcode = b;
	if (b == 0x0f) {
		ret = fetch_byte(&d, &d.opcode);
		if (ret)
			return ret;
		d.twobyte = true;
		ret = decode_twobyte(&d, &in);
	} else {
		ret = decode_onebyte(&d, &in);
	}
	if (ret)
		return ret;
	ret = check_prefixes(&d, &in);
	if (ret)
		return ret;

	in.len = d.pos;
	*out = in;
	return 0;
}

u64 emul_get_reg(const u64 *regs, unsigned int reg, bool high8,
		 unsigned int size)
{
	if (high8)
		return (regs[reg] >> 8) & 0xff;
	return regs[reg] & size_mask(size);
}

void emul_set_reg(u64 *regs, unsigned int reg, bool high8, unsigned int size,
		  u64 val)
{
	if (high8) {
		regs[reg] = (regs[reg] & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	switch (size) {
	case 1:
	case 2:
		/* 8/16-bit writes leave the rest of the register alone. */
		regs[reg] = (regs[reg] & ~size_mask(size)) |
			    (val & size_mask(size));
		break;
	case 4:
		/* 32-bit writes zero bits 63:32. */
		regs[reg] = (u32)val;
		break;
	default:
		regs[reg] = val;
		break;
	}
}

u64 emul_effective_addr(const struct emul_insn *in, const u64 *regs, u64 rip)
{
	u64 ea;

	switch (in->mem_kind) {
	case EMUL_MEM_MOFFS:
		ea = (u64)in->disp;
		break;
	case EMUL_MEM_STRING:
		ea = regs[EMUL_REG_RDI];
		break;
	default:
		ea = (u64)in->disp;
		if (in->base == EMUL_REG_RIP)
			ea += rip + in->len;
		else if (in->base != EMUL_REG_NONE)
			ea += regs[in->base];
		if (in->index != EMUL_REG_NONE)
			ea += regs[in->index] * in->scale;
		break;
	}
	return ea & size_mask(in->addr_size);
}

u64 emul_write_value(const struct emul_insn *in, const u64 *regs)
{
	if (in->flags & EMUL_F_IMM)
		return in->imm & size_mask(in->size);
	if (in->reg == EMUL_REG_NONE)
		return 0;
	return emul_get_reg(regs, in->reg, in->flags & EMUL_F_HIGH8,
			    in->size);
}

void emul_complete_read(const struct emul_insn *in, u64 *regs, u64 data)
{
	u64 val = data & size_mask(in->size);

	if (in->op != EMUL_OP_LOAD || in->reg == EMUL_REG_NONE)
		return;
	if (in->ext == EMUL_EXT_SIGN)
		val = (u64)sign_extend(val, in->size);
	emul_set_reg(regs, in->reg, in->flags & EMUL_F_HIGH8, in->op_size,
		     val);
}
