// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi structures have the sizes and offsets uapi_layout.h writes
 * down: a field added, moved or resized by accident breaks the build
 * instead of every existing binary.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <uapi/linux/shadowvm.h>

#include "uapi_check.h"

#define SHVM_UAPI_SIZE(tag, bytes)	BUILD_BUG_ON(sizeof(struct tag) != (bytes))
#define SHVM_UAPI_OFF(tag, member, off) \
	BUILD_BUG_ON(offsetof(struct tag, member) != (off))

void shvm_uapi_check(void)
{
#include "uapi_layout.h"
	/* The deprecated statistics array is as long as its enum allows. */
	BUILD_BUG_ON(SHADOWVM_STAT_NR > SHADOWVM_STATS_NR);
}
