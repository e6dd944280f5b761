// SPDX-License-Identifier: GPL-2.0
/*
 * The one place the shadowvm tracepoints (trace.h) are instantiated.
 * mmu/internal.h comes first: the events print its enums, and through
 * mmu/host.h it has already declared the events once.
 */
#include "mmu/internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"
