/* Internal DeltaFIFO entry points (for the reflector). */
#ifndef KUBE_TOOLS_CACHE_DELTA_FIFO_INTERNAL_H
#define KUBE_TOOLS_CACHE_DELTA_FIFO_INTERNAL_H

#include "common.h"

#include "kube/cache/delta_fifo.h"

/*
 * n writes in order, as kube_delta_fifo_add/update/delete (types[i] is
 * KUBE_DELTA_ADDED, KUBE_DELTA_UPDATED or KUBE_DELTA_DELETED) would make
 * them one after the other, under one lock hold and with at most one
 * wake-up of the poppers. Stops at the first error: *done writes were made.
 */
int kube__delta_fifo_write_batch(kube_delta_fifo *f, const int *types, kube_object *const *objs,
                                 size_t n, size_t *done);

#endif
