/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tools' version string. The build passes -DSHADOWVM_VERSION from the
 * top-level VERSION file when there is one; this is the fallback.
 */
#ifndef SHADOWVM_USER_VERSION_H
#define SHADOWVM_USER_VERSION_H

#ifndef SHADOWVM_VERSION
#define SHADOWVM_VERSION "0.2.0"
#endif

#endif /* SHADOWVM_USER_VERSION_H */
