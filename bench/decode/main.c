/*
 * bench/decode: typed decode and encode of a PodList against bare cJSON,
 * in the same run on the same bytes.
 *
 * The list holds N production-like Pods from bench/podgen (5-8 KB of JSON
 * each, managedFields, env, probes, volumes, conditions, container
 * statuses). Measured after one warm-up run of each, alternating the two
 * methods over several rounds, each round running the faster one about as
 * long as the slower one (about 1.5 s per method in total):
 *
 *   decode: kube_api_decode(kube_t_corev1_pod_list) + kube_api_free
 *           against cJSON_ParseWithLength + cJSON_Delete (each with the
 *           free work glibc defers, see settle_heap());
 *   encode: kube_api_encode of the decoded list + kube_free
 *           against cJSON_PrintUnformatted of the cJSON tree + cJSON_free;
 *   memory: heap bytes held by one decoded list and by one cJSON tree
 *           (glibc mallinfo2: in-use plus mmapped bytes, after minus before,
 *           while the object is held), per Pod.
 *
 * Every MB/s figure is the size of the PodList's JSON (10^6 bytes) divided
 * by the time, for encode too, so a ratio is a ratio of times. Prints
 *
 *   figure decode_typed <MB/s> MB/s
 *   figure decode_cjson <MB/s> MB/s
 *   figure encode_typed <MB/s> MB/s
 *   figure encode_cjson <MB/s> MB/s
 *   figure json_bytes_per_pod <n> bytes
 *   figure typed_bytes_per_pod <n> bytes
 *   figure cjson_bytes_per_pod <n> bytes
 *   ratio decode_speed_vs_cjson <typed/cjson>  (higher is better; target >= 0.7)
 *   ratio memory_vs_json <typed/json bytes>    (lower is better; target <= 1.0)
 *   ratio encode_speed_vs_cjson <typed/cjson>  (higher is better; target >= 1.0)
 *
 * Before timing, it checks the round trip: the list decodes with N items,
 * its encoding and the encoding of each of the first Pods on their own
 * equal the original (cJSON_Compare semantics, after removing the
 * original's null members: "lastProbeTime":null, as the server sends it,
 * decodes to an absent field that encode omits). On a mismatch it prints
 * the first differing path and exits 1; the timings are never pass/fail.
 *
 * Usage: bench_decode [N] [MAX_POD_BYTES]   (default 10000 Pods; pod size
 * bound as bench_podgen --max-bytes, default 8192)
 */
#include <cjson/cJSON.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kube.h>
#include <kube/api/corev1.h>

#include "podgen.h"

#define CHECK_PODS 20      /* Pods encoded and compared one by one */
#define ROUND_SECONDS 1.5  /* aim per method */
#define MIN_ROUNDS 3
#define MAX_ROUNDS 100

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Bytes the heap holds for the program: in use in the arenas plus mmapped. */
static size_t heap_bytes(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0; /* unknown: the memory figures print 0 */
#endif
}

static void die(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "bench_decode: %s: %s\n", what, e && e->message ? e->message : "?");
    exit(1);
}

/* ------------------------------------------------------------------ */
/* round-trip check                                                    */

/* Remove the members whose value is null, at every depth. */
static void strip_nulls(cJSON *v)
{
    cJSON *c, *next;
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return;
    for (c = v->child; c; c = next) {
        next = c->next;
        if (cJSON_IsObject(v) && cJSON_IsNull(c))
            cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
        else
            strip_nulls(c);
    }
}

static void show(const char *label, const cJSON *v)
{
    char *s = v ? cJSON_PrintUnformatted(v) : NULL;
    fprintf(stderr, "  %s: %.300s%s\n", label, s ? s : "(absent)",
            s && strlen(s) > 300 ? "..." : "");
    cJSON_free(s);
}

static int differs_at(const char *path, const char *how, const cJSON *a, const cJSON *b)
{
    fprintf(stderr, "bench_decode: round trip differs at %s%s\n", *path ? path : "(top)", how);
    show("original", a);
    show("encoded", b);
    return 1;
}

