// SPDX-License-Identifier: GPL-2.0
/*
 * Table tests for the decoder: encodings written out by hand with the
 * expected length, direction, size, register or immediate and, for loads,
 * the destination register after completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "emulate.h"
#include "emulate_test.h"

enum chk { CHK_NONE, CHK_LOAD, CHK_STORE, CHK_EA, CHK_SEG, CHK_ASIZE };

struct dcase {
	const char *name;
	int ret;
	u8 len, op, size, op_size;
	u16 flags;
	enum chk chk;
	u64 val;	/* LOAD: dest register after completion; STORE: value */
	u8 n;
	u8 b[16];
};

#define BYTES(...) .b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })

#define RD	EMUL_F_READ
#define WR	EMUL_F_WRITE
#define RW	(EMUL_F_READ | EMUL_F_WRITE)
#define IMM	EMUL_F_IMM
#define H8	EMUL_F_HIGH8
#define LK	EMUL_F_LOCK
#define REP	EMUL_F_REP

#define OK(nm, l, o, sz, osz, fl, c, v, ...)				\
	{ .name = nm, .ret = 0, .len = l, .op = EMUL_OP_##o,		\
	  .size = sz, .op_size = osz, .flags = fl, .chk = c, .val = v,	\
	  BYTES(__VA_ARGS__) }
#define BAD(nm, r, ...)	{ .name = nm, .ret = r, BYTES(__VA_ARGS__) }

/*
 * Registers before completion: regs[i] = i * 0x1111111111111111 +
 * 0x0807060504030201 (so every byte of every register differs), read
 * data 0x0123456789abcdef (negative as byte, word and dword).
 */
#define LOAD_DATA	0x0123456789abcdefULL

