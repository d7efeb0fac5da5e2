/*
 * A small YAML node tree on top of libyaml's event parser, for kubeconfig
 * files (client-go reads them with sigs.k8s.io/yaml, i.e. go-yaml v2).
 *
 * - Only the first document of a stream is loaded (as go-yaml's Unmarshal).
 * - Every node keeps the 1-based line and column where it starts.
 * - Plain scalars are resolved as go-yaml v2 does (YAML 1.1): null, bool
 *   (true/yes/on/y ...), int (Go base-0 syntax, '_' allowed), float.
 * - Aliases share the anchored node (no copy). An anchor becomes visible
 *   when its node is complete, so a node cannot contain an alias to itself:
 *   the tree is acyclic. The size of the tree with every alias expanded is
 *   bounded (KUBE__YAML_MAX_ALIAS_EXPANSION) against "billion laughs", and
 *   so is its height (KUBE__YAML_MAX_DEPTH), so recursive walks are safe.
 * - Merge keys ("<<: *base") are applied when a mapping ends; explicit keys
 *   win over merged ones, and earlier merge sources over later ones.
 * - Duplicate keys: the last one wins (go-yaml v2 decoding into a map); a
 *   mapping only keeps the winning pair, in the order of first appearance
 *   of the winning pair.
 */
#ifndef KUBE_TOOLS_CLIENTCMD_YAML_H
#define KUBE_TOOLS_CLIENTCMD_YAML_H

#include <cjson/cJSON.h>

#include "common.h"

#define KUBE__YAML_MAX_DEPTH 256
#define KUBE__YAML_MAX_ALIAS_EXPANSION 100000

typedef enum kube__yaml_type {
    KUBE__YAML_SCALAR = 1,
    KUBE__YAML_SEQUENCE,
    KUBE__YAML_MAPPING
} kube__yaml_type;

/* Resolved kind of a scalar. */
typedef enum kube__yaml_kind {
    KUBE__YAML_STR = 1,
    KUBE__YAML_NULL,
    KUBE__YAML_BOOL,
    KUBE__YAML_INT,
    KUBE__YAML_FLOAT
} kube__yaml_kind;

typedef struct kube__yaml_node kube__yaml_node;

struct kube__yaml_node {
    int type;                /* kube__yaml_type */
    int kind;                /* scalars: kube__yaml_kind */
    int boolean;             /* KUBE__YAML_BOOL: its value */
    char *value;             /* scalars: NUL-terminated (may hold NULs) */
    size_t len;              /* scalars: length of value */
    kube__yaml_node **items; /* sequence: items; mapping: key, value, key, ... */
    size_t nitems;
    size_t cap;
    size_t line, column;     /* 1-based start */
    size_t weight;           /* nodes in the expanded subtree (saturating) */
    size_t height;           /* 1 for a scalar */
    int merge;               /* a plain "<<" key */
    kube__yaml_node *next;   /* allocation list of the document */
};

typedef struct kube__yaml_doc kube__yaml_doc;

/*
 * Parse the first document of data. name is used in error messages
 * ("<name>:<line>:<col>: ..."). An empty stream gives a document whose root
 * is NULL. Errors: KUBE_ECONFIG (class YAML) with file:line:col, KUBE_ENOMEM.
 */
int kube__yaml_parse(kube__yaml_doc **out, const char *data, size_t len,
                     const char *name);
void kube__yaml_doc_free(kube__yaml_doc *doc);
const kube__yaml_node *kube__yaml_doc_root(const kube__yaml_doc *doc);

/* Mapping helpers. */
static inline size_t kube__yaml_map_size(const kube__yaml_node *m)
{
    return m->nitems / 2;
}
static inline const kube__yaml_node *kube__yaml_map_key(const kube__yaml_node *m, size_t i)
{
    return m->items[2 * i];
}
static inline const kube__yaml_node *kube__yaml_map_value(const kube__yaml_node *m, size_t i)
{
    return m->items[2 * i + 1];
}
/* The value of the scalar key `key`, or NULL. */
const kube__yaml_node *kube__yaml_map_get(const kube__yaml_node *map, const char *key);

/* True for NULL, and for a scalar that resolved to null. */
int kube__yaml_is_null(const kube__yaml_node *n);

/* "a mapping", "a sequence", "a string", "an integer", "a number",
 * "a boolean", "null": for error messages. */
const char *kube__yaml_describe(const kube__yaml_node *n);

/*
 * Convert a node to JSON as sigs.k8s.io/yaml does (null, bool, numbers,
 * strings, arrays, objects with the key's text). Non-scalar keys are
 * KUBE_ECONFIG (message without position; the caller adds it);
 * allocation failure is KUBE_ENOMEM. *out is new (cJSON_Delete).
 */
int kube__yaml_to_json(cJSON **out, const kube__yaml_node *n);

#endif