/*
 * The semantics of cJSON_Compare(a, b, 1) -- members in any order, arrays
 * in order, same scalars -- in one pass: cJSON_Compare checks objects in
 * both directions at every level, which costs 2^depth and takes minutes on
 * a list of 10,000 Pods. Returns 1 and prints the first differing path
 * (a: the original, b: re-encoded) when they differ, 0 when equal.
 */
static int json_diff(const cJSON *a, const cJSON *b, char *path, size_t cap)
{
    size_t at = strlen(path);
    const cJSON *c, *d;
    int i = 0, na = 0, nb = 0;

    if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
        return differs_at(path, "", a, b);
    if (cJSON_IsObject(a)) {
        cJSON_ArrayForEach(c, a)
        {
            na++;
            snprintf(path + at, cap - at, "%s%s", at ? "." : "", c->string);
            if (json_diff(c, cJSON_GetObjectItemCaseSensitive(b, c->string), path, cap))
                return 1;
        }
        cJSON_ArrayForEach(c, b)
        {
            if (++nb > na || !cJSON_GetObjectItemCaseSensitive(a, c->string)) {
                snprintf(path + at, cap - at, "%s%s", at ? "." : "", c->string);
                return differs_at(path, " (added by encode)", NULL, c);
            }
        }
    } else if (cJSON_IsArray(a)) {
        if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
            return differs_at(path, " (array length)", a, b);
        for (c = a->child, d = b->child; c && d; c = c->next, d = d->next, i++) {
            snprintf(path + at, cap - at, "[%d]", i);
            if (json_diff(c, d, path, cap))
                return 1;
        }
    } else if (cJSON_IsString(a) || cJSON_IsRaw(a)) {
        if (strcmp(a->valuestring, b->valuestring) != 0)
            return differs_at(path, "", a, b);
    } else if (cJSON_IsNumber(a)) {
        if (a->valuedouble != b->valuedouble)
            return differs_at(path, "", a, b);
    }
    path[at] = '\0';
    return 0;
}

/* Compare a re-encoded text with the original tree (nulls stripped). */
static int same(const cJSON *orig, const char *enc, size_t enc_len, const char *what)
{
    cJSON *e = cJSON_ParseWithLength(enc, enc_len);
    char path[1024] = "";
    int ok;

    if (!e) {
        fprintf(stderr, "bench_decode: %s: kube_api_encode gave invalid JSON: %.200s\n", what,
                enc);
        return 0;
    }
    ok = !json_diff(orig, e, path, sizeof(path));
    /* small documents through cJSON_Compare itself too */
    if (ok && enc_len < (1u << 20))
        ok = cJSON_Compare(orig, e, 1);
    if (!ok)
        fprintf(stderr, "bench_decode: %s: round trip mismatch\n", what);
    cJSON_Delete(e);
    return ok;
}

static int check_round_trip(const char *json, size_t len, size_t n)
{
    kube_corev1_pod_list *list;
    void *obj = NULL;
    cJSON *orig = cJSON_ParseWithLength(json, len), *items;
    char *enc = NULL;
    size_t enc_len = 0, i;
    int ok = 1;

    if (!orig) {
        fprintf(stderr, "bench_decode: the generated list is not valid JSON\n");
        return 0;
    }
    strip_nulls(orig);
    items = cJSON_GetObjectItemCaseSensitive(orig, "items");
    if (kube_api_decode(&obj, &kube_t_corev1_pod_list, json, len, NULL) < 0)
        die("kube_api_decode(PodList)");
    list = obj;
    if (list->items_count != n) {
        fprintf(stderr, "bench_decode: decoded %zu items, want %zu\n", list->items_count, n);
        ok = 0;
    }
    /* the first Pods one by one: nested objects encode on their own */
    for (i = 0; ok && i < n && i < CHECK_PODS; i++) {
        char what[64];
        if (kube_api_encode(&enc, &enc_len, &kube_t_corev1_pod, &list->items[i]) < 0)
            die("kube_api_encode(Pod)");
        snprintf(what, sizeof(what), "items[%zu]", i);
        ok = same(cJSON_GetArrayItem(items, (int)i), enc, enc_len, what);
        kube_free(enc);
    }
    /* then the whole list */
    if (ok) {
        if (kube_api_encode(&enc, &enc_len, &kube_t_corev1_pod_list, list) < 0)
            die("kube_api_encode(PodList)");
        ok = same(orig, enc, enc_len, "PodList");
        kube_free(enc);
    }
    kube_api_free(list);
    cJSON_Delete(orig);
    return ok;
}

