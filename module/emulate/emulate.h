/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder and emulator for the accesses shadowvm has to
 * handle itself: MMIO (guest-physical addresses outside every memory slot),
 * writes to read-only slots, and (later) writes to write-protected guest
 * page tables.
 *
 * The code depends only on the few headers below so that the same .c files
 * build in the kernel module and in the userspace test harness
 * (selftests/emulate-test), which compares the emulator against the CPU.
 *
 * Flow for an access whose value crosses to userspace (MMIO):
 *
 *	emul_decode(bytes, n, EMUL_MODE_64, &in)	length, size, direction
 *	if (in.flags & EMUL_F_WRITE)			store: the value
 *		val = emul_write_value(&in, regs);
 *	... userspace supplies read data ...
 *	emul_complete_read(&in, regs, data);		load: register update
 *	rip += in.len;
 *
 * Instructions that both read and write memory (EMUL_F_READ|EMUL_F_WRITE,
 * e.g. LOCK OR, XCHG, CMPXCHG) and string instructions are not usable with
 * that flow; they go through emul_execute() with memory callbacks.
 *
 * Every function decides from its arguments only; nothing here keeps state.
 */
#ifndef SHADOWVM_EMULATE_H
#define SHADOWVM_EMULATE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/bits.h>
#else
#include "emul_compat.h"
#endif

/* Longest legal x86 instruction; longer encodings raise #GP on the CPU. */
#define EMUL_MAX_INSN_LEN	15

/*
 * CPU mode the instruction was fetched in. It selects the default operand
 * and address sizes and whether 0x40-0x4f are REX prefixes.
 *
 * EMUL_MODE_32 / EMUL_MODE_16: default operand and address size 32 / 16,
 * 66 and 67 switch to the other one (67 with 16 bits means the 16-bit
 * ModRM forms), no REX (0x40-0x4f are INC/DEC, refused), no RIP-relative
 * addressing (mod 0 rm 5 is an absolute disp32), moffs of the address
 * size, ES/CS/SS/DS overrides select their segment, CMPXCHG16B does not
 * exist. Linear addresses and EIP/IP wrap at 32/16 bits.
 *
 * Registers stay u64 in every mode. Bits 63:32 are not visible outside
 * long mode (and undefined after leaving it); the emulator applies the
 * same rule as on a 64-bit CPU: 8/16-bit writes keep the rest of the
 * register, 32-bit writes zero bits 63:32. So a guest mode switch never
 * depends on what the emulator did to the upper halves.
 */
enum emul_mode {
	EMUL_MODE_64,		/* long mode, CS.L = 1 */
	EMUL_MODE_32,		/* protected or compatibility mode, CS.D = 1 */
	EMUL_MODE_16,		/* real mode or CS.D = 0 */
};

/* Register numbers: the x86 encoding order, index into a u64 regs[16]. */
enum emul_reg {
	EMUL_REG_RAX, EMUL_REG_RCX, EMUL_REG_RDX, EMUL_REG_RBX,
	EMUL_REG_RSP, EMUL_REG_RBP, EMUL_REG_RSI, EMUL_REG_RDI,
	EMUL_REG_R8, EMUL_REG_R9, EMUL_REG_R10, EMUL_REG_R11,
	EMUL_REG_R12, EMUL_REG_R13, EMUL_REG_R14, EMUL_REG_R15,
	EMUL_NR_REGS,
	EMUL_REG_RIP = EMUL_NR_REGS,	/* only as emul_insn.base */
	EMUL_REG_NONE = 0xff,
};

/* Segment of the memory operand (encoding order of the sreg field). */
enum emul_seg {
	EMUL_SEG_ES, EMUL_SEG_CS, EMUL_SEG_SS, EMUL_SEG_DS,
	EMUL_SEG_FS, EMUL_SEG_GS,
	EMUL_NR_SEGS,
};

enum emul_op {
	EMUL_OP_NONE,
	EMUL_OP_LOAD,		/* reg = ext(mem): 8A 8B A0 A1 0F B6/B7/BE/BF */
	EMUL_OP_STORE,		/* mem = reg or imm: 88 89 A2 A3 C6 C7 */
	EMUL_OP_ALU,		/* mem = mem <alu> src, flags (alu: EMUL_ALU_*) */
	EMUL_OP_XCHG,		/* 86 87 */
	EMUL_OP_CMPXCHG,	/* 0F B0 B1 */
	EMUL_OP_CMPXCHG_DBL,	/* 0F C7 /1: CMPXCHG8B, with REX.W 16B */
	EMUL_OP_BT,		/* alu: EMUL_BT_* (0F A3 AB B3 BB, 0F BA) */
	EMUL_OP_STOS,		/* AA AB, optionally REP */
	EMUL_OP_MOVS,		/* A4 A5, optionally REP */
};

