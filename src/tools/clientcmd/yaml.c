#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

#include "tools/clientcmd/yaml.h"

struct kube__yaml_doc {
    kube__yaml_node *root;
    kube__yaml_node *all; /* every node, for freeing */
};

typedef struct anchor {
    char *name;
    kube__yaml_node *node;
} anchor;

typedef struct frame {
    kube__yaml_node *node;
    char *anchor; /* registered when the node is complete */
} frame;

typedef struct loader {
    const char *name;
    const char *data;
    size_t len;
    kube__yaml_doc *doc;
    frame stack[KUBE__YAML_MAX_DEPTH];
    size_t depth;
    anchor *anchors;
    size_t nanchors, canchors;
    size_t expansion; /* nodes added by alias references */
} loader;

#define TAG_PREFIX "tag:yaml.org,2002:"

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static int syntax_error(const loader *l, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int syntax_error(const loader *l, size_t line, size_t col, const char *fmt, ...)
{
    kube__buf b = KUBE__BUF_INIT;
    va_list ap;
    int error;

    va_start(ap, fmt);
    error = kube__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (error < 0) {
        kube__buf_dispose(&b);
        return nomem();
    }
    error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_YAML, "%s:%zu:%zu: invalid YAML: %s",
                            l->name, line, col, b.ptr);
    kube__buf_dispose(&b);
    return error;
}

/* ---- scalar resolution (go-yaml v2, YAML 1.1) ---- */

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "y", "Y", "yes", "Yes", "YES", "true", "True",
                                          "TRUE", "on", "On", "ON", NULL };
static const char *const false_words[] = { "n", "N", "no", "No", "NO", "false", "False",
                                           "FALSE", "off", "Off", "OFF", NULL };
