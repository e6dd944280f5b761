/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reader of shadowvm's self-describing statistics: a stats fd
 * (SHADOWVM_GET_STATS_FD on a VM or vCPU fd) or the same bytes in
 * debugfs (/sys/kernel/debug/shadowvm/<pid>-<id>/stats). The header and
 * descriptors are read and checked once; svm_stats_read() refreshes the
 * values. Functions return 0 or -errno (-EPROTO: the header or a
 * descriptor does not make sense).
 */
#ifndef SHADOWVM_USER_STATS_H
#define SHADOWVM_USER_STATS_H

#include <stdint.h>
#include <linux/shadowvm.h>

struct svm_stat_desc {
	char name[SHADOWVM_STATS_NAME_SIZE];
	uint32_t flags;			/* SHADOWVM_STATS_TYPE_* | _UNIT_* */
	uint32_t offset;		/* of its first value in the data area */
	uint16_t size;			/* number of values */
};

struct svm_stats {
	int fd;
	struct shadowvm_stats_header hdr;
	char id[SHADOWVM_STATS_NAME_SIZE];
	uint32_t num_desc;
	struct svm_stat_desc *desc;
	uint64_t *data;			/* hdr.data_size bytes */
};

/* SHADOWVM_GET_STATS_FD on a VM or vCPU fd: a new stats fd or -errno. */
int svm_get_stats_fd(int fd);
/* Read the header and descriptors of @fd; @s owns @fd from now on. */
int svm_stats_open(struct svm_stats *s, int fd);
/* Refresh all values (one pread of the data area). */
int svm_stats_read(struct svm_stats *s);
/* First value of descriptor @i (after svm_stats_read()). */
uint64_t svm_stats_value(const struct svm_stats *s, uint32_t i);
/* Index of the descriptor named @name, or -ENOENT. */
int svm_stats_find(const struct svm_stats *s, const char *name);
/* "cumulative", "instant", "peak" or "unknown". */
const char *svm_stats_type_name(uint32_t flags);
/* "", "bytes", "pages", "ns" or "unknown". */
const char *svm_stats_unit_name(uint32_t flags);
/* Close the fd and free everything; a second call does nothing. */
void svm_stats_close(struct svm_stats *s);

#endif /* SHADOWVM_USER_STATS_H */