/* emul_insn.alu for EMUL_OP_ALU: the /reg field of 80/81/83. */
enum emul_alu {
	EMUL_ALU_ADD, EMUL_ALU_OR, EMUL_ALU_ADC, EMUL_ALU_SBB,
	EMUL_ALU_AND, EMUL_ALU_SUB, EMUL_ALU_XOR, EMUL_ALU_CMP,
};

/* emul_insn.alu for EMUL_OP_BT: the /reg field of 0F BA. */
enum emul_bt {
	EMUL_BT_BT = 4, EMUL_BT_BTS, EMUL_BT_BTR, EMUL_BT_BTC,
};

/* How a load widens memory into the register (EMUL_OP_LOAD). */
enum emul_ext {
	EMUL_EXT_NONE,		/* size == op_size */
	EMUL_EXT_ZERO,		/* MOVZX */
	EMUL_EXT_SIGN,		/* MOVSX */
};

/* Where the memory operand's address comes from. */
enum emul_mem_kind {
	EMUL_MEM_MODRM,		/* base + index * scale + disp */
	EMUL_MEM_MOFFS,		/* absolute offset in disp (A0-A3) */
	EMUL_MEM_STRING,	/* RSI (source) / RDI (destination) */
};

/* emul_insn.flags */
#define EMUL_F_READ	BIT(0)	/* reads the memory operand */
#define EMUL_F_WRITE	BIT(1)	/* may write the memory operand */
#define EMUL_F_IMM	BIT(2)	/* source is imm, not reg */
#define EMUL_F_HIGH8	BIT(3)	/* reg is AH/CH/DH/BH: bits 15:8 of reg - 4 */
#define EMUL_F_LOCK	BIT(4)	/* LOCK prefix, or XCHG's implicit lock */
#define EMUL_F_REP	BIT(5)	/* F3 on a string instruction */
#define EMUL_F_BT_IMM	BIT(6)	/* BT* bit offset is imm (0F BA), not reg */

/*
 * A decoded instruction. The memory operand is "the" operand that faulted:
 * exactly one per instruction (MOVS has two; its source is read through
 * the callbacks as well).
 */
struct emul_insn {
	u8 len;			/* total length in bytes, prefixes included */
	u8 mode;		/* enum emul_mode it was decoded for */
	u8 op;			/* enum emul_op */
	u8 alu;			/* enum emul_alu / enum emul_bt */
	u16 flags;		/* EMUL_F_* */
	u8 size;		/* bytes of memory accessed: 1 2 4 8 16 */
	u8 op_size;		/* register operand width: 1 2 4 8 */
	u8 ext;			/* enum emul_ext (loads) */
	u8 addr_size;		/* 2 4 8: truncates the effective address */
	u8 reg;			/* register operand (enum emul_reg) or NONE */
	u8 seg;			/* enum emul_seg of the memory operand */
	u8 mem_kind;		/* enum emul_mem_kind */
	u8 base;		/* EMUL_MEM_MODRM: enum emul_reg, NONE, RIP */
	u8 index;		/* EMUL_MEM_MODRM: enum emul_reg or NONE */
	u8 scale;		/* 1 2 4 8 */
	s64 disp;		/* displacement, or the moffs value */
	u64 imm;		/* immediate, sign-extended to op_size, masked */
};

/*
 * Decode the instruction in insn[0..avail). Returns 0 and fills *out, or
 * -EOPNOTSUPP for anything not implemented or not a valid encoding (a LOCK
 * or REP that would raise #UD, a register-only form that cannot have
 * faulted on memory, longer than 15 bytes, an unsupported mode), or
 * -ENODATA if the encoding needs more than avail bytes (the caller may
 * fetch more and retry). Never guesses.
 */
int emul_decode(const u8 *insn, unsigned int avail, enum emul_mode mode,
		struct emul_insn *out);

/*
 * Effective address (offset within the segment, before adding the segment
 * base) of the memory operand, truncated to the address size. rip is the
 * address of the instruction itself. For EMUL_MEM_STRING it is the
 * destination, ES:RDI.
 */
u64 emul_effective_addr(const struct emul_insn *in, const u64 *regs, u64 rip);

