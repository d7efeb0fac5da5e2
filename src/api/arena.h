/*
 * The arena behind every typed root object (kube/api/runtime.h).
 *
 * Layout of the first block (one kube__malloc):
 *
 *   [kube__chunk][kube__arena ... magic][root struct][allocations ...]
 *                                        ^ the root pointer users hold
 *
 * The arena header sits right before the root, so the root pointer finds
 * it; its last member is a magic number, which kube_api_free() checks before
 * trusting anything else (a nested object passed by mistake is preceded by
 * arena data, never by the magic). Further blocks are chained on `chunks`
 * and sized geometrically, or from a caller's estimate
 * (next_size) when it knows better (the decoder does: remaining input times
 * the memory/input ratio seen so far).
 *
 * Allocations are bump-pointer: kube__arena_alloc is 8-byte aligned,
 * kube__arena_alloc_str is unaligned (strings). Nothing is freed before the
 * whole arena; kube__arena_trim gives back the tail of the newest allocation
 * (a string that unescaped shorter than reserved).
 */
#ifndef KUBE_API_ARENA_H
#define KUBE_API_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/desc.h"

#define KUBE__ARENA_MAGIC UINT64_C(0x6b75626561726e61) /* "kubearna" */
#define KUBE__ARENA_ALIGN 8

typedef struct kube__chunk {
    struct kube__chunk *next;
    size_t size; /* bytes of the whole block */
} kube__chunk;

typedef struct kube__arena {
    kube__chunk *chunks;       /* every block, the one holding this header included */
    char *cur;                 /* free space of the newest chunk: [cur, end) */
    char *end;
    char *start;               /* start of the free space of cur_chunk when it was added */
    kube__chunk *cur_chunk;    /* the block [cur, end) belongs to */
    size_t total;              /* bytes of all blocks (what the heap holds) */
    size_t next_size;          /* size wanted for the next block (once), 0: grow */
    size_t grow;               /* size of the next block otherwise; doubles */
    const kube_api_type *type; /* type of the root */
    uint64_t magic;            /* KUBE__ARENA_MAGIC; must stay the last member */
} kube__arena;

/* Bytes in front of the root inside the first block. */
#define KUBE__ARENA_HEAD (sizeof(kube__chunk) + sizeof(kube__arena))

/* Create an arena whose first block holds the header, a zeroed root of
 * root_size bytes and at least `extra` more bytes. Returns the root, NULL
 * when out of memory. */
void *kube__arena_new_root(const kube_api_type *t, size_t root_size, size_t extra);

/* The arena of a root, or NULL (nothing logged) when p is not a root. */
kube__arena *kube__arena_of(const void *root);

/* Free every block (a may be NULL). */
void kube__arena_destroy(kube__arena *a);

/* Slow path: add a block that fits n bytes with the given alignment. */
void *kube__arena_alloc_slow(kube__arena *a, size_t n, size_t align);

/*
 * Give the free tail of the current block back to the heap (realloc). When
 * the block moves, returns its old address range [*lo, *hi) and the move
 * *delta, and the caller must relocate every pointer into that range (the
 * arena's own bookkeeping is already fixed, and *a updated when the header
 * moved with it). Nothing happens for a tail under min_waste bytes, or when
 * realloc fails. kube__arena_force_move (tests) makes every shrink move.
 */
void kube__arena_shrink(kube__arena **a, size_t min_waste, uintptr_t *lo, uintptr_t *hi,
                        ptrdiff_t *delta);
extern int kube__arena_force_move;

/* Total bytes held, header included. */
static inline size_t kube__arena_bytes(const kube__arena *a)
{
    return a->total;
}

/* n bytes, 8-byte aligned, not zeroed; NULL when out of memory. */
static inline void *kube__arena_alloc(kube__arena *a, size_t n)
{
    uintptr_t c = ((uintptr_t)a->cur + (KUBE__ARENA_ALIGN - 1)) &
                  ~(uintptr_t)(KUBE__ARENA_ALIGN - 1);
    if (c <= (uintptr_t)a->end && n <= (size_t)((uintptr_t)a->end - c)) {
        a->cur = (char *)c + n;
        return (void *)c;
    }
    return kube__arena_alloc_slow(a, n, KUBE__ARENA_ALIGN);
}

/* n zeroed bytes, 8-byte aligned. */
static inline void *kube__arena_zalloc(kube__arena *a, size_t n)
{
    void *p = kube__arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* n bytes, unaligned (strings). */
static inline char *kube__arena_alloc_str(kube__arena *a, size_t n)
{
    char *p = a->cur;
    if (n <= (size_t)(a->end - p)) {
        a->cur = p + n;
        return p;
    }
    return kube__arena_alloc_slow(a, n, 1);
}

/* p was the newest allocation: keep only its first n bytes (a no-op when p
 * got a block of its own). */
static inline void kube__arena_trim(kube__arena *a, void *p, size_t n)
{
    if ((char *)p >= a->start && (char *)p <= a->cur)
        a->cur = (char *)p + n;
}

#endif
