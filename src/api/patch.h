/*
 * Patch algorithms as pure functions over cJSON trees, as the kube-apiserver
 * applies them: RFC 6902 JSON patch, RFC 7386 merge patch, strategic merge
 * patch (k8s.io/apimachinery/pkg/util/strategicpatch, driven by the type
 * descriptors of src/api/desc.h) and server-side apply with
 * metadata.managedFields (sigs.k8s.io/structured-merge-diff).
 *
 * All take ownership of nothing; *doc is replaced in place on success and
 * left unchanged on failure.
 * Errors: KUBE_EPARSE (malformed patch JSON), KUBE_EINVALID (a patch that
 * cannot apply: RFC 6902 test failed, path missing...), KUBE_ECONFLICT (SSA
 * conflicts), KUBE_ENOMEM; kube_error_last() says why. A few errors the
 * server answers with 400 are KUBE_EBADREQUEST: a malformed $retainKeys or
 * $setElementOrder directive, an apply configuration that is not an object
 * or holds metadata.managedFields. Where the server answers 500 the code is
 * KUBE_ESERVER: an apply configuration with fields the schema does not
 * declare, a strategic patch with an unknown $patch directive, "$patch:
 * merge" in a list or a list element without its merge key.
 *
 * Differences from the real server are documented at the top of patch.c.
 */
#ifndef KUBE_API_PATCH_H
#define KUBE_API_PATCH_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "api/desc.h"

/* RFC 6902 JSON patch: patch is a JSON array of operations. */
int kube__json_patch_apply(cJSON **doc, const char *patch, size_t len);

/* RFC 7386 JSON merge patch. */
int kube__merge_patch_apply(cJSON **doc, const char *patch, size_t len);

/* Strategic merge patch; t: schema of *doc (NULL: merge-patch semantics). */
int kube__strategic_merge_patch_apply(cJSON **doc, const char *patch, size_t len,
                                      const kube_api_type *t);

/*
 * Server-side apply: merge the applied configuration into *live as field
 * manager `manager`, maintaining metadata.managedFields (operation Apply,
 * FieldsV1); conflicts with other managers' fields that would change value
 * -> KUBE_ECONFLICT with *conflicts_out (may be NULL) set to a new cJSON
 * array of {"field": ".spec.replicas", "manager": "other"} unless force.
 * *live may be NULL (create). t may be NULL (unstructured: lists are atomic,
 * maps granular). now: RFC3339 time string.
 */
int kube__server_side_apply(cJSON **live, const char *applied, size_t len,
                            const kube_api_type *t, const char *manager, int force,
                            const char *now, cJSON **conflicts_out);

/*
 * Record an Update-operation manager's ownership after a PUT/PATCH by
 * `manager` (fields that changed from old to new become owned by it, removed
 * from others), as the real server does. oldobj may be NULL (create).
 * newobj's metadata.managedFields is rewritten.
 */
int kube__managed_fields_update(cJSON *newobj, const cJSON *oldobj, const kube_api_type *t,
                                const char *manager, const char *now);

/* ---- helpers also usable by the engine ---- */

/* Resolve an RFC 6901 JSON pointer in doc; NULL when absent. */
cJSON *kube__json_pointer_get(cJSON *doc, const char *pointer);

/* Apply an already-parsed merge patch (RFC 7386) to *doc. */
int kube__merge_patch_apply_json(cJSON **doc, const cJSON *patch);

/* Apply an already-parsed strategic merge patch to *doc. */
int kube__strategic_merge_patch_apply_json(cJSON **doc, const cJSON *patch,
                                           const kube_api_type *t);

/* Drop the empty lists and maps of optional fields, as Go's omitempty does
 * when the server encodes a typed object (a patch that empties a list or
 * map leaves [] or {} in the cJSON result; the server stores no field). */
void kube__json_omit_empty(cJSON *doc, const kube_api_type *t);

#endif
