/*
 * Label and field selectors (k8s.io/apimachinery/pkg/labels and
 * pkg/fields): parse the query-string syntax and match objects, through a
 * lookup callback so that the same selector works on cJSON objects (the
 * fake API server) and on decoded objects (informers, listers).
 *
 * Label syntax: comma-separated requirements
 *   key=value, key==value, key!=value, key in (a,b), key notin (a,b),
 *   key (exists), !key (does not exist), key>1, key<1.
 * Field syntax: key=value, key==value, key!=value (values may escape
 *   ',' '=' '!' and '\' with a backslash).
 * Every requirement must hold (AND). An empty selector matches everything.
 */
#ifndef KUBE_API_SELECTOR_H
#define KUBE_API_SELECTOR_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util/buf.h"

typedef enum kube__sel_op {
    KUBE__SEL_EQ = 1,     /* = or == */
    KUBE__SEL_NEQ,        /* != (also true when the key is absent) */
    KUBE__SEL_IN,
    KUBE__SEL_NOTIN,      /* also true when the key is absent */
    KUBE__SEL_EXISTS,
    KUBE__SEL_NOTEXISTS,
    KUBE__SEL_GT,
    KUBE__SEL_LT
} kube__sel_op;

typedef struct kube__sel_req {
    char *key;
    int op;          /* kube__sel_op */
    char **values;   /* EQ/NEQ/GT/LT: one; IN/NOTIN: n */
    size_t nvalues;
} kube__sel_req;

typedef struct kube__selector {
    kube__sel_req *reqs;
    size_t n;
} kube__selector;

/* Look up key: 1 with *value (borrowed) when present, 0 when absent. */
typedef int (*kube__sel_lookup)(void *ctx, const char *key, const char **value);

/* Parse a label selector. NULL or "" is the empty selector. On a syntax
 * error returns KUBE_EBADREQUEST and *err (may be NULL) receives a new
 * message (kube__free) as apimachinery words it; KUBE_ENOMEM. */
int kube__label_selector_parse(kube__selector **out, const char *text, char **err);
/* Parse a field selector (only =, ==, !=). Errors as above. */
int kube__field_selector_parse(kube__selector **out, const char *text, char **err);
void kube__selector_free(kube__selector *sel);
/* Non-zero when the selector has no requirement (or is NULL). */
int kube__selector_empty(const kube__selector *sel);

/* Label syntax checks (metav1 validation): a qualified name with an
 * optional DNS-subdomain prefix; a value of at most 63 characters. */
int kube__label_key_valid(const char *key);
int kube__label_value_valid(const char *value);

/* Match with a lookup callback. NULL selector matches. */
int kube__selector_matches(const kube__selector *sel, kube__sel_lookup lookup, void *ctx);
/* Match a label selector against a JSON object of string values (e.g.
 * metadata.labels; NULL: no labels). */
int kube__label_selector_matches_json(const kube__selector *sel, const cJSON *labels);

/* Write a metav1.LabelSelector ({matchLabels, matchExpressions}) in the
 * string syntax (as metav1.FormatLabelSelector; "" for an empty one). A
 * plain string map (ReplicationController spec.selector) is accepted too.
 * Returns 0, KUBE_EINVAL (an unknown operator) or KUBE_ENOMEM. */
int kube__label_selector_format_json(kube__buf *out, const cJSON *selector);

#endif
