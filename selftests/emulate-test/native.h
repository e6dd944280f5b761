/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by native.c and the records its assembler macro emits. */
#ifndef EMULATE_TEST_NATIVE_H
#define EMULATE_TEST_NATIVE_H

#include "emulate.h"

/* Register file the asm harnesses load and store (RSP is not touched). */
struct nstate {
	u64 regs[16];
	u64 rflags;
};

/*
 * One record per instruction, emitted by the assembler macro in native.c into
 * the section nat_tests, in source order.
 */
struct ntest {
	void (*fn)(struct nstate *s);
	const u8 *start, *end;	/* the instruction's bytes */
	const char *name;	/* its source text */
	u64 kind;		/* K_* */
	u64 bt_undef;		/* OF SF AF PF undefined (BT*): not compared */
};

/* The linker delimits the section nat_tests with these. */
extern const struct ntest __start_nat_tests[], __stop_nat_tests[];

#endif /* EMULATE_TEST_NATIVE_H */
