/* The arena behind typed root objects: see arena.h. */
#include "common.h"

#include "api/arena.h"

#define MIN_BLOCK 1024

int kube__arena_force_move;

_Static_assert(KUBE__ARENA_HEAD % KUBE__ARENA_ALIGN == 0,
               "the root must be aligned");
_Static_assert(offsetof(kube__arena, magic) + sizeof(uint64_t) == sizeof(kube__arena),
               "the magic must sit right before the root");

static size_t round_up(size_t n)
{
    return (n + (KUBE__ARENA_ALIGN - 1)) & ~(size_t)(KUBE__ARENA_ALIGN - 1);
}

void *kube__arena_new_root(const kube_api_type *t, size_t root_size, size_t extra)
{
    kube__chunk *c;
    kube__arena *a;
    char *root;
    size_t size, rsize;

    if (root_size > SIZE_MAX / 2 || extra > SIZE_MAX / 4)
        return NULL;
    rsize = round_up(root_size);
    size = KUBE__ARENA_HEAD + rsize + extra;
    c = kube__malloc(size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    a = (kube__arena *)(c + 1);
    root = (char *)c + KUBE__ARENA_HEAD;
    a->chunks = c;
    a->cur = root + rsize;
    a->end = (char *)c + size;
    a->start = root;
    a->cur_chunk = c;
    a->total = size;
    a->next_size = 0;
    a->grow = MIN_BLOCK;
    a->type = t;
    a->magic = KUBE__ARENA_MAGIC;
    memset(root, 0, root_size);
    return root;
}

kube__arena *kube__arena_of(const void *root)
{
    uint64_t magic;
    kube__arena *a;

    if (!root || ((uintptr_t)root & (KUBE__ARENA_ALIGN - 1)) != 0)
        return NULL;
    /* read only the magic before trusting the rest of the header */
    memcpy(&magic, (const char *)root - sizeof(magic), sizeof(magic));
    if (magic != KUBE__ARENA_MAGIC)
        return NULL;
    a = (kube__arena *)((char *)root - sizeof(kube__arena));
    return a;
}

void kube__arena_destroy(kube__arena *a)
{
    kube__chunk *c, *next;

    if (!a)
        return;
    c = a->chunks;
    a->magic = 0;
    /* a lives in one of the blocks: never touched again from here */
    while (c) {
        next = c->next;
        kube__free(c);
        c = next;
    }
}

void *kube__arena_alloc_slow(kube__arena *a, size_t n, size_t align)
{
    kube__chunk *c;
    size_t want, need, left_new, left_old;
    uintptr_t p;

    if (n > SIZE_MAX / 4)
        return NULL;
    need = sizeof(kube__chunk) + n + align - 1;
    if (a->next_size) {
        want = a->next_size;
        a->next_size = 0;
    } else {
        /* geometric: 1 KiB, 2 KiB, 4 KiB... */
        want = a->grow;
        if (a->grow < SIZE_MAX / 4)
            a->grow *= 2;
    }
    if (want < MIN_BLOCK)
        want = MIN_BLOCK;
    if (want < need)
        want = need;
    c = kube__malloc(want);
    if (!c)
        return NULL;
    c->size = want;
    a->total += want;
    p = ((uintptr_t)(c + 1) + (align - 1)) & ~(uintptr_t)(align - 1);
    left_new = (size_t)((uintptr_t)c + want - (p + n));
    left_old = (size_t)(a->end - a->cur);
    if (left_old > left_new) {
        /* a big allocation: its own block; keep bumping in the current one */
        c->next = a->chunks->next;
        a->chunks->next = c;
        return (void *)p;
    }
    c->next = a->chunks;
    a->chunks = c;
    a->cur_chunk = c;
    a->start = (char *)(c + 1);
    a->cur = (char *)p + n;
    a->end = (char *)c + want;
    return (void *)p;
}

void kube__arena_shrink(kube__arena **ap, size_t min_waste, uintptr_t *lo, uintptr_t *hi,
                        ptrdiff_t *delta)
{
    kube__arena *a = *ap;
    kube__chunk *c = a->cur_chunk, *n, *k;
    uintptr_t old = (uintptr_t)c;
    size_t used = (size_t)(a->cur - (char *)c), size = c->size;
    size_t start_off = (size_t)(a->start - (char *)c);
    size_t a_off = (size_t)((char *)a - (char *)c);
    int holds_header = (char *)a > (char *)c && (char *)a < (char *)c + size;

    *lo = *hi = 0;
    *delta = 0;
    if (size - used < min_waste || size - used < sizeof(kube__chunk))
        return;
    if (kube__arena_force_move) {
        n = kube__malloc(used);
        if (!n)
            return;
        memcpy(n, c, used);
        kube__free(c);
    } else if (!(n = kube__realloc(c, used))) {
        return; /* keep the block as it is */
    }
    n->size = used;
    if (holds_header)
        a = (kube__arena *)(void *)((char *)n + a_off);
    a->total -= size - used;
    a->cur_chunk = n;
    a->start = (char *)n + start_off;
    a->cur = (char *)n + used;
    a->end = a->cur;
    *ap = a;
    if ((uintptr_t)n == old)
        return;
    /* the list still names the old address once */
    if ((uintptr_t)a->chunks == old) {
        a->chunks = n;
    } else {
        for (k = a->chunks; k; k = k->next) {
            if ((uintptr_t)k->next == old) {
                k->next = n;
                break;
            }
        }
    }
    *lo = old;
    *hi = old + used;
    *delta = (ptrdiff_t)((uintptr_t)n - old);
}
