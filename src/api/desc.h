/*
 * Type descriptors: the tables generated from the OpenAPI documents
 * (tools/codegen) that drive the one generic engine (src/api/engine.c) for
 * decode, encode, free, copy and compare, as protobuf-c's descriptors do.
 *
 * Storage of a field in its struct, by container and kind:
 *
 *   container  kind          storage at `offset`                 aux_offset           keys_offset
 *   SCALAR     STRING/RAW    char *                              -                    -
 *   SCALAR     BOOL          int                                 int has_ (if OPTIONAL flag)
 *   SCALAR     INT32         int32_t                             int has_ (OPTIONAL)
 *   SCALAR     INT64         int64_t                             int has_ (OPTIONAL)
 *   SCALAR     DOUBLE        double                              int has_ (OPTIONAL)
 *   SCALAR     INTORSTR      kube_int_or_string                  -
 *   SCALAR     OBJECT        T *                                 -
 *   ARRAY      any           E *items (E: char*, int, int32_t,   size_t count
 *                            int64_t, double, kube_int_or_string,
 *                            or T by value for OBJECT)
 *   MAP        any           E *values (as ARRAY)                size_t count         char **keys
 *
 * An absent ARRAY/MAP has items/keys NULL; a present empty one has a
 * non-NULL pointer (kube__api_empty) and count 0. RAW is any JSON value
 * kept as its compact text. Every struct has a kube_api_unknown * at
 * type->unknown_offset.
 */
#ifndef KUBE_API_DESC_H
#define KUBE_API_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "kube/api/runtime.h"

enum kube__field_kind {
    KUBE__FK_STRING = 1,
    KUBE__FK_BOOL,
    KUBE__FK_INT32,
    KUBE__FK_INT64,
    KUBE__FK_DOUBLE,
    KUBE__FK_INTORSTR,
    KUBE__FK_RAW,
    KUBE__FK_OBJECT
};

enum kube__field_container {
    KUBE__FC_SCALAR = 0,
    KUBE__FC_ARRAY,
    KUBE__FC_MAP
};

enum kube__field_flags {
    KUBE__FF_OPTIONAL = 1,   /* scalar with a has_ flag at aux_offset */
    KUBE__FF_REQUIRED = 2,   /* listed in the schema's "required" */
    KUBE__FF_LIST_MAP = 4,   /* x-kubernetes-list-type: map */
    KUBE__FF_LIST_SET = 8,   /* x-kubernetes-list-type: set */
    KUBE__FF_ATOMIC = 16     /* x-kubernetes-list-type / map-type: atomic */
};

typedef struct kube__field {
    const char *name;          /* JSON name */
    uint32_t offset;
    uint32_t aux_offset;       /* has_ flag or count */
    uint32_t keys_offset;      /* maps only */
    uint8_t kind;              /* kube__field_kind */
    uint8_t container;         /* kube__field_container */
    uint8_t flags;             /* kube__field_flags */
    const struct kube_api_type *type; /* OBJECT element type */
    const char *merge_key;     /* x-kubernetes-patch-merge-key, or NULL */
    const char *patch_strategy;/* x-kubernetes-patch-strategy, or NULL */
    const char *const *list_map_keys; /* x-kubernetes-list-map-keys, NULL-terminated, or NULL */
} kube__field;

struct kube_api_type {
    const char *name;          /* OpenAPI schema name */
    const char *c_name;        /* C struct name, e.g. "kube_corev1_pod" */
    uint32_t size;             /* sizeof the struct */
    uint32_t unknown_offset;   /* offset of kube_api_unknown * */
    uint32_t nfields;
    const kube__field *fields; /* in schema (encode) order */
    const uint16_t *by_name;   /* indexes of fields sorted by strcmp(name) */
    const char *group;         /* x-kubernetes-group-version-kind, or NULL */
    const char *version;
    const char *kind;
};

/* The non-NULL pointer that marks a present empty array or map. */
extern char kube__api_empty[1];

/* The field of t called name (binary search over by_name), or NULL. */
const kube__field *kube__api_field(const kube_api_type *t, const char *name, size_t len);

#endif
