// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled with gcc -m32 only (user/Makefile): every uapi structure has
 * the size and offsets module/uapi_layout.h writes down, which the module
 * checks for 64 bits. Equal layouts are what lets compat_ioctl pass
 * 32-bit callers' arguments through unchanged.
 */
#include <stddef.h>
#include <linux/shadowvm.h>

#if !defined(__i386__)
#error "build this file with -m32"
#endif

#define SHVM_UAPI_SIZE(tag, bytes) \
	_Static_assert(sizeof(struct tag) == (bytes), "size of " #tag)
#define SHVM_UAPI_OFF(tag, member, off) \
	_Static_assert(offsetof(struct tag, member) == (off), #tag "." #member)

#include "uapi_layout.h"