/* The value an EMUL_OP_STORE writes, masked to in->size bytes. */
u64 emul_write_value(const struct emul_insn *in, const u64 *regs);

/*
 * Finish an EMUL_OP_LOAD with data read from memory (low in->size bytes
 * used): extends it and writes the destination register following the
 * x86-64 rules (32-bit writes zero bits 63:32, 8/16-bit writes merge).
 */
void emul_complete_read(const struct emul_insn *in, u64 *regs, u64 data);

/* Store a value into a register with the same width rules. */
void emul_set_reg(u64 *regs, unsigned int reg, bool high8, unsigned int size,
		  u64 val);
/* Read a register operand, masked to size bytes. */
u64 emul_get_reg(const u64 *regs, unsigned int reg, bool high8,
		 unsigned int size);

/* ---- execute: read-modify-write and string instructions ---- */

/* Arithmetic flags in RFLAGS that emul_execute computes. */
#define EMUL_FLAG_CF	BIT(0)
#define EMUL_FLAG_PF	BIT(2)
#define EMUL_FLAG_AF	BIT(4)
#define EMUL_FLAG_ZF	BIT(6)
#define EMUL_FLAG_SF	BIT(7)
#define EMUL_FLAG_DF	BIT(10)
#define EMUL_FLAG_OF	BIT(11)
#define EMUL_FLAGS_ARITH	(EMUL_FLAG_CF | EMUL_FLAG_PF | EMUL_FLAG_AF | \
				 EMUL_FLAG_ZF | EMUL_FLAG_SF | EMUL_FLAG_OF)

/* The guest state emul_execute reads and updates. */
struct emul_cpu {
	u64 regs[EMUL_NR_REGS];
	u64 rip;		/* address of the instruction */
	u64 rflags;
	/*
	 * Linear base of each segment. In 64-bit mode only FS and GS are
	 * used; the others count as 0 whatever is stored here. Limits are
	 * not checked: the caller validates the access it was given.
	 */
	u64 seg_base[EMUL_NR_SEGS];
};

/*
 * Guest linear memory, little-endian bytes. The emulator passes whole
 * operands; an access may cross a page boundary, the callee splits it.
 * Return 0 or a negative errno, which emul_execute returns unchanged
 * (the caller injects a fault or exits to userspace as it sees fit).
 *
 * cmpxchg (optional, used for locked instructions when present): if the
 * len bytes at la equal old, store new and return 0; if they differ,
 * return -EAGAIN without storing. Without it, locked instructions use
 * read then write (correct only when nothing else writes concurrently).
 */
struct emul_mem_ops {
	int (*read)(void *opaque, u64 la, void *buf, unsigned int len);
	int (*write)(void *opaque, u64 la, const void *buf, unsigned int len);
	int (*cmpxchg)(void *opaque, u64 la, const void *old, const void *new,
		       unsigned int len);
};

/* emul_execute returned: REP made progress, not finished; run it again. */
#define EMUL_CONTINUE	1

/* How often a locked instruction retries a lost cmpxchg race. */
#define EMUL_LOCK_RETRIES	16

/*
 * Execute a decoded instruction against *cpu and memory. Every op
 * emul_decode produces is handled, loads and stores included (the path
 * for page-table writes, where the emulator owns the memory access).
 * max_rep bounds the iterations of one REP call (0 counts as 1).
 *
 * Returns 0 when the instruction completed (cpu->rip advanced past it),
 * EMUL_CONTINUE when a REP string instruction did max_rep iterations
 * (registers reflect them, rip unchanged: call again or resume the guest,
 * which re-executes the rest), -EOPNOTSUPP for an op it does not handle,
 * -EINVAL where the CPU raises #GP(0) (misaligned CMPXCHG16B), -EAGAIN if
 * a locked update lost EMUL_LOCK_RETRIES races, or a callback's error.
 * On any error return nothing in *cpu has changed except for completed
 * REP iterations; memory is written only by the last callback of an
 * iteration, so a failed iteration has no effect.
 *
 * Flags: the defined arithmetic flags are computed exactly; flags the SDM
 * calls undefined are left as they were except for AND/OR/XOR, whose AF is
 * cleared as current Intel and AMD CPUs do.
 */
int emul_execute(const struct emul_insn *in, struct emul_cpu *cpu,
		 const struct emul_mem_ops *ops, void *opaque,
		 unsigned int max_rep);

#endif /* SHADOWVM_EMULATE_H */
