/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the shadow pager core needs from <linux/...> headers, for building
 * the unchanged core files in userspace. Written for this model; only the
 * small subset the core uses.
 */
#ifndef MMU_COMPAT_H
#define MMU_COMPAT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;	/* as in the kernel: %llx */
typedef long long s64;

#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define cmpxchg64(p, o, n)	__sync_val_compare_and_swap((p), (o), (n))
#define cmpxchg(p, o, n)	__sync_val_compare_and_swap((p), (o), (n))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Tests that provoke audit failures on purpose set this. */
extern int model_quiet;
#define pr_warn(fmt, ...)						\
	do {								\
		if (!model_quiet)					\
			fprintf(stderr, fmt, ##__VA_ARGS__);		\
	} while (0)

/* The model prints every line: its runs are short and checked. */
#define pr_warn_ratelimited	pr_warn

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void __list_link(struct list_head *n, struct list_head *prev,
			       struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_link(n, h, h->next);
}

static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_link(n, h->prev, h);
}

static inline void list_del_init(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	INIT_LIST_HEAD(e);
}

static inline void list_move(struct list_head *e, struct list_head *h)
{
	list_del_init(e);
	list_add(e, h);
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define list_entry(p, type, member)	container_of(p, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each_entry(pos, h, member)				\
	for (pos = list_entry((h)->next, typeof(*pos), member);	\
	     &pos->member != (h);					\
	     pos = list_entry(pos->member.next, typeof(*pos), member))
#define list_for_each_entry_reverse(pos, h, member)			\
	for (pos = list_entry((h)->prev, typeof(*pos), member);	\
	     &pos->member != (h);					\
	     pos = list_entry(pos->member.prev, typeof(*pos), member))
#define list_for_each_entry_safe(pos, n, h, member)			\
	for (pos = list_entry((h)->next, typeof(*pos), member),	\
	     n = list_entry(pos->member.next, typeof(*pos), member);	\
	     &pos->member != (h);					\
	     pos = n, n = list_entry(n->member.next, typeof(*n), member))

#endif /* MMU_COMPAT_H */
