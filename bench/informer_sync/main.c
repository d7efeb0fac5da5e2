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
 * Then the same over HTTP (figure names with _http): kube-fake-apiserver as
 * a child process (bench/support/fakeproc.h) seeded with the same Pods, the
 * client's CPU only (the server is another process), no client-side rate
 * limit (client-go's reflector shares the clientset's limiter; a benchmark
 * of the cache should not measure a 5 QPS bucket). Skipped when the server
 * binary is not found.
 * Usage: bench_informer_sync [N] [PATH_TO_kube-fake-apiserver].
 */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/cache/informer.h>
#include <kube/clientset/corev1.h>
#include <kube/testing.h>

#include "fakeproc.h"
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

/* The floor (one LIST of everything, decoded), then an informer's sync and
 * its heap, then the heap of an informer with drop_managed_fields. */
static int measure(kube_clientset *cs, size_t n, size_t json_len, const char *suffix)
{
    kube_informer *inf = NULL;
    kube_corev1_pod_list *pl = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    double c0, floor_cpu, floor_wall, sync_cpu, sync_wall, w0;
    size_t heap0, heap1;

    c0 = cpu_ms();
    w0 = wall_ms();
    if (kube_corev1_pods_list(&pl, cs, NULL, NULL) < 0) {
        fprintf(stderr, "list: %s\n", kube_error_last()->message);
        return 1;
    }
    floor_cpu = cpu_ms() - c0;
    floor_wall = wall_ms() - w0;
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
    printf("figure informer_sync_wall%s %.0f ms\n", suffix, sync_wall);
    printf("figure informer_sync_cpu%s %.0f ms\n", suffix, sync_cpu);
    printf("figure list_floor_wall%s %.0f ms\n", suffix, floor_wall);
    printf("figure list_floor_cpu%s %.0f ms\n", suffix, floor_cpu);
    printf("figure cache_bytes_per_pod%s %.0f bytes\n", suffix, (double)(heap1 - heap0) / (double)n);
    printf("figure json_bytes_per_pod%s %.0f bytes\n", suffix, (double)json_len / (double)n);
    printf("ratio sync_cpu_vs_floor%s %.2f\n", suffix, sync_cpu / floor_cpu);
    kube_informer_free(inf);

    /* the same with the drop-managedFields transform */
    o.drop_managed_fields = 1;
    inf = NULL;
    heap0 = mallinfo2().uordblks;
    if (kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "pods"), &o) < 0 ||
        kube_informer_start(inf) < 0 || kube_wait_for_cache_sync(&inf, 1, 600000) < 0) {
        fprintf(stderr, "informer: %s\n", kube_error_last()->message);
        return 1;
    }
    heap1 = mallinfo2().uordblks;
    printf("figure cache_bytes_per_pod_lean%s %.0f bytes\n", suffix, (double)(heap1 - heap0) / (double)n);
    kube_informer_free(inf);
    return 0;
}

/* Over HTTP: write the Pods to a seed file, start kube-fake-apiserver on
 * it, and measure through its kubeconfig. */
static int measure_http(const char *bin, const char *list, size_t len, size_t n)
{
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_clientset *cs = NULL;
    bench_fake srv;
    char seed[] = "/tmp/bench-informer-seed-XXXXXX";
    const char *extra[] = { "--seed", seed, NULL };
    int fd = mkstemp(seed), rc = 1;
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = bench_fake_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    atexit(bench_fake_stop_all);
    if (fd < 0 || write(fd, list, len) != (ssize_t)len) {
        perror("seed file");
        if (fd >= 0)
            close(fd);
        unlink(seed);
        return 1;
    }
    close(fd);
    if (bench_fake_start(&srv, bin, 0, extra, 1) != 0) {
        unlink(seed);
        return 1;
    }
    unlink(seed);
    lo.explicit_path = srv.kubeconfig;
    if (kube_rest_config_load(&cfg, &lo) < 0 || kube_rest_config_set_rate_limit(cfg, -1, 0) < 0 ||
        kube_clientset_new(&cs, cfg) < 0)
        fprintf(stderr, "client: %s\n", kube_error_last()->message);
    else
        rc = measure(cs, n, len, "_http");
    kube_clientset_free(cs);
    kube_rest_config_free(cfg);
    bench_fake_stop(&srv);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000, len = 0;
    char *list = podgen_pod_list(n, 42, &len, NULL);
    char defbin[PATH_MAX];
    const char *bin = argc > 2 ? argv[2] : bench_fake_default_bin(argv[0], defbin, sizeof(defbin));
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    int rc;

    if (!list || kube_fake_server_new(&s, NULL) < 0 || kube_fake_server_seed(s, list, len, "podgen") < 0 ||
        kube_fake_clientset_new(&cs, s) < 0) {
        fprintf(stderr, "setup: %s\n", kube_error_last() ? kube_error_last()->message : "?");
        return 1;
    }
    rc = measure(cs, n, len, "");
    kube_clientset_free(cs);
    kube_fake_server_free(s);
    if (rc == 0) {
        if (bin)
            rc = measure_http(bin, list, len, n);
        else
            fprintf(stderr, "kube-fake-apiserver not found: the _http figures are skipped\n");
    }
    free(list);
    return rc;
}
