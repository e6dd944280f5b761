/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SHADOWVM_UAPI_CHECK_H
#define SHADOWVM_UAPI_CHECK_H

/* Build-time checks of the uapi layouts; does nothing at run time. */
void shvm_uapi_check(void);

#endif /* SHADOWVM_UAPI_CHECK_H */
