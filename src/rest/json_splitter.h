/*
 * Splits a byte stream of concatenated JSON objects into frames, the way
 * apimachinery's streaming JSON decoder reads a watch: values, not lines.
 * Pure (no I/O): feed bytes split anywhere, take complete frames out.
 */
#ifndef KUBE_REST_JSON_SPLITTER_H
#define KUBE_REST_JSON_SPLITTER_H

#include "common.h"

typedef struct kube__json_splitter {
    kube__buf buf;   /* unconsumed bytes start at pos */
    size_t pos;      /* start of unconsumed data */
    size_t scan;     /* next byte to scan */
    size_t start;    /* start of the current frame (valid when in_frame) */
    int in_frame;
    int depth;
    int in_str;
    int esc;
    size_t max_frame;
} kube__json_splitter;

void kube__json_splitter_init(kube__json_splitter *s, size_t max_frame);
void kube__json_splitter_dispose(kube__json_splitter *s);
int kube__json_splitter_feed(kube__json_splitter *s, const char *data, size_t len);
/* 1 with a frame (borrowed until the next call), 0 when more bytes are
 * needed, KUBE_EPARSE (a top-level value that is not an object) or
 * KUBE_ETOOLARGE (a frame over max_frame). Errors set kube_error_last(). */
int kube__json_splitter_next(kube__json_splitter *s, const char **frame, size_t *len);
/* Non-zero when bytes of an incomplete frame are buffered. */
int kube__json_splitter_partial(const kube__json_splitter *s);
/* The buffer that raw reads should append to (compacted first). */
kube__buf *kube__json_splitter_buf(kube__json_splitter *s);

#endif