/* ------------------------------------------------------------------ */
/* timed operations: each returns its time                             */

/*
 * glibc defers part of free()'s work: the chunks of a freed cJSON tree
 * (hundreds per Pod) wait in the fast and unsorted bins until the next
 * large malloc consolidates them -- 0.3 s for 10,000 Pods here, which,
 * alternating, would land on the typed decode's first arena block. So every
 * timed operation ends by paying its own: one 64 KiB malloc (a large-bin
 * request, below the mmap threshold) and free.
 */
static void settle_heap(void)
{
    void *volatile p = malloc(64 * 1024);
    free(p);
}

typedef struct input {
    const char *json;
    size_t len;
} input;

static double t_decode_typed(const void *ctx)
{
    const input *in = ctx;
    void *obj = NULL;
    double t0 = now_s();
    if (kube_api_decode(&obj, &kube_t_corev1_pod_list, in->json, in->len, NULL) < 0)
        die("kube_api_decode(PodList)");
    kube_api_free(obj);
    settle_heap();
    return now_s() - t0;
}

static double t_decode_cjson(const void *ctx)
{
    const input *in = ctx;
    double t0 = now_s();
    cJSON *tree = cJSON_ParseWithLength(in->json, in->len);
    if (!tree) {
        fprintf(stderr, "bench_decode: cJSON_ParseWithLength failed\n");
        exit(1);
    }
    cJSON_Delete(tree);
    settle_heap();
    return now_s() - t0;
}

static double t_encode_typed(const void *list)
{
    char *out = NULL;
    size_t out_len = 0;
    double t0 = now_s();
    if (kube_api_encode(&out, &out_len, &kube_t_corev1_pod_list, list) < 0)
        die("kube_api_encode(PodList)");
    kube_free(out);
    settle_heap();
    return now_s() - t0;
}

static double t_encode_cjson(const void *tree)
{
    double t0 = now_s();
    char *out = cJSON_PrintUnformatted(tree);
    if (!out) {
        fprintf(stderr, "bench_decode: cJSON_PrintUnformatted failed\n");
        exit(1);
    }
    cJSON_free(out);
    settle_heap();
    return now_s() - t0;
}

/* Two methods timed in alternation: each round runs the faster one about
 * as long as the slower one (k runs against 1), so both get about
 * ROUND_SECONDS in total and see the same machine noise. */
typedef struct pair {
    double (*op[2])(const void *);
    const void *ctx[2];
    double t[2]; /* seconds, in total */
    int runs[2];
} pair;