static const char *const special_floats[] = { ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
                                              "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                                              "-.INF", NULL };

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Go's strconv.ParseInt/ParseUint with base 0, on s without '_'.
 * Returns 1 when s is an integer that fits (int64, or uint64 unsigned). */
static int parse_go_int(const char *s, int *neg_out, uint64_t *mag_out)
{
    int neg = 0, base = 10;
    uint64_t mag = 0;
    const char *p = s;

    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && p[1] != '\0') {
        base = 8;
        p += 1;
    }
    if (!*p)
        return 0;
    for (; *p; p++) {
        int d = digit_value(*p);
        if (d >= base)
            return 0;
        if (mag > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return 0;
        mag = mag * (uint64_t)base + (uint64_t)d;
    }
    if (neg && mag > (uint64_t)INT64_MAX + 1)
        return 0;
    if (neg_out)
        *neg_out = neg;
    if (mag_out)
        *mag_out = mag;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int is_yaml_float(const char *p)
{
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '.') {
        p++;
        if (!is_digit(*p))
            return 0;
        while (is_digit(*p))
            p++;
    } else {
        if (!is_digit(*p))
            return 0;
        while (is_digit(*p))
            p++;
        if (*p == '.') {
            p++;
            while (is_digit(*p))
                p++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return 0;
        while (is_digit(*p))
            p++;
    }
    return *p == '\0';
}

/* Copy of s without '_' (NULL on allocation failure). */
static char *strip_underscores(const char *s, size_t len)
{
    char *o = kube__malloc(len + 1), *q = o;
    size_t i;
    if (!o)
        return NULL;
    for (i = 0; i < len; i++)
        if (s[i] != '_')
            *q++ = s[i];
    *q = '\0';
    return o;
}

static int resolve_plain(kube__yaml_node *n)
{
    const char *s = n->value;
    char *plain;
    char c = s[0];

    n->kind = KUBE__YAML_STR;
    if (strlen(s) != n->len)
        return 0;
    if (in_list(s, null_words)) {
        n->kind = KUBE__YAML_NULL;
        return 0;
    }
    if (in_list(s, true_words) || in_list(s, false_words)) {
        n->kind = KUBE__YAML_BOOL;
        n->boolean = in_list(s, true_words);
        return 0;
    }
    if (in_list(s, special_floats)) {
        n->kind = KUBE__YAML_FLOAT;
        return 0;
    }
    if (c == '.') {
        if (is_yaml_float(s))
            n->kind = KUBE__YAML_FLOAT;
        return 0;
    }
    if (!(is_digit(c) || c == '+' || c == '-'))
        return 0;
    if (!(plain = strip_underscores(s, n->len)))
        return nomem();
    if (parse_go_int(plain, NULL, NULL))
        n->kind = KUBE__YAML_INT;
    else if (is_yaml_float(plain))
        n->kind = KUBE__YAML_FLOAT;
    kube__free_secret(plain); /* scalars may be secrets */
    return 0;
}

/* ---- tree building ---- */

static kube__yaml_node *node_new(loader *l, int type, const yaml_mark_t *mark)
{
    kube__yaml_node *n = kube__calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->type = type;
    n->line = mark->line + 1;
    n->column = mark->column + 1;
    n->weight = 1;
    n->height = 1;
    n->next = l->doc->all;
    l->doc->all = n;
    return n;
}

static int node_push(kube__yaml_node *parent, kube__yaml_node *child)
{
    if (parent->nitems == parent->cap) {
        size_t ncap = parent->cap ? parent->cap * 2 : 4;
        kube__yaml_node **ni = kube__realloc(parent->items, ncap * sizeof(*ni));
        if (!ni)
            return nomem();
        parent->items = ni;
        parent->cap = ncap;
    }
    parent->items[parent->nitems++] = child;
    return 0;
}

static int add_child(loader *l, kube__yaml_node *n)
{
    if (l->depth == 0) {
        if (!l->doc->root)
            l->doc->root = n;
        return 0;
    }
    return node_push(l->stack[l->depth - 1].node, n);
}

static int register_anchor(loader *l, const char *name, kube__yaml_node *n)
{
    char *copy;
    if (l->nanchors == l->canchors) {
        size_t ncap = l->canchors ? l->canchors * 2 : 8;
        anchor *na = kube__realloc(l->anchors, ncap * sizeof(*na));
        if (!na)
            return nomem();
        l->anchors = na;
        l->canchors = ncap;
    }
    if (!(copy = kube__strdup(name)))
        return nomem();
    l->anchors[l->nanchors].name = copy;
    l->anchors[l->nanchors].node = n;
    l->nanchors++;
    return 0;
}

static kube__yaml_node *find_anchor(const loader *l, const char *name)
{
    size_t i = l->nanchors;
    while (i-- > 0) /* a later definition of the same name wins */
        if (strcmp(l->anchors[i].name, name) == 0)
            return l->anchors[i].node;
    return NULL;
}

static void compute_size(kube__yaml_node *n)
{
    size_t i, w = 1, h = 0;
    for (i = 0; i < n->nitems; i++) {
        w = sat_add(w, n->items[i]->weight);
        if (n->items[i]->height > h)
            h = n->items[i]->height;
    }
    n->weight = w;
    n->height = h + 1;
}

typedef struct keyref {
    const kube__yaml_node *key;
    size_t idx;
} keyref;

static int keycmp(const kube__yaml_node *a, const kube__yaml_node *b)
{
    size_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->value, b->value, m);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int keyref_cmp(const void *pa, const void *pb)
{
    const keyref *a = pa, *b = pb;
    int c = keycmp(a->key, b->key);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Keep only the last pair of every key (order of the kept pairs preserved). */
static int dedupe_pairs(kube__yaml_node *m)
{
    size_t n = m->nitems / 2, i, j, k;
    keyref *refs;
    unsigned char *drop;

    if (n < 2)
        return 0;
    refs = kube__malloc(n * sizeof(*refs));
    drop = kube__calloc(n, 1);
    if (!refs || !drop) {
        kube__free(refs);
        kube__free(drop);
        return nomem();
    }
    for (i = 0; i < n; i++) {
        refs[i].key = m->items[2 * i];
        refs[i].idx = i;
    }
    qsort(refs, n, sizeof(*refs), keyref_cmp);
    for (i = 0; i + 1 < n; i++)
        if (keycmp(refs[i].key, refs[i + 1].key) == 0)
            drop[refs[i].idx] = 1;
    for (i = 0, k = 0; i < n; i++) {
        if (drop[i])
            continue;
        for (j = 0; j < 2; j++)
            m->items[2 * k + j] = m->items[2 * i + j];
        k++;
    }
    m->nitems = 2 * k;
    kube__free(refs);
    kube__free(drop);
    return 0;
}

static int append_pairs(kube__yaml_node **items, size_t *n, const kube__yaml_node *src)
{
    size_t i;
    for (i = 0; i < src->nitems; i++)
        items[(*n)++] = src->items[i];
    return 0;
}

/* Apply "<<" merge keys: merged pairs first (later sources first, so that
 * earlier ones win), then the explicit pairs; dedupe keeps the last. */
static int apply_merges(loader *l, kube__yaml_node *m)
{
    size_t i, j, total = 0, n = 0;
    kube__yaml_node **items;

    for (i = 0; i < m->nitems; i += 2) {
        const kube__yaml_node *k = m->items[i], *v = m->items[i + 1];
        if (!k->merge) {
            total += 2;
            continue;
        }
        /* errors point at the "<<" key: v may be an alias */
        if (v->type == KUBE__YAML_MAPPING) {
            total += v->nitems;
            continue;
        }
        if (v->type == KUBE__YAML_SEQUENCE) {
            for (j = 0; j < v->nitems; j++) {
                if (v->items[j]->type != KUBE__YAML_MAPPING)
                    return syntax_error(l, k->line, k->column,
                                        "map merge requires a mapping or a sequence of "
                                        "mappings, found a sequence holding %s",
                                        kube__yaml_describe(v->items[j]));
                total += v->items[j]->nitems;
            }
            continue;
        }
        return syntax_error(l, k->line, k->column,
                            "map merge requires a mapping or a sequence of mappings, found %s",
                            kube__yaml_describe(v));
    }
    if (!(items = kube__malloc((total ? total : 1) * sizeof(*items))))
        return nomem();
    i = m->nitems;
    while (i >= 2) {
        const kube__yaml_node *v;
        i -= 2;
        if (!m->items[i]->merge)
            continue;
        v = m->items[i + 1];
        if (v->type == KUBE__YAML_MAPPING) {
            append_pairs(items, &n, v);
        } else {
            j = v->nitems;
            while (j-- > 0)
                append_pairs(items, &n, v->items[j]);
        }
    }
    for (i = 0; i < m->nitems; i += 2) {
        if (m->items[i]->merge)
            continue;
        items[n++] = m->items[i];
        items[n++] = m->items[i + 1];
    }
    kube__free(m->items);
    m->items = items;
    m->nitems = n;
    m->cap = total ? total : 1;
    return 0;
}

static int finish_mapping(loader *l, kube__yaml_node *m)
{
    size_t i;
    int has_merge = 0, error;

    for (i = 0; i < m->nitems; i += 2) {
        const kube__yaml_node *k = m->items[i];
        if (k->type != KUBE__YAML_SCALAR)
            return syntax_error(l, k->line, k->column, "mapping keys must be scalars, found %s",
                                kube__yaml_describe(k));
        if (k->merge)
            has_merge = 1;
    }
    if (has_merge && (error = apply_merges(l, m)) < 0)
        return error;
    return dedupe_pairs(m);
}

static int finish_node(loader *l, kube__yaml_node *n, char *anchor_name)
{
    int error;
    if (n->type == KUBE__YAML_MAPPING && (error = finish_mapping(l, n)) < 0)
        return error;
    compute_size(n);
    if (n->height > KUBE__YAML_MAX_DEPTH)
        return syntax_error(l, n->line, n->column, "nesting deeper than %d levels (with aliases)",
                            KUBE__YAML_MAX_DEPTH);
    if (anchor_name && (error = register_anchor(l, anchor_name, n)) < 0)
        return error;
    return add_child(l, n);
}

static int on_scalar(loader *l, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    kube__yaml_node *n = node_new(l, KUBE__YAML_SCALAR, &ev->start_mark);
    int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    int error;

    if (!n || !(n->value = kube__memdup(ev->data.scalar.value, ev->data.scalar.length)))
        return nomem();
    n->len = ev->data.scalar.length;
    n->kind = KUBE__YAML_STR;
    if (tag && strcmp(tag, "!") != 0) {
        if (strcmp(tag, TAG_PREFIX "null") == 0)
            n->kind = KUBE__YAML_NULL;
        else if (strcmp(tag, TAG_PREFIX "merge") == 0)
            n->merge = strcmp(n->value, "<<") == 0;
        else if (strcmp(tag, TAG_PREFIX "str") != 0 && strcmp(tag, TAG_PREFIX "binary") != 0 &&
                 (error = resolve_plain(n)) < 0)
            return error;
    } else if (!tag && plain) {
        if ((error = resolve_plain(n)) < 0)
            return error;
        n->merge = strcmp(n->value, "<<") == 0;
    }
    return finish_node(l, n, (char *)ev->data.scalar.anchor);
}

static int on_alias(loader *l, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    kube__yaml_node *target = find_anchor(l, name);
    if (!target)
        return syntax_error(l, ev->start_mark.line + 1, ev->start_mark.column + 1,
                            "unknown anchor '%s' referenced", name);
    l->expansion = sat_add(l->expansion, target->weight);
    if (l->expansion > KUBE__YAML_MAX_ALIAS_EXPANSION)
        return syntax_error(l, ev->start_mark.line + 1, ev->start_mark.column + 1,
                            "document contains excessive aliasing (more than %d nodes "
                            "through aliases)", KUBE__YAML_MAX_ALIAS_EXPANSION);
    return add_child(l, target);
}

static int on_start(loader *l, const yaml_event_t *ev, int type, const yaml_char_t *anchor_name)
{
    kube__yaml_node *n;
    frame *f;
    if (l->depth >= KUBE__YAML_MAX_DEPTH)
        return syntax_error(l, ev->start_mark.line + 1, ev->start_mark.column + 1,
                            "nesting deeper than %d levels", KUBE__YAML_MAX_DEPTH);
    if (!(n = node_new(l, type, &ev->start_mark)))
        return nomem();
    f = &l->stack[l->depth];
    f->node = n;
    f->anchor = NULL;
    if (anchor_name && !(f->anchor = kube__strdup((const char *)anchor_name)))
        return nomem();
    l->depth++;
    return 0;
}

static int on_end(loader *l)
{
    frame f = l->stack[--l->depth];
    int error = finish_node(l, f.node, f.anchor);
    kube__free(f.anchor);
    return error;
}

static void position_of_offset(const loader *l, size_t off, size_t *line, size_t *col)
{
    size_t i;
    *line = 1;
    *col = 1;
    for (i = 0; i < off && i < l->len; i++) {
        if (l->data[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int parser_error(const loader *l, const yaml_parser_t *p)
{
    size_t line, col;
    const char *problem = p->problem ? p->problem : "unknown error";

    if (p->error == YAML_MEMORY_ERROR)
        return nomem();
    if (p->error == YAML_READER_ERROR) {
        position_of_offset(l, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return syntax_error(l, line, col, "%s (byte 0x%02x)", problem,
                                (unsigned)p->problem_value & 0xffu);
        return syntax_error(l, line, col, "%s", problem);
    }
    line = p->problem_mark.line + 1;
    col = p->problem_mark.column + 1;
    if (p->context)
        return syntax_error(l, line, col, "%s (%s at line %zu, column %zu)", problem, p->context,
                            (size_t)p->context_mark.line + 1, (size_t)p->context_mark.column + 1);
    return syntax_error(l, line, col, "%s", problem);
}

void kube__yaml_doc_free(kube__yaml_doc *doc)
{
    kube__yaml_node *n, *next;
    if (!doc)
        return;
    for (n = doc->all; n; n = next) {
        next = n->next;
        if (n->value) /* kubeconfigs hold tokens and keys: wipe scalars */
            kube__free_secret_n(n->value, n->len + 1);
        kube__free(n->items);
        kube__free(n);
    }
    kube__free(doc);
}

int kube__yaml_parse(kube__yaml_doc **out, const char *data, size_t len, const char *name)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    loader l;
    int error = 0, done = 0, have_event = 0;
    size_t i;

    *out = NULL;
    memset(&l, 0, sizeof(l));
    l.name = name ? name : "<data>";
    l.data = data;
    l.len = len;
    if (!(l.doc = kube__calloc(1, sizeof(*l.doc))))
        return nomem();
    if (!yaml_parser_initialize(&parser)) {
        kube__free(l.doc);
        return nomem();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(data ? data : ""), len);

    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            error = parser_error(&l, &parser);
            goto out;
        }
        have_event = 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT: /* only the first document */
            done = 1;
            break;
        case YAML_SCALAR_EVENT:
            error = on_scalar(&l, &ev);
            break;
        case YAML_ALIAS_EVENT:
            error = on_alias(&l, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            error = on_start(&l, &ev, KUBE__YAML_SEQUENCE, ev.data.sequence_start.anchor);
            break;
        case YAML_MAPPING_START_EVENT:
            error = on_start(&l, &ev, KUBE__YAML_MAPPING, ev.data.mapping_start.anchor);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            error = on_end(&l);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        have_event = 0;
        if (error < 0)
            goto out;
    }
    *out = l.doc;
    l.doc = NULL;

out:
    if (have_event)
        yaml_event_delete(&ev);
    yaml_parser_delete(&parser);
    while (l.depth > 0)
        kube__free(l.stack[--l.depth].anchor);
    for (i = 0; i < l.nanchors; i++)
        kube__free(l.anchors[i].name);
    kube__free(l.anchors);
    kube__yaml_doc_free(l.doc);
    return error;
}

const kube__yaml_node *kube__yaml_doc_root(const kube__yaml_doc *doc)
{
    return doc ? doc->root : NULL;
}

const kube__yaml_node *kube__yaml_map_get(const kube__yaml_node *map, const char *key)
{
    size_t i, klen = strlen(key);
    if (!map || map->type != KUBE__YAML_MAPPING)
        return NULL;
    for (i = 0; i < map->nitems; i += 2) {
        const kube__yaml_node *k = map->items[i];
        if (k->len == klen && memcmp(k->value, key, klen) == 0)
            return map->items[i + 1];
    }
    return NULL;
}

int kube__yaml_is_null(const kube__yaml_node *n)
{
    return !n || (n->type == KUBE__YAML_SCALAR && n->kind == KUBE__YAML_NULL);
}

const char *kube__yaml_describe(const kube__yaml_node *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case KUBE__YAML_MAPPING:
        return "a mapping";
    case KUBE__YAML_SEQUENCE:
        return "a sequence";
    default:
        break;
    }
    switch (n->kind) {
    case KUBE__YAML_NULL:
        return "null";
    case KUBE__YAML_BOOL:
        return "a boolean";
    case KUBE__YAML_INT:
        return "an integer";
    case KUBE__YAML_FLOAT:
        return "a number";
    default:
        return "a string";
    }
}

/* ---- JSON ---- */

static cJSON *scalar_to_json(const kube__yaml_node *n)
{
    char *plain;
    cJSON *j = NULL;

    switch (n->kind) {
    case KUBE__YAML_NULL:
        return cJSON_CreateNull();
    case KUBE__YAML_BOOL:
        return cJSON_CreateBool(n->boolean);
    case KUBE__YAML_INT:
    case KUBE__YAML_FLOAT: {
        int neg = 0;
        uint64_t mag = 0;
        if (in_list(n->value, special_floats))
            return cJSON_CreateString(n->value); /* JSON has no NaN/Inf */
        if (!(plain = strip_underscores(n->value, n->len)))
            return NULL;
        if (n->kind == KUBE__YAML_INT && parse_go_int(plain, &neg, &mag)) {
            char num[32];
            snprintf(num, sizeof(num), "%s%llu", neg && mag ? "-" : "",
                     (unsigned long long)mag);
            j = cJSON_CreateRaw(num);
        } else {
            j = cJSON_CreateNumber(strtod(plain, NULL));
        }
        kube__free_secret(plain);
        return j;
    }
    default:
        return cJSON_CreateString(n->value);
    }
}

/* The JSON key of a scalar key, as sigs.k8s.io/yaml: YAML 1.1 booleans
 * become "true"/"false" and integers their decimal value ({n: 1} gives
 * {"false": 1}); anything else keeps its text. */
static const char *json_key(char *buf, size_t n, const kube__yaml_node *k)
{
    int neg = 0;
    uint64_t mag = 0;
    if (k->kind == KUBE__YAML_BOOL)
        return k->boolean ? "true" : "false";
    if (k->kind == KUBE__YAML_INT && k->len < 64) {
        char plain[64];
        size_t i, o = 0;
        for (i = 0; i < k->len; i++)
            if (k->value[i] != '_')
                plain[o++] = k->value[i];
        plain[o] = '\0';
        if (parse_go_int(plain, &neg, &mag)) {
            snprintf(buf, n, "%s%llu", neg && mag ? "-" : "", (unsigned long long)mag);
            return buf;
        }
    }
    return k->value;
}

static int to_json(cJSON **out, const kube__yaml_node *n)
{
    cJSON *j = NULL, *child = NULL;
    char keybuf[32];
    size_t i;
    int error = 0;

    *out = NULL;
    switch (n->type) {
    case KUBE__YAML_SCALAR:
        if (!(j = scalar_to_json(n)))
            return nomem();
        *out = j;
        return 0;
    case KUBE__YAML_SEQUENCE:
        if (!(j = cJSON_CreateArray()))
            return nomem();
        for (i = 0; i < n->nitems; i++) {
            if ((error = to_json(&child, n->items[i])) < 0)
                goto fail;
            if (!cJSON_AddItemToArray(j, child)) {
                cJSON_Delete(child);
                error = nomem();
                goto fail;
            }
        }
        *out = j;
        return 0;
    default:
        if (!(j = cJSON_CreateObject()))
            return nomem();
        for (i = 0; i < n->nitems; i += 2) {
            const kube__yaml_node *k = n->items[i];
            if (k->type != KUBE__YAML_SCALAR) {
                error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                        "mapping keys must be scalars");
                goto fail;
            }
            if ((error = to_json(&child, n->items[i + 1])) < 0)
                goto fail;
            if (!cJSON_AddItemToObject(j, json_key(keybuf, sizeof(keybuf), k), child)) {
                cJSON_Delete(child);
                error = nomem();
                goto fail;
            }
        }
        *out = j;
        return 0;
    }
fail:
    cJSON_Delete(j);
    return error;
}

int kube__yaml_to_json(cJSON **out, const kube__yaml_node *n)
{
    *out = NULL;
    if (!n)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL node");
    return to_json(out, n);
}
