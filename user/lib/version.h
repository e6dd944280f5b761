/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tools' version string: user/Makefile passes -DSHADOWVM_VERSION from
 * the top-level file VERSION, the one version of the module, the tools and
 * dkms.conf (make check's packaging source checks that they agree).
 */
#ifndef SHADOWVM_USER_VERSION_H
#define SHADOWVM_USER_VERSION_H

#ifndef SHADOWVM_VERSION
#error "SHADOWVM_VERSION comes from the file VERSION (user/Makefile)"
#endif

#endif /* SHADOWVM_USER_VERSION_H */
