/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the model's tests. */
#ifndef MMU_MODEL_TAP_H
#define MMU_MODEL_TAP_H

#include <stdio.h>

extern int tap_failed_checks;

/* A check inside a test: reports where it failed, keeps going. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			tap_failed_checks++;				\
			printf("#   %s:%d: check failed: %s\n",		\
			       __FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long _a = (a), _b = (b);			\
		if (_a != _b) {						\
			tap_failed_checks++;				\
			printf("#   %s:%d: %s == %#llx, expected %s == %#llx\n", \
			       __FILE__, __LINE__, #a, _a, #b, _b);	\
		}							\
	} while (0)

#endif
