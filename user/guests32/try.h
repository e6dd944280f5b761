/* SPDX-License-Identifier: GPL-2.0 */
/* Operations of try_access() (entry32.S), shared by C and assembly. */
#ifndef SHADOWVM_GUEST_TRY_H
#define SHADOWVM_GUEST_TRY_H

#define TRY_READ32	0
#define TRY_WRITE32	1
#define TRY_CALL	2
#define TRY_LOAD_CR3	3
#define TRY_READ8	4
#define TRY_WRITE8	5

#endif /* SHADOWVM_GUEST_TRY_H */
