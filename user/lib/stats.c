// SPDX-License-Identifier: GPL-2.0
/*
 * Reader of shadowvm's stats format: see stats.h and the format in
 * include/uapi/linux/shadowvm.h. Sizes and offsets come from the header,
 * never from sizeof(), so a newer module with longer headers or
 * descriptors still reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "stats.h"

/* Limits that no sane header exceeds: refuse the rest as garbage. */
#define MAX_NAME_SIZE	4096
#define MAX_DESC	65536
#define MAX_DATA	(64u << 20)

int svm_get_stats_fd(int fd)
{
	int ret = ioctl(fd, SHADOWVM_GET_STATS_FD, 0);

	return ret < 0 ? -errno : ret;
}

/* pread exactly @len bytes at @off: -EPROTO when the file is shorter. */
static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPROTO;
		done += n;
	}
	return 0;
}

static int header_ok(const struct shadowvm_stats_header *h)
{
	uint64_t descs_end = h->desc_offset + (uint64_t)h->num_desc * h->desc_size;

	if (h->name_size < 2 || h->name_size > MAX_NAME_SIZE ||
	    h->num_desc > MAX_DESC || h->data_size > MAX_DATA ||
	    h->desc_size < sizeof(struct shadowvm_stats_desc) + h->name_size ||
	    h->id_offset < sizeof(*h) || h->desc_offset < sizeof(*h) ||
	    h->data_offset < descs_end || h->data_offset % 8 ||
	    h->data_size % 8)
		return 0;
	return 1;
}

int svm_stats_open(struct svm_stats *s, int fd)
{
	struct shadowvm_stats_desc *d;
	char *descs = NULL, *id = NULL;
	uint32_t i;
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	err = pread_all(fd, &s->hdr, sizeof(s->hdr), 0);
	if (err)
		goto fail;
	err = -EPROTO;
	if (!header_ok(&s->hdr))
		goto fail;
	err = -ENOMEM;
	id = malloc(s->hdr.name_size);
	descs = malloc((size_t)s->hdr.num_desc * s->hdr.desc_size);
	s->desc = calloc(s->hdr.num_desc ? s->hdr.num_desc : 1, sizeof(*s->desc));
	s->data = malloc(s->hdr.data_size ? s->hdr.data_size : 8);
	if (!id || !descs || !s->desc || !s->data)
		goto fail;
	err = pread_all(fd, id, s->hdr.name_size, s->hdr.id_offset);
	if (!err)
		err = pread_all(fd, descs, (size_t)s->hdr.num_desc * s->hdr.desc_size,
				s->hdr.desc_offset);
	if (err)
		goto fail;
	err = -EPROTO;
	if (!memchr(id, 0, s->hdr.name_size))
		goto fail;
	snprintf(s->id, sizeof(s->id), "%s", id);
	for (i = 0; i < s->hdr.num_desc; i++) {
		d = (void *)(descs + (size_t)i * s->hdr.desc_size);
		if (!memchr(d->name, 0, s->hdr.name_size) || !d->name[0] ||
		    !d->size || d->offset % 8 ||
		    d->offset + (uint64_t)d->size * 8 > s->hdr.data_size)
			goto fail;
		snprintf(s->desc[i].name, sizeof(s->desc[i].name), "%s", d->name);
		s->desc[i].flags = d->flags;
		s->desc[i].offset = d->offset;
		s->desc[i].size = d->size;
	}
	s->num_desc = s->hdr.num_desc;
	free(id);
	free(descs);
	return 0;
fail:
	free(id);
	free(descs);
	svm_stats_close(s);
	return err;
}

int svm_stats_read(struct svm_stats *s)
{
	return pread_all(s->fd, s->data, s->hdr.data_size, s->hdr.data_offset);
}

uint64_t svm_stats_value(const struct svm_stats *s, uint32_t i)
{
	return i < s->num_desc ? s->data[s->desc[i].offset / 8] : 0;
}

int svm_stats_find(const struct svm_stats *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->num_desc; i++)
		if (!strcmp(s->desc[i].name, name))
			return i;
	return -ENOENT;
}

const char *svm_stats_type_name(uint32_t flags)
{
	switch (flags & SHADOWVM_STATS_TYPE_MASK) {
	case SHADOWVM_STATS_TYPE_CUMULATIVE:
		return "cumulative";
	case SHADOWVM_STATS_TYPE_INSTANT:
		return "instant";
	case SHADOWVM_STATS_TYPE_PEAK:
		return "peak";
	}
	return "unknown";
}

const char *svm_stats_unit_name(uint32_t flags)
{
	switch (flags & SHADOWVM_STATS_UNIT_MASK) {
	case SHADOWVM_STATS_UNIT_NONE:
		return "";
	case SHADOWVM_STATS_UNIT_BYTES:
		return "bytes";
	case SHADOWVM_STATS_UNIT_PAGES:
		return "pages";
	case SHADOWVM_STATS_UNIT_NSEC:
		return "ns";
	}
	return "unknown";
}

void svm_stats_close(struct svm_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->desc);
	free(s->data);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
