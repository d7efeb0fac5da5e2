/*
 * bench_podgen: print a PodList of production-like Pods (bench/podgen.h).
 *
 * Usage: bench_podgen [N] [--seed S] [--max-bytes B] [--pod I] [--check]
 *   N             number of Pods (default 10)
 *   --seed S      the generator seed (default PODGEN_DEFAULT_SEED)
 *   --max-bytes B the largest Pod (default PODGEN_POD_MAX; larger gives
 *                 fewer trimmed Pods: more sidecars, init containers...)
 *   --pod I       print only Pod number I of the list, as a standalone Pod
 *                 (default bound only)
 *   --check       print nothing on stdout; check that the list is valid JSON
 *                 (cJSON) of N items and that every Pod is within
 *                 PODGEN_POD_MIN..B bytes; print the size figures on stderr;
 *                 exit 1 otherwise
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "podgen.h"

static int check(size_t n, uint64_t seed, size_t max)
{
    size_t len = 0, i, lo = (size_t)-1, hi = 0, sum = 0, bad = 0;
    size_t *sizes = calloc(n ? n : 1, sizeof(*sizes));
    char *json = sizes ? podgen_pod_list_ex(n, seed, max, &len, sizes) : NULL;
    cJSON *root, *items;

    if (!json) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        sum += sizes[i];
        lo = sizes[i] < lo ? sizes[i] : lo;
        hi = sizes[i] > hi ? sizes[i] : hi;
        if (sizes[i] < PODGEN_POD_MIN || sizes[i] > max) {
            if (bad++ < 5)
                fprintf(stderr, "pod %zu: %zu bytes, outside %d..%zu\n", i, sizes[i],
                        PODGEN_POD_MIN, max);
        }
    }
    root = cJSON_ParseWithLength(json, len);
    items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!root || !cJSON_IsArray(items) || (size_t)cJSON_GetArraySize(items) != n) {
        fprintf(stderr, "not a valid PodList of %zu items\n", n);
        bad++;
    }
    fprintf(stderr, "pods %zu, list %zu bytes, pod min %zu avg %zu max %zu bytes\n", n, len,
            n ? lo : 0, n ? sum / n : 0, hi);
    cJSON_Delete(root);
    free(json);
    free(sizes);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    size_t n = 10, pod = (size_t)-1, len = 0, max = PODGEN_POD_MAX;
    uint64_t seed = PODGEN_DEFAULT_SEED;
    int i, do_check = 0;
    char *json;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc)
            max = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--pod") && i + 1 < argc)
            pod = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--check"))
            do_check = 1;
        else if (argv[i][0] >= '0' && argv[i][0] <= '9')
            n = strtoull(argv[i], NULL, 0);
        else {
            fprintf(stderr, "usage: %s [N] [--seed S] [--max-bytes B] [--pod I] [--check]\n",
                    argv[0]);
            return 2;
        }
    }
    if (max < PODGEN_POD_MIN + 1000) {
        fprintf(stderr, "--max-bytes: at least %d\n", PODGEN_POD_MIN + 1000);
        return 2;
    }
    if (do_check)
        return check(n, seed, max);
    json = pod != (size_t)-1 ? podgen_pod(pod, seed, &len)
                             : podgen_pod_list_ex(n, seed, max, &len, NULL);
    if (!json) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    fwrite(json, 1, len, stdout);
    fputc('\n', stdout);
    free(json);
    return 0;
}
