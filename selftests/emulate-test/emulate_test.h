/* SPDX-License-Identifier: GPL-2.0 */
/* Shared bits of the emulator test program. */
#ifndef EMULATE_TEST_H
#define EMULATE_TEST_H

#include <stdbool.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Print one TAP line "ok N - ..." or "not ok N - ..." and count it. */
void tap_result(bool ok, const char *fmt, ...);

void run_decode_tables(void);
void run_decode_fuzz(unsigned int rounds);
void run_objdump_lengths(void);
void run_native_tests(unsigned int iterations, unsigned int seed);
void run_execute_unit_tests(void);

#endif /* EMULATE_TEST_H */
