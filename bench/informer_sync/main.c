/*
 * bench/informer_sync: an informer on Pods syncing 10,000 realistic Pods
 * (bench/podgen.c) from the fake API server engine, in process (no
 * sockets), against the floor measured in the same run: only fetching and
 * decoding the same list through the same clientset. Prints
 *   figure informer_sync_wall <ms> ms
 *   figure informer_sync_cpu <ms> ms
 *   figure list_floor_cpu <ms> ms
 *   figure cache_bytes_per_pod <n> bytes   (heap held by the informer per cached Pod)
 *   figure json_bytes_per_pod <n> bytes
 *   figure cache_bytes_per_pod_lean <n> bytes   (with drop_managed_fields)
 *   ratio sync_cpu_vs_floor <sync/floor>   (lower is better; target <= 1.5)
 * Usage: bench_informer_sync [N].
 */
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/cache/informer.h>
#include <kube/clientset/corev1.h>
#include <kube/testing.h>

#include "podgen.h"

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000, len = 0;
    char *list = podgen_pod_list(n, 42, &len, NULL);
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_corev1_pod_list *pl = NULL;
    double c0, floor_cpu, sync_cpu, sync_wall, w0;
    size_t heap0, heap1;

    if (!list || kube_fake_server_new(&s, NULL) < 0 || kube_fake_server_seed(s, list, len, "podgen") < 0 ||
        kube_fake_clientset_new(&cs, s) < 0) {
        fprintf(stderr, "setup: %s\n", kube_error_last() ? kube_error_last()->message : "?");
        return 1;
    }
    /* the floor: one LIST of everything, decoded, then freed */
    c0 = cpu_ms();
    if (kube_corev1_pods_list(&pl, cs, NULL, NULL) < 0) {
        fprintf(stderr, "list: %s\n", kube_error_last()->message);
        return 1;
    }
    floor_cpu = cpu_ms() - c0;
    if (pl->items_count != n) {
        fprintf(stderr, "listed %zu pods, want %zu\n", pl->items_count, n);
        return 1;
    }
    kube_api_free(pl);

    heap0 = mallinfo2().uordblks;
    c0 = cpu_ms();
    w0 = wall_ms();
    if (kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "pods"), NULL) < 0 ||
        kube_informer_start(inf) < 0 || kube_wait_for_cache_sync(&inf, 1, 600000) < 0) {
        fprintf(stderr, "informer: %s\n", kube_error_last()->message);
        return 1;
    }
    sync_wall = wall_ms() - w0;
    sync_cpu = cpu_ms() - c0;
    heap1 = mallinfo2().uordblks;
    if (kube_indexer_len(kube_informer_indexer(inf)) != n) {
        fprintf(stderr, "cached %zu pods, want %zu\n", kube_indexer_len(kube_informer_indexer(inf)), n);
        return 1;
    }
    printf("figure informer_sync_wall %.0f ms\n", sync_wall);
    printf("figure informer_sync_cpu %.0f ms\n", sync_cpu);
    printf("figure list_floor_cpu %.0f ms\n", floor_cpu);
    printf("figure cache_bytes_per_pod %.0f bytes\n", (double)(heap1 - heap0) / (double)n);
    printf("figure json_bytes_per_pod %.0f bytes\n", (double)len / (double)n);
    printf("ratio sync_cpu_vs_floor %.2f\n", sync_cpu / floor_cpu);
    kube_informer_free(inf);
    {
        /* the same with the drop-managedFields transform */
        kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
        o.drop_managed_fields = 1;
        inf = NULL;
        heap0 = mallinfo2().uordblks;
        if (kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "pods"), &o) < 0 ||
            kube_informer_start(inf) < 0 || kube_wait_for_cache_sync(&inf, 1, 600000) < 0) {
            fprintf(stderr, "informer: %s\n", kube_error_last()->message);
            return 1;
        }
        heap1 = mallinfo2().uordblks;
        printf("figure cache_bytes_per_pod_lean %.0f bytes\n", (double)(heap1 - heap0) / (double)n);
        kube_informer_free(inf);
    }
    kube_clientset_free(cs);
    kube_fake_server_free(s);
    free(list);
    return 0;
}
