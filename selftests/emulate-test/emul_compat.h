/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel headers module/emulate/emulate.h uses
 * (linux/types.h, errno.h, string.h, bits.h), so the emulator's .c files
 * build unchanged in the test harness.
 */
#ifndef EMUL_COMPAT_H
#define EMUL_COMPAT_H

#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <linux/types.h>

/* The uapi types have the kernel's widths (u64 is unsigned long long). */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define BIT(n)		(1UL << (n))
#define fallthrough	__attribute__((__fallthrough__))

#endif /* EMUL_COMPAT_H */
