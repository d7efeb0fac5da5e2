/*
 * Internal watch entry points (for the reflector): read events without
 * building a cJSON tree when the caller decodes the object itself.
 */
#ifndef KUBE_REST_WATCH_H
#define KUBE_REST_WATCH_H

#include "common.h"

/*
 * As kube_watch_next(), but an ADDED, MODIFIED or DELETED event in the form
 * every API server sends, {"type":"T","object":{...}} (any whitespace
 * between the tokens), is returned without parsing it: ev->type, ev->raw and
 * ev->raw_len are set, ev->object is NULL, and *obj / *obj_len give the bytes
 * of the "object" member (borrowed like ev->raw). The caller must decode them
 * with a validating parser: the frame is valid JSON iff they are exactly one
 * JSON object. When that fails, kube__watch_event_parse() gives the event as
 * kube_watch_next() would have (the same error for a malformed frame).
 * Every other event is returned as kube_watch_next() returns it, with *obj
 * NULL. With buffered_only, nothing is read from the connection: when no
 * complete event is buffered, KUBE__WATCH_NONE_BUFFERED (positive) is
 * returned and *out is NULL.
 */
#define KUBE__WATCH_NONE_BUFFERED 1
int kube__watch_next_lazy(const kube_watch_event **out, kube_watch *w, int64_t idle_timeout_ms,
                          int buffered_only, const char **obj, size_t *obj_len);

/*
 * Parse the event that kube__watch_next_lazy() returned without a tree, as
 * kube_watch_next() does: 0 with ev->object set (*out is the same event), or
 * its error (KUBE_EPARSE), after which the watch is unusable as after a
 * malformed event in kube_watch_next().
 */
int kube__watch_event_parse(const kube_watch_event **out, kube_watch *w);

#endif