static void run_pair(pair *p)
{
    double w[2], round_s;
    int k[2] = { 1, 1 }, rounds, r, m, i;

    for (m = 0; m < 2; m++)
        w[m] = p->op[m](p->ctx[m]); /* warm-up, and the estimate */
    m = w[0] < w[1] ? 0 : 1;        /* the faster */
    k[m] = w[m] > 0 ? (int)(w[1 - m] / w[m] + 0.5) : MAX_ROUNDS;
    k[m] = k[m] < 1 ? 1 : k[m] > MAX_ROUNDS ? MAX_ROUNDS : k[m];
    round_s = w[1 - m] > w[m] * k[m] ? w[1 - m] : w[m] * k[m];
    rounds = round_s > 0 ? (int)(ROUND_SECONDS / round_s + 0.5) : MAX_ROUNDS;
    rounds = rounds < MIN_ROUNDS ? MIN_ROUNDS : rounds > MAX_ROUNDS ? MAX_ROUNDS : rounds;
    for (r = 0; r < rounds; r++)
        for (m = 0; m < 2; m++)
            for (i = 0; i < k[m]; i++) {
                p->t[m] += p->op[m](p->ctx[m]);
                p->runs[m]++;
            }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000;
    size_t max_pod = argc > 2 ? strtoull(argv[2], NULL, 10) : PODGEN_POD_MAX;
    size_t len = 0, h0, typed_bytes, cjson_bytes;
    pair dec = { { t_decode_typed, t_decode_cjson }, { NULL, NULL }, { 0, 0 }, { 0, 0 } };
    pair enc = { { t_encode_typed, t_encode_cjson }, { NULL, NULL }, { 0, 0 }, { 0, 0 } };
    double mb, d_typed, d_cjson, e_typed, e_cjson;
    void *list = NULL;
    cJSON *tree;
    input in;
    char *json;

    if (n == 0 || max_pod < PODGEN_POD_MIN + 1000) {
        fprintf(stderr, "usage: %s [N>0] [MAX_POD_BYTES>=%d]\n", argv[0], PODGEN_POD_MIN + 1000);
        return 2;
    }
    if (kube_global_init() < 0)
        die("kube_global_init");
    json = podgen_pod_list_ex(n, PODGEN_DEFAULT_SEED, max_pod, &len, NULL);
    if (!json) {
        fprintf(stderr, "bench_decode: out of memory generating %zu Pods\n", n);
        return 1;
    }
    mb = (double)len / 1e6;

    if (!check_round_trip(json, len, n))
        return 1;

    /* memory held by one decoded object (nothing else allocates meanwhile) */
    settle_heap();
    h0 = heap_bytes();
    if (kube_api_decode(&list, &kube_t_corev1_pod_list, json, len, NULL) < 0)
        die("kube_api_decode(PodList)");
    typed_bytes = heap_bytes() - h0;
    h0 = heap_bytes();
    tree = cJSON_ParseWithLength(json, len);
    if (!tree) {
        fprintf(stderr, "bench_decode: cJSON_ParseWithLength failed\n");
        return 1;
    }
    cjson_bytes = heap_bytes() - h0;

    /* encode, from the objects just measured */
    enc.ctx[0] = list;
    enc.ctx[1] = tree;
    run_pair(&enc);
    kube_api_free(list);
    cJSON_Delete(tree);
    settle_heap();

    /* decode (+ free) */
    in.json = json;
    in.len = len;
    dec.ctx[0] = dec.ctx[1] = &in;
    run_pair(&dec);

    d_typed = mb * dec.runs[0] / dec.t[0];
    d_cjson = mb * dec.runs[1] / dec.t[1];
    e_typed = mb * enc.runs[0] / enc.t[0];
    e_cjson = mb * enc.runs[1] / enc.t[1];
    printf("figure decode_typed %.1f MB/s\n", d_typed);
    printf("figure decode_cjson %.1f MB/s\n", d_cjson);
    printf("figure encode_typed %.1f MB/s\n", e_typed);
    printf("figure encode_cjson %.1f MB/s\n", e_cjson);
    printf("figure json_bytes_per_pod %.0f bytes\n", (double)len / (double)n);
    printf("figure typed_bytes_per_pod %.0f bytes\n", (double)typed_bytes / (double)n);
    printf("figure cjson_bytes_per_pod %.0f bytes\n", (double)cjson_bytes / (double)n);
    printf("ratio decode_speed_vs_cjson %.2f\n", d_typed / d_cjson);
    printf("ratio memory_vs_json %.2f\n", (double)typed_bytes / (double)len);
    printf("ratio encode_speed_vs_cjson %.2f\n", e_typed / e_cjson);
    fflush(stdout);
    fprintf(stderr,
            "bench_decode: %zu Pods, %.1f MB of JSON; decode runs %d typed (%.2f s) / %d cJSON "
            "(%.2f s), encode runs %d typed (%.2f s) / %d cJSON (%.2f s)\n",
            n, mb, dec.runs[0], dec.t[0], dec.runs[1], dec.t[1], enc.runs[0], enc.t[0],
            enc.runs[1], enc.t[1]);
    free(json);
    kube_global_shutdown();
    return 0;
}