static const struct dcase cases[] = {
	/* MOV loads: register width rules */
	OK("mov cl,[rbx]", 2, LOAD, 1, 1, RD, CHK_LOAD,
	   0x19181716151413efULL, 0x8a, 0x0b),
	OK("mov ch,[rbx] (high8)", 2, LOAD, 1, 1, RD | H8, CHK_LOAD,
	   0x191817161514ef12ULL, 0x8a, 0x2b),
	OK("mov bpl,[rbx] (REX)", 3, LOAD, 1, 1, RD, CHK_LOAD,
	   0x5d5c5b5a595857efULL, 0x40, 0x8a, 0x2b),
	OK("mov ah,[rsp]", 3, LOAD, 1, 1, RD | H8, CHK_LOAD,
	   0x080706050403ef01ULL, 0x8a, 0x24, 0x24),
	OK("mov cx,[rbx] merges", 3, LOAD, 2, 2, RD, CHK_LOAD,
	   0x191817161514cdefULL, 0x66, 0x8b, 0x0b),
	OK("mov ecx,[rbx] zero-extends", 2, LOAD, 4, 4, RD, CHK_LOAD,
	   0x0000000089abcdefULL, 0x8b, 0x0b),
	OK("mov rcx,[rbx]", 3, LOAD, 8, 8, RD, CHK_LOAD,
	   0x0123456789abcdefULL, 0x48, 0x8b, 0x0b),
	OK("mov r9d,[r11+disp32]", 7, LOAD, 4, 4, RD, CHK_LOAD,
	   0x0000000089abcdefULL, 0x45, 0x8b, 0x8b, 0x00, 0x01, 0x00, 0x00),
	OK("rex.w+66: rex.w wins", 4, LOAD, 8, 8, RD, CHK_LOAD,
	   0x0123456789abcdefULL, 0x66, 0x48, 0x8b, 0x0b),
	OK("rex then 66: rex void", 4, LOAD, 2, 2, RD, CHK_LOAD,
	   0x191817161514cdefULL, 0x48, 0x66, 0x8b, 0x0b),
	/* MOVZX / MOVSX */
	OK("movzx ecx,byte", 3, LOAD, 1, 4, RD, CHK_LOAD, 0xefULL,
	   0x0f, 0xb6, 0x0b),
	OK("movzx cx,byte merges", 4, LOAD, 1, 2, RD, CHK_LOAD,
	   0x19181716151400efULL, 0x66, 0x0f, 0xb6, 0x0b),
	OK("movzx r9d,word", 4, LOAD, 2, 4, RD, CHK_LOAD, 0xcdefULL,
	   0x44, 0x0f, 0xb7, 0x0b),
	OK("movzx rcx,word", 4, LOAD, 2, 8, RD, CHK_LOAD, 0xcdefULL,
	   0x48, 0x0f, 0xb7, 0x0b),
	OK("movsx rcx,byte", 4, LOAD, 1, 8, RD, CHK_LOAD,
	   0xffffffffffffffefULL, 0x48, 0x0f, 0xbe, 0x0b),
	OK("movsx ecx,word", 3, LOAD, 2, 4, RD, CHK_LOAD,
	   0x00000000ffffcdefULL, 0x0f, 0xbf, 0x0b),
	OK("movsx cx,byte merges", 4, LOAD, 1, 2, RD, CHK_LOAD,
	   0x191817161514ffefULL, 0x66, 0x0f, 0xbe, 0x0b),
	OK("movsx rcx,word", 4, LOAD, 2, 8, RD, CHK_LOAD,
	   0xffffffffffffcdefULL, 0x48, 0x0f, 0xbf, 0x0b),
	OK("movsx ecx,byte [rbx+0x7f]", 4, LOAD, 1, 4, RD,
	   CHK_LOAD, 0x00000000ffffffefULL, 0x0f, 0xbe, 0x4b, 0x7f),
	/* moffs: 64-bit address in long mode, 32-bit with 67 */
	OK("mov al,[moffs64]", 9, LOAD, 1, 1, RD, CHK_LOAD,
	   0x08070605040302efULL, 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("mov ax,[moffs64]", 10, LOAD, 2, 2, RD, CHK_LOAD,
	   0x080706050403cdefULL, 0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("mov rax,[moffs64]", 10, LOAD, 8, 8, RD, CHK_LOAD,
	   0x0123456789abcdefULL, 0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("mov eax,[moffs32] (67)", 6, LOAD, 4, 4, RD, CHK_LOAD,
	   0x0000000089abcdefULL, 0x67, 0xa1, 0x88, 0x77, 0x66, 0x55),
	OK("mov [moffs64],al", 9, STORE, 1, 1, WR, CHK_STORE, 0x01,
	   0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("mov [moffs64],rax", 10, STORE, 8, 8, WR, CHK_STORE,
	   0x0807060504030201ULL, 0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("mov [moffs64],eax", 9, STORE, 4, 4, WR, CHK_STORE,
	   0x04030201ULL, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	/* MOV stores */
	OK("mov [rbx],cl", 2, STORE, 1, 1, WR, CHK_STORE, 0x12, 0x88, 0x0b),
	OK("mov [rbx],ch", 2, STORE, 1, 1, WR | H8, CHK_STORE, 0x13,
	   0x88, 0x2b),
	OK("mov [rbx],ah", 2, STORE, 1, 1, WR | H8, CHK_STORE, 0x02,
	   0x88, 0x23),
	OK("mov [rbx],spl", 3, STORE, 1, 1, WR, CHK_STORE, 0x45,
	   0x40, 0x88, 0x23),
	OK("mov [rbx],bpl", 3, STORE, 1, 1, WR, CHK_STORE, 0x56,
	   0x40, 0x88, 0x2b),
	OK("mov [r9],r8b", 3, STORE, 1, 1, WR, CHK_STORE, 0x89,
	   0x45, 0x88, 0x01),
	OK("mov [rbx],cx", 3, STORE, 2, 2, WR, CHK_STORE, 0x1312,
	   0x66, 0x89, 0x0b),
	OK("mov [rbx],ecx", 2, STORE, 4, 4, WR, CHK_STORE, 0x15141312,
	   0x89, 0x0b),
	OK("mov [rbx],rcx", 3, STORE, 8, 8, WR, CHK_STORE,
	   0x1918171615141312ULL, 0x48, 0x89, 0x0b),
	OK("mov [rbx],r9", 3, STORE, 8, 8, WR, CHK_STORE,
	   0xa1a09f9e9d9c9b9aULL, 0x4c, 0x89, 0x0b),
	OK("mov [rbx+rcx*8+0x100],r15d", 8, STORE, 4, 4, WR, CHK_STORE,
	   0x04030200ULL, 0x44, 0x89, 0xbc, 0xcb, 0x00, 0x01, 0x00, 0x00),
	OK("mov byte [rbx],0x85", 3, STORE, 1, 1, WR | IMM, CHK_STORE, 0x85,
	   0xc6, 0x03, 0x85),
	OK("mov word [rbx],0x1234", 5, STORE, 2, 2, WR | IMM, CHK_STORE,
	   0x1234, 0x66, 0xc7, 0x03, 0x34, 0x12),
	OK("mov dword [rbx],0x92345678", 6, STORE, 4, 4, WR | IMM,
	   CHK_STORE, 0x92345678, 0xc7, 0x03, 0x78, 0x56, 0x34, 0x92),
	OK("mov qword [rbx],-16 (sign-extended)", 7, STORE, 8, 8, WR | IMM,
	   CHK_STORE, 0xfffffffffffffff0ULL,
	   0x48, 0xc7, 0x03, 0xf0, 0xff, 0xff, 0xff),
	OK("mov qword [rip+x],imm32", 11, STORE, 8, 8, WR | IMM, CHK_STORE,
	   0x12345678, 0x48, 0xc7, 0x05, 0x10, 0, 0, 0,
	   0x78, 0x56, 0x34, 0x12),
	OK("xrelease mov [rbx],ecx", 3, STORE, 4, 4, WR, CHK_STORE,
	   0x15141312, 0xf3, 0x89, 0x0b),
	OK("13x 66 + mov = 15 bytes", 15, STORE, 2, 2, WR, CHK_STORE, 0x1312,
	   0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	   0x66, 0x66, 0x66, 0x89, 0x0b),
	OK("fs: gs: es: seg prefixes", 5, STORE, 4, 4, WR, CHK_STORE,
	   0x15141312, 0x64, 0x65, 0x26, 0x89, 0x0b),

	/* effective addresses (rip = 0x1000) */
	OK("ea [rbx]", 2, LOAD, 4, 4, RD, CHK_EA, 0x3b3a393837363534ULL,
	   0x8b, 0x0b),
	OK("ea [rip+0x10]", 6, LOAD, 4, 4, RD, CHK_EA, 0x1016,
	   0x8b, 0x05, 0x10, 0x00, 0x00, 0x00),
	OK("ea [rax+rcx*4-8]", 4, LOAD, 4, 4, RD, CHK_EA,
	   0x6c67625d58534e41ULL, 0x8b, 0x44, 0x88, 0xf8),
	OK("ea [ebx] (67 truncates)", 3, LOAD, 4, 4, RD, CHK_EA, 0x37363534,
	   0x67, 0x8b, 0x03),
	OK("ea [disp32] (SIB no base)", 7, LOAD, 4, 4, RD, CHK_EA, 0x1000,
	   0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00),
	OK("ea [r12+disp32] (REX.X index)", 8, LOAD, 4, 4, RD, CHK_EA,
	   0xd4d3d2d1d0cfdecdULL,
	   0x42, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00),
	OK("ea [r13-0x10]", 4, LOAD, 4, 4, RD, CHK_EA, 0xe5e4e3e2e1e0dfceULL,
	   0x41, 0x8b, 0x45, 0xf0),
	OK("ea [r13+0] mod1", 4, LOAD, 4, 4, RD, CHK_EA, 0xe5e4e3e2e1e0dfdeULL,
	   0x41, 0x8b, 0x45, 0x00),
	OK("ea moffs64", 10, LOAD, 8, 8, RD, CHK_EA, 0x1122334455667788ULL,
	   0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	OK("ea moffs32", 6, LOAD, 4, 4, RD, CHK_EA, 0x55667788,
	   0x67, 0xa1, 0x88, 0x77, 0x66, 0x55),
	OK("ea [rip+0x10] after imm", 11, STORE, 8, 8, WR | IMM, CHK_EA,
	   0x101b, 0x48, 0xc7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12),

	/* segments */
	OK("seg default ds", 2, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_DS,
	   0x8b, 0x0b),
	OK("seg [rbp] is ss", 3, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_SS,
	   0x8b, 0x4d, 0x00),
	OK("seg fs", 3, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_FS,
	   0x64, 0x8b, 0x0b),
	OK("seg gs then ds: last wins", 4, LOAD, 4, 4, RD, CHK_SEG,
	   EMUL_SEG_DS, 0x65, 0x3e, 0x8b, 0x0b),
	OK("seg ds then gs", 4, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_GS,
	   0x3e, 0x65, 0x8b, 0x0b),
	OK("stos ignores fs", 2, STOS, 1, 1, WR, CHK_SEG, EMUL_SEG_ES,
	   0x64, 0xaa),
	OK("movs source fs", 3, MOVS, 8, 8, RW, CHK_SEG, EMUL_SEG_FS,
	   0x64, 0x48, 0xa5),

	/* read-modify-write and string instructions */
	OK("lock or [rbx],ecx", 3, ALU, 4, 4, RW | LK, CHK_NONE, 0,
	   0xf0, 0x09, 0x0b),
	OK("cmp [rbx],cl (read only)", 2, ALU, 1, 1, RD, CHK_NONE, 0,
	   0x38, 0x0b),
	OK("lock and qword [rbx],imm32", 8, ALU, 8, 8, RW | LK | IMM,
	   CHK_NONE, 0, 0xf0, 0x48, 0x81, 0x23, 0x00, 0xf0, 0xff, 0xff),
	OK("sub word [rbx],imm8", 4, ALU, 2, 2, RW | IMM, CHK_NONE, 0,
	   0x66, 0x83, 0x2b, 0x80),
	OK("xchg [rbx],ecx (implicit lock)", 2, XCHG, 4, 4, RW | LK,
	   CHK_NONE, 0, 0x87, 0x0b),
	OK("xacquire lock xchg", 4, XCHG, 4, 4, RW | LK, CHK_NONE, 0,
	   0xf2, 0xf0, 0x87, 0x0b),
	OK("lock cmpxchg [rbx],rcx", 5, CMPXCHG, 8, 8, RW | LK, CHK_NONE, 0,
	   0xf0, 0x48, 0x0f, 0xb1, 0x0b),
	OK("lock cmpxchg8b [rbx]", 4, CMPXCHG_DBL, 8, 4, RW | LK, CHK_NONE,
	   0, 0xf0, 0x0f, 0xc7, 0x0b),
	OK("lock cmpxchg16b [rbx]", 5, CMPXCHG_DBL, 16, 8, RW | LK, CHK_NONE,
	   0, 0xf0, 0x48, 0x0f, 0xc7, 0x0b),
	OK("lock bts [rbx],rcx", 5, BT, 8, 8, RW | LK, CHK_NONE, 0,
	   0xf0, 0x48, 0x0f, 0xab, 0x0b),
	OK("btr dword [rbx],5", 4, BT, 4, 4, RW | EMUL_F_BT_IMM, CHK_NONE, 0,
	   0x0f, 0xba, 0x33, 0x05),
	OK("bt [rbx],cx (read only)", 4, BT, 2, 2, RD, CHK_NONE, 0,
	   0x66, 0x0f, 0xa3, 0x0b),
	OK("rep stosq", 3, STOS, 8, 8, WR | REP, CHK_NONE, 0,
	   0xf3, 0x48, 0xab),
	OK("rep movsb", 2, MOVS, 1, 1, RW | REP, CHK_NONE, 0, 0xf3, 0xa4),
	OK("movsw", 2, MOVS, 2, 2, RW, CHK_NONE, 0, 0x66, 0xa5),

	/* refused */
	BAD("lock mov", -EOPNOTSUPP, 0xf0, 0x89, 0x0b),
	BAD("lock cmp", -EOPNOTSUPP, 0xf0, 0x39, 0x0b),
	BAD("lock bt", -EOPNOTSUPP, 0xf0, 0x0f, 0xa3, 0x0b),
	BAD("lock movzx", -EOPNOTSUPP, 0xf0, 0x0f, 0xb6, 0x0b),
	BAD("mov reg,reg (mod 3)", -EOPNOTSUPP, 0x89, 0xc8),
	BAD("xchg reg,reg (mod 3)", -EOPNOTSUPP, 0x87, 0xc8),
	BAD("popcnt (f3 0f b8)", -EOPNOTSUPP, 0xf3, 0x0f, 0xb8, 0x0b),
	BAD("f3 movzx", -EOPNOTSUPP, 0xf3, 0x0f, 0xb6, 0x0b),
	BAD("f2 mov store", -EOPNOTSUPP, 0xf2, 0x89, 0x0b),
	BAD("f3 mov load", -EOPNOTSUPP, 0xf3, 0x8b, 0x0b),
	BAD("repne stos", -EOPNOTSUPP, 0xf2, 0xaa),
	BAD("f2+f3 stos", -EOPNOTSUPP, 0xf2, 0xf3, 0xaa),
	BAD("xabort (c6 /7)", -EOPNOTSUPP, 0xc6, 0xf8, 0x01),
	BAD("c7 /1", -EOPNOTSUPP, 0xc7, 0x0b, 0, 0, 0, 0),
	BAD("66 cmpxchg8b", -EOPNOTSUPP, 0x66, 0x0f, 0xc7, 0x0b),
	BAD("0f c7 /6 (rdrand mem)", -EOPNOTSUPP, 0x0f, 0xc7, 0x33),
	BAD("0f ba /3", -EOPNOTSUPP, 0x0f, 0xba, 0x1b, 0x01),
	BAD("82 (invalid in 64-bit)", -EOPNOTSUPP, 0x82, 0x03, 0x01),
	BAD("ud2", -EOPNOTSUPP, 0x0f, 0x0b),
	BAD("vex c5", -EOPNOTSUPP, 0xc5, 0xf8, 0x77),
	BAD("push [rbx] (ff /6)", -EOPNOTSUPP, 0xff, 0x33),
	BAD("14x 66 + mov = 16 bytes", -EOPNOTSUPP,
	    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	    0x66, 0x66, 0x66, 0x66, 0x89, 0x0b),
	BAD("16 prefixes, more available", -EOPNOTSUPP,
	    0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
	    0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e),
	BAD("truncated modrm", -ENODATA, 0x89),
	BAD("truncated imm32", -ENODATA, 0x48, 0xc7, 0x03, 0x01, 0x00, 0x00),
	BAD("truncated moffs", -ENODATA, 0xa1, 1, 2, 3, 4, 5, 6, 7),
	BAD("truncated sib", -ENODATA, 0x8b, 0x04),
	BAD("only prefixes", -ENODATA, 0x66, 0x48),
};

/*
 * 32-bit mode (CS.D = 1). Same register values as above; every address
 * is truncated to the address size.
 */
static const struct dcase cases32[] = {
	OK("32: mov ecx,[ebx]", 2, LOAD, 4, 4, RD, CHK_LOAD,
	   0x0000000089abcdefULL, 0x8b, 0x0b),
	OK("32: mov cx,[ebx] (66) merges", 3, LOAD, 2, 2, RD, CHK_LOAD,
	   0x191817161514cdefULL, 0x66, 0x8b, 0x0b),
	OK("32: mov ch,[ebx] (high8)", 2, LOAD, 1, 1, RD | H8, CHK_LOAD,
	   0x191817161514ef12ULL, 0x8a, 0x2b),
	OK("32: mov [ebx],dh (no REX: always high8)", 2, STORE, 1, 1,
	   WR | H8, CHK_STORE, 0x24, 0x88, 0x33),
	OK("32: movzx ecx,word", 3, LOAD, 2, 4, RD, CHK_LOAD, 0xcdefULL,
	   0x0f, 0xb7, 0x0b),
	OK("32: movsx cx,byte merges", 4, LOAD, 1, 2, RD, CHK_LOAD,
	   0x191817161514ffefULL, 0x66, 0x0f, 0xbe, 0x0b),
	OK("32: mov dword [ebx],imm32", 6, STORE, 4, 4, WR | IMM, CHK_STORE,
	   0x12345678, 0xc7, 0x03, 0x78, 0x56, 0x34, 0x12),
	OK("32: mov word [ebx],imm16", 5, STORE, 2, 2, WR | IMM, CHK_STORE,
	   0x1234, 0x66, 0xc7, 0x03, 0x34, 0x12),
	OK("32: ea [ebx] truncated", 2, LOAD, 4, 4, RD, CHK_EA, 0x37363534,
	   0x8b, 0x03),
	OK("32: ea [eax+ecx*4-8]", 4, LOAD, 4, 4, RD, CHK_EA, 0x58534e41,
	   0x8b, 0x44, 0x88, 0xf8),
	OK("32: mod0 rm5 is disp32, not rip", 6, STORE, 4, 4, WR, CHK_EA,
	   0x12345678, 0x89, 0x0d, 0x78, 0x56, 0x34, 0x12),
	OK("32: mov eax,[moffs32]", 5, LOAD, 4, 4, RD, CHK_EA, 0x55667788,
	   0xa1, 0x88, 0x77, 0x66, 0x55),
	OK("32: mov [moffs32],al", 5, STORE, 1, 1, WR, CHK_STORE, 0x01,
	   0xa2, 0x88, 0x77, 0x66, 0x55),
	OK("32: mov ax,[moffs16] (67)", 5, LOAD, 2, 2, RD, CHK_EA, 0x7788,
	   0x66, 0x67, 0xa1, 0x88, 0x77),
	OK("32: 67 [bx+si]", 3, LOAD, 4, 4, RD, CHK_EA, 0x9d9b,
	   0x67, 0x8b, 0x00),
	OK("32: 67 [bp-2]", 4, LOAD, 4, 4, RD, CHK_EA, 0x5754,
	   0x67, 0x8b, 0x46, 0xfe),
	OK("32: 67 [bp-2] is ss", 4, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_SS,
	   0x67, 0x8b, 0x46, 0xfe),
	OK("32: 67 [disp16]", 5, LOAD, 4, 4, RD, CHK_EA, 0x1234,
	   0x67, 0x8b, 0x06, 0x34, 0x12),
	OK("32: 67 [disp16] is ds", 5, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_DS,
	   0x67, 0x8b, 0x06, 0x34, 0x12),
	OK("32: 67 [bx+disp16] wraps", 5, LOAD, 4, 4, RD, CHK_EA, 0xb534,
	   0x67, 0x8b, 0x87, 0x00, 0x80),
	OK("32: 67 [bp+si+0x10]", 4, LOAD, 4, 4, RD, CHK_EA, 0xbfcd,
	   0x67, 0x8b, 0x42, 0x10),
	OK("32: seg [ebp] is ss", 3, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_SS,
	   0x8b, 0x45, 0x00),
	OK("32: seg es override", 3, STORE, 4, 4, WR, CHK_SEG, EMUL_SEG_ES,
	   0x26, 0x89, 0x0b),
	OK("32: seg cs override", 3, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_CS,
	   0x2e, 0x8b, 0x0b),
	OK("32: seg ss override", 3, LOAD, 4, 4, RD, CHK_SEG, EMUL_SEG_SS,
	   0x36, 0x8b, 0x0b),
	OK("32: ds override on [ebp]", 4, LOAD, 4, 4, RD, CHK_SEG,
	   EMUL_SEG_DS, 0x3e, 0x8b, 0x45, 0x00),
	OK("32: fs then es: last wins", 4, LOAD, 4, 4, RD, CHK_SEG,
	   EMUL_SEG_ES, 0x64, 0x26, 0x8b, 0x0b),
	OK("32: lock or [ebx],ecx", 3, ALU, 4, 4, RW | LK, CHK_NONE, 0,
	   0xf0, 0x09, 0x0b),
	OK("32: xchg [ebx],ecx", 2, XCHG, 4, 4, RW | LK, CHK_NONE, 0,
	   0x87, 0x0b),
	OK("32: lock cmpxchg [ebx],ecx", 4, CMPXCHG, 4, 4, RW | LK, CHK_NONE,
	   0, 0xf0, 0x0f, 0xb1, 0x0b),
	OK("32: lock cmpxchg8b [ebx]", 4, CMPXCHG_DBL, 8, 4, RW | LK,
	   CHK_NONE, 0, 0xf0, 0x0f, 0xc7, 0x0b),
	OK("32: lock bts [ebx],ecx", 4, BT, 4, 4, RW | LK, CHK_NONE, 0,
	   0xf0, 0x0f, 0xab, 0x0b),
	OK("32: rep stosd", 2, STOS, 4, 4, WR | REP, CHK_ASIZE, 4, 0xf3, 0xab),
	OK("32: 67 rep movsb uses cx/si/di", 3, MOVS, 1, 1, RW | REP,
	   CHK_ASIZE, 2, 0x67, 0xf3, 0xa4),
	BAD("32: 40 is inc eax, not REX", -EOPNOTSUPP, 0x40, 0x89, 0x0b),
	BAD("32: 48 is dec eax, not REX.W", -EOPNOTSUPP, 0x48, 0x8b, 0x0b),
	BAD("32: 4f is dec edi", -EOPNOTSUPP, 0x4f, 0x89, 0x0b),
	BAD("32: cmpxchg16b does not exist", -EOPNOTSUPP,
	    0xf0, 0x48, 0x0f, 0xc7, 0x0b),
	BAD("32: lock mov", -EOPNOTSUPP, 0xf0, 0x89, 0x0b),
	BAD("32: mov reg,reg", -EOPNOTSUPP, 0x89, 0xc8),
	BAD("32: truncated moffs32", -ENODATA, 0xa1, 1, 2, 3),
	BAD("32: truncated 67 disp16", -ENODATA, 0x67, 0x8b, 0x06, 0x34),
};

/* 16-bit mode (CS.D = 0): 66 and 67 select 32 bits. */
static const struct dcase cases16[] = {
	OK("16: mov cx,[bx+si] merges", 2, LOAD, 2, 2, RD, CHK_LOAD,
	   0x191817161514cdefULL, 0x8b, 0x08),
	OK("16: ea [bx+si]", 2, LOAD, 2, 2, RD, CHK_EA, 0x9d9b, 0x8b, 0x08),
	OK("16: mov ecx,[bx] (66)", 3, LOAD, 4, 4, RD, CHK_LOAD,
	   0x0000000089abcdefULL, 0x66, 0x8b, 0x0f),
	OK("16: mov ecx,[ebx] (66 67)", 4, LOAD, 4, 4, RD, CHK_EA,
	   0x37363534, 0x66, 0x67, 0x8b, 0x0b),
	OK("16: mov [disp16],ax", 4, STORE, 2, 2, WR, CHK_EA, 0x1234,
	   0x89, 0x06, 0x34, 0x12),
	OK("16: mov [disp16],ax value", 4, STORE, 2, 2, WR, CHK_STORE, 0x0201,
	   0x89, 0x06, 0x34, 0x12),
	OK("16: mov [bx],dh", 2, STORE, 1, 1, WR | H8, CHK_STORE, 0x24,
	   0x88, 0x37),
	OK("16: mov al,[moffs16]", 3, LOAD, 1, 1, RD, CHK_EA, 0x1234,
	   0xa0, 0x34, 0x12),
	OK("16: mov ax,[moffs32] (67)", 6, LOAD, 2, 2, RD, CHK_EA, 0x12345678,
	   0x67, 0xa1, 0x78, 0x56, 0x34, 0x12),
	OK("16: mov word [bx],imm16", 4, STORE, 2, 2, WR | IMM, CHK_STORE,
	   0x1234, 0xc7, 0x07, 0x34, 0x12),
	OK("16: mov dword [bx],imm32 (66)", 7, STORE, 4, 4, WR | IMM,
	   CHK_STORE, 0x12345678, 0x66, 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12),
	OK("16: add word [bx],-1", 3, ALU, 2, 2, RW | IMM, CHK_STORE, 0xffff,
	   0x83, 0x07, 0xff),
	OK("16: mod0 rm6 is disp16, ds", 4, LOAD, 2, 2, RD, CHK_SEG,
	   EMUL_SEG_DS, 0x8b, 0x0e, 0x00, 0x10),
	OK("16: [bp+0]", 3, LOAD, 2, 2, RD, CHK_EA, 0x5756, 0x8b, 0x4e, 0x00),
	OK("16: [bp+0] is ss", 3, LOAD, 2, 2, RD, CHK_SEG, EMUL_SEG_SS,
	   0x8b, 0x4e, 0x00),
	OK("16: [bp+di+0x10]", 3, LOAD, 2, 2, RD, CHK_EA, 0xd0de,
	   0x8b, 0x4b, 0x10),
	OK("16: cs override", 3, LOAD, 2, 2, RD, CHK_SEG, EMUL_SEG_CS,
	   0x2e, 0x8b, 0x07),
	OK("16: movzx cx,byte", 3, LOAD, 1, 2, RD, CHK_LOAD,
	   0x19181716151400efULL, 0x0f, 0xb6, 0x0f),
	OK("16: movzx ecx,byte (66)", 4, LOAD, 1, 4, RD, CHK_LOAD, 0xef,
	   0x66, 0x0f, 0xb6, 0x0f),
	OK("16: rep stosw", 2, STOS, 2, 2, WR | REP, CHK_ASIZE, 2, 0xf3, 0xab),
	OK("16: 67 rep stosd uses ecx/edi", 4, STOS, 4, 4, WR | REP,
	   CHK_ASIZE, 4, 0x66, 0x67, 0xf3, 0xab),
	OK("16: lock cmpxchg8b [bx]", 4, CMPXCHG_DBL, 8, 4, RW | LK,
	   CHK_NONE, 0, 0xf0, 0x0f, 0xc7, 0x0f),
	OK("16: lock btr word [bx],3", 5, BT, 2, 2, RW | LK | EMUL_F_BT_IMM,
	   CHK_NONE, 0, 0xf0, 0x0f, 0xba, 0x37, 0x03),
	BAD("16: 40 is inc ax, not REX", -EOPNOTSUPP, 0x40, 0x89, 0x07),
	BAD("16: truncated disp16", -ENODATA, 0x8b, 0x06, 0x34),
};

static u64 test_regs(unsigned int i)
{
	return i * 0x1111111111111111ULL + 0x0807060504030201ULL;
}

static int check_case(const struct dcase *c, enum emul_mode mode, char *why,
		      size_t wlen)
{
	struct emul_insn in;
	u64 regs[16], v;
	unsigned int i;
	int ret;

	ret = emul_decode(c->b, c->n, mode, &in);
	if (ret != c->ret) {
		snprintf(why, wlen, "ret %d, want %d", ret, c->ret);
		return -1;
	}
	if (ret)
		return 0;
	if (in.len != c->len || in.op != c->op || in.size != c->size ||
	    in.op_size != c->op_size || in.flags != c->flags) {
		snprintf(why, wlen,
			 "len %u op %u size %u op_size %u flags %#x; want %u %u %u %u %#x",
			 in.len, in.op, in.size, in.op_size, in.flags,
			 c->len, c->op, c->size, c->op_size, c->flags);
		return -1;
	}
	for (i = 0; i < 16; i++)
		regs[i] = test_regs(i);
	switch (c->chk) {
	case CHK_LOAD:
		emul_complete_read(&in, regs, LOAD_DATA);
		v = regs[in.reg];
		for (i = 0; i < 16; i++) {
			if (i != in.reg && regs[i] != test_regs(i)) {
				snprintf(why, wlen, "reg %u clobbered", i);
				return -1;
			}
		}
		break;
	case CHK_STORE:
		v = emul_write_value(&in, regs);
		break;
	case CHK_EA:
		v = emul_effective_addr(&in, regs, 0x1000);
		break;
	case CHK_SEG:
		v = in.seg;
		break;
	case CHK_ASIZE:
		v = in.addr_size;
		break;
	default:
		return 0;
	}
	if (v != c->val) {
		snprintf(why, wlen, "value %#llx, want %#llx",
			 (unsigned long long)v, (unsigned long long)c->val);
		return -1;
	}
	return 0;
}

static void run_table(const struct dcase *tab, unsigned int n,
		      enum emul_mode mode)
{
	char why[200];
	unsigned int i;

	for (i = 0; i < n; i++) {
		bool ok;

		why[0] = 0;
		ok = check_case(&tab[i], mode, why, sizeof(why)) == 0;
		if (ok)
			tap_result(ok, "decode: %s", tab[i].name);
		else
			tap_result(ok, "decode: %s - %s", tab[i].name, why);
	}
}

void run_decode_tables(void)
{
	static const u8 mov[] = { 0x89, 0x0b };
	struct emul_insn in;
	int ret;

	run_table(cases, ARRAY_SIZE(cases), EMUL_MODE_64);
	run_table(cases32, ARRAY_SIZE(cases32), EMUL_MODE_32);
	run_table(cases16, ARRAY_SIZE(cases16), EMUL_MODE_16);

	/* A mode number outside the enum is refused, not guessed. */
	ret = emul_decode(mov, sizeof(mov), (enum emul_mode)7, &in);
	tap_result(ret == -EOPNOTSUPP, "decode: unknown mode refused (%d)",
		   ret);
}

/*
 * Random byte strings: decoding must never read past avail or 15 bytes
 * (ASan watches the heap copy), and every accepted decode must be
 * self-consistent: same result with avail == len, -ENODATA with one byte
 * less, sizes and registers in range.
 */
static u64 fuzz_rng = 0x1234567;

static u8 fuzz_byte(void)
{
	static const u8 favourites[] = {
		0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x64, 0x65, 0x48, 0x41,
		0x0f, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0xa1, 0xa3, 0x87,
		0x81, 0x83, 0x09, 0xab, 0xba, 0xb1, 0xc7, 0x04, 0x05, 0x44,
	};

	fuzz_rng = fuzz_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	if ((fuzz_rng >> 60) < 6)
		return favourites[(fuzz_rng >> 32) % ARRAY_SIZE(favourites)];
	return fuzz_rng >> 40;
}

static bool fuzz_one(enum emul_mode mode, bool *accepted, char *why,
		     size_t wlen)
{
	unsigned int nregs = mode == EMUL_MODE_64 ? EMUL_NR_REGS : 8;
	unsigned int avail = 1 + fuzz_byte() % EMUL_MAX_INSN_LEN, i;
	struct emul_insn in, in2;
	bool ok = false;
	u8 *buf;
	int ret;

	/* exactly avail bytes on the heap: any overread is an ASan report */
	buf = malloc(avail);
	if (!buf)
		return false;
	for (i = 0; i < avail; i++)
		buf[i] = fuzz_byte();
	ret = emul_decode(buf, avail, mode, &in);
	*accepted = !ret;
	if (ret == -EOPNOTSUPP || ret == -ENODATA) {
		ok = true;
		goto out;
	}
	if (ret) {
		snprintf(why, wlen, "unexpected ret %d", ret);
		goto out;
	}
	if (!in.len || in.len > avail ||
	    (in.size != 1 && in.size != 2 && in.size != 4 && in.size != 8 &&
	     in.size != 16) ||
	    (in.reg != EMUL_REG_NONE && in.reg >= nregs) ||
	    (in.index != EMUL_REG_NONE && in.index >= nregs) ||
	    (in.base != EMUL_REG_NONE && in.base >= nregs &&
	     !(mode == EMUL_MODE_64 && in.base == EMUL_REG_RIP)) ||
	    in.seg >= EMUL_NR_SEGS || in.mode != mode ||
	    (mode != EMUL_MODE_64 && (in.size == 16 || in.op_size == 8 ||
				      in.addr_size == 8)) ||
	    !(in.flags & (EMUL_F_READ | EMUL_F_WRITE))) {
		snprintf(why, wlen, "insane decode: len %u size %u reg %u",
			 in.len, in.size, in.reg);
		goto out;
	}
	if (emul_decode(buf, in.len, mode, &in2) ||
	    memcmp(&in, &in2, sizeof(in))) {
		snprintf(why, wlen, "differs with avail == len");
		goto out;
	}
	ret = emul_decode(buf, in.len - 1, mode, &in2);
	if (ret != -ENODATA) {
		snprintf(why, wlen, "avail len-1 gives %d", ret);
		goto out;
	}
	ok = true;
out:
	free(buf);
	return ok;
}

static const char *const mode_name[] = {
	[EMUL_MODE_64] = "64-bit", [EMUL_MODE_32] = "32-bit",
	[EMUL_MODE_16] = "16-bit",
};

void run_decode_fuzz(unsigned int rounds)
{
	enum emul_mode mode;

	for (mode = EMUL_MODE_64; mode <= EMUL_MODE_16; mode++) {
		unsigned int i, accepted = 0;
		char why[120] = "";
		bool ok = true, acc;

		for (i = 0; i < rounds && ok; i++) {
			ok = fuzz_one(mode, &acc, why, sizeof(why));
			accepted += acc;
		}
		printf("# fuzz %s: %u rounds, %u accepted\n", mode_name[mode],
		       i, accepted);
		tap_result(ok && i == rounds, "decode: random bytes, %s %s",
			   mode_name[mode], why);
	}
}

/*
 * Lengths against an independent decoder: every accepted random encoding
 * goes into its own 16-byte slot (padded with NOPs) of a flat file that
 * objdump disassembles. objdump must start an instruction at the slot and
 * the next one exactly len bytes later, and must not call it "(bad)".
 */
#define SLOTS	4000

static bool is_legacy_prefix(u8 b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3 || b == 0x26 || b == 0x2e || b == 0x36 ||
	       b == 0x3e || b == 0x64 || b == 0x65;
}

/*
 * A REX followed by another prefix is void; the CPU skips it as part of
 * the instruction but objdump prints it as an instruction of its own, so
 * those encodings cannot be compared (the table covers them).
 */
static bool void_rex(const u8 *b)
{
	unsigned int i;

	for (i = 0; i + 1 < EMUL_MAX_INSN_LEN; i++) {
		bool rex = (b[i] & 0xf0) == 0x40;

		if (!rex && !is_legacy_prefix(b[i]))
			return false;
		if (rex && ((b[i + 1] & 0xf0) == 0x40 ||
			    is_legacy_prefix(b[i + 1])))
			return true;
	}
	return false;
}

static void objdump_lengths(enum emul_mode mode)
{
	static const char *const machine[] = {
		[EMUL_MODE_64] = "-m i386:x86-64",
		[EMUL_MODE_32] = "-m i386",
		[EMUL_MODE_16] = "-m i386 -M addr16,data16",
	};
	static u8 slot_len[SLOTS];
	char path[] = "/tmp/emulate-test-XXXXXX", cmd[240], line[512];
	static u8 image[SLOTS * 16];
	unsigned int n = 0, bad = 0, starts = 0;
	struct emul_insn in;
	u8 buf[16];
	FILE *f;
	int fd;

	while (n < SLOTS) {
		unsigned int i;

		for (i = 0; i < EMUL_MAX_INSN_LEN; i++)
			buf[i] = fuzz_byte();
		if (emul_decode(buf, EMUL_MAX_INSN_LEN, mode, &in) ||
		    (mode == EMUL_MODE_64 && void_rex(buf)))
			continue;
		memset(image + 16 * n, 0x90, 16);
		memcpy(image + 16 * n, buf, in.len);
		slot_len[n++] = in.len;
	}
	fd = mkstemp(path);
	if (fd < 0 || write(fd, image, sizeof(image)) != sizeof(image)) {
		tap_result(false, "decode: %s lengths vs objdump (temp file)",
			   mode_name[mode]);
		return;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D --insn-width=16 -b binary %s %s 2>/dev/null",
		 machine[mode], path);
	f = popen(cmd, "r");
	if (!f) {
		unlink(path);
		tap_result(true, "decode: %s lengths vs objdump # SKIP no popen",
			   mode_name[mode]);
		return;
	}
	/* Lines look like "     1f0:\t66 89 0b    \tmov %cx,(%rbx)". */
	{
		static u8 is_start[SLOTS * 16 + 1];
		static u8 is_bad[SLOTS * 16 + 1];
		unsigned int k;

		/* static: reused by the next mode's run */
		memset(is_start, 0, sizeof(is_start));
		memset(is_bad, 0, sizeof(is_bad));
		while (fgets(line, sizeof(line), f)) {
			unsigned long off;
			char *end;

			off = strtoul(line, &end, 16);
			if (end == line || *end != ':' || off >= sizeof(image))
				continue;
			is_start[off] = 1;
			is_bad[off] = !!strstr(line, "(bad)");
			starts++;
		}
		is_start[sizeof(image)] = 1;
		for (k = 0; k < n; k++) {
			unsigned int o = 16 * k, j;
			bool ok = is_start[o] && !is_bad[o] &&
				  is_start[o + slot_len[k]];

			for (j = o + 1; j < o + slot_len[k]; j++)
				ok = ok && !is_start[j];
			if (!ok && bad++ < 5) {
				printf("# objdump disagrees on slot %u (len %u):",
				       k, slot_len[k]);
				for (j = 0; j < slot_len[k]; j++)
					printf(" %02x", image[o + j]);
				printf("\n");
			}
		}
	}
	pclose(f);
	unlink(path);
	if (!starts) {
		tap_result(true, "decode: %s lengths vs objdump # SKIP no objdump",
			   mode_name[mode]);
		return;
	}
	tap_result(!bad, "decode: %s: %u random encodings' lengths agree with objdump (%u differ)",
		   mode_name[mode], n, bad);
}

void run_objdump_lengths(void)
{
	objdump_lengths(EMUL_MODE_64);
	objdump_lengths(EMUL_MODE_32);
	objdump_lengths(EMUL_MODE_16);
}

