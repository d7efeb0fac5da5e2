/*
 * Label and field selectors: parser and matcher (see selector.h). The
 * label lexer and grammar follow apimachinery's pkg/labels/selector.go.
 */
#include "common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/selector.h"

static void req_dispose(kube__sel_req *r)
{
    size_t i;
    kube__free(r->key);
    for (i = 0; i < r->nvalues; i++)
        kube__free(r->values[i]);
    kube__free(r->values);
}

void kube__selector_free(kube__selector *sel)
{
    size_t i;
    if (!sel)
        return;
    for (i = 0; i < sel->n; i++)
        req_dispose(&sel->reqs[i]);
    kube__free(sel->reqs);
    kube__free(sel);
}

int kube__selector_empty(const kube__selector *sel)
{
    return !sel || sel->n == 0;
}

static int set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_err(char **err, const char *fmt, ...)
{
    kube__buf b = KUBE__BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    if (kube__buf_vprintf(&b, fmt, ap) != 0) {
        va_end(ap);
        kube__buf_dispose(&b);
        return KUBE_ENOMEM;
    }
    va_end(ap);
    if (err)
        *err = kube__buf_detach(&b);
    else
        kube__buf_dispose(&b);
    return KUBE_EBADREQUEST;
}

static int sel_push(kube__selector *sel, kube__sel_req *r)
{
    kube__sel_req *n = kube__realloc(sel->reqs, (sel->n + 1) * sizeof(*n));
    if (!n)
        return KUBE_ENOMEM;
    sel->reqs = n;
    sel->reqs[sel->n++] = *r;
    memset(r, 0, sizeof(*r));
    return 0;
}

static int req_add_value(kube__sel_req *r, const char *v, size_t len)
{
    char **n = kube__realloc(r->values, (r->nvalues + 1) * sizeof(*n));
    if (!n)
        return KUBE_ENOMEM;
    r->values = n;
    if (!(r->values[r->nvalues] = kube__strndup(v, len)))
        return KUBE_ENOMEM;
    r->nvalues++;
    return 0;
}

/* ---- label lexer ---- */

enum tok {
    T_END = 0, T_IDENT, T_EQ, T_DEQ, T_NEQ, T_IN, T_NOTIN, T_OPEN, T_CLOSE,
    T_COMMA, T_BANG, T_GT, T_LT, T_ERR
};

typedef struct lexer {
    const char *s;
    size_t pos;
    const char *tok;
    size_t toklen;
} lexer;

static int is_special(char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static int lex(lexer *l)
{
    const char *s = l->s;
    while (s[l->pos] && isspace((unsigned char)s[l->pos]))
        l->pos++;
    l->tok = s + l->pos;
    l->toklen = 0;
    if (!s[l->pos])
        return T_END;
    switch (s[l->pos]) {
    case '(': l->pos++; l->toklen = 1; return T_OPEN;
    case ')': l->pos++; l->toklen = 1; return T_CLOSE;
    case ',': l->pos++; l->toklen = 1; return T_COMMA;
    case '>': l->pos++; l->toklen = 1; return T_GT;
    case '<': l->pos++; l->toklen = 1; return T_LT;
    case '=':
        if (s[l->pos + 1] == '=') {
            l->pos += 2; l->toklen = 2; return T_DEQ;
        }
        l->pos++; l->toklen = 1; return T_EQ;
    case '!':
        if (s[l->pos + 1] == '=') {
            l->pos += 2; l->toklen = 2; return T_NEQ;
        }
        l->pos++; l->toklen = 1; return T_BANG;
    default:
        break;
    }
    while (s[l->pos] && !isspace((unsigned char)s[l->pos]) && !is_special(s[l->pos]))
        l->pos++;
    l->toklen = (size_t)(s + l->pos - l->tok);
    if (l->toklen == 2 && memcmp(l->tok, "in", 2) == 0)
        return T_IN;
    if (l->toklen == 5 && memcmp(l->tok, "notin", 5) == 0)
        return T_NOTIN;
    return T_IDENT;
}

static int peek(lexer *l)
{
    lexer c = *l;
    return lex(&c);
}

static const char *tok_name(int t)
{
    switch (t) {
    case T_END: return "EOS";
    case T_IDENT: return "identifier";
    case T_OPEN: return "(";
    case T_CLOSE: return ")";
    case T_COMMA: return ",";
    default: return "operator";
    }
}

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Qualified name part: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, <= 63. */
static int valid_name_part(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || len > 63 || !alnum(s[0]) || !alnum(s[len - 1]))
        return 0;
    for (i = 0; i < len; i++)
        if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return 1;
}

static int valid_label_key(const char *s, size_t len)
{
    const char *slash = memchr(s, '/', len);
    if (slash) {
        size_t plen = (size_t)(slash - s), i;
        if (plen == 0 || plen > 253)
            return 0;
        for (i = 0; i < plen; i++)
            if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
                  s[i] == '.'))
                return 0;
        return valid_name_part(slash + 1, len - plen - 1);
    }
    return valid_name_part(s, len);
}

static int valid_label_value(const char *s, size_t len)
{
    return len == 0 || valid_name_part(s, len);
}

int kube__label_key_valid(const char *key)
{
    return key && valid_label_key(key, strlen(key));
}

int kube__label_value_valid(const char *value)
{
    return value && valid_label_value(value, strlen(value));
}

static int check_key(const char *k, size_t len, char **err)
{
    if (!valid_label_key(k, len))
        return set_err(err,
                       "unable to parse requirement: <nil>: Invalid value: \"%.*s\": name part must "
                       "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character",
                       (int)len, k);
    return 0;
}

static int check_value(const char *v, size_t len, char **err)
{
    if (!valid_label_value(v, len))
        return set_err(err,
                       "unable to parse requirement: values[0]: Invalid value: \"%.*s\": a valid "
                       "label must be an empty string or consist of alphanumeric characters, '-', "
                       "'_' or '.', and must start and end with an alphanumeric character",
                       (int)len, v);
    return 0;
}

static int parse_label_req(lexer *l, kube__sel_req *r, char **err)
{
    int t = lex(l), rc;
    if (t == T_BANG) {
        t = lex(l);
        if (t != T_IDENT)
            return set_err(err, "unable to parse requirement: found '%.*s', expected: identifier",
                           (int)l->toklen, l->tok);
        if ((rc = check_key(l->tok, l->toklen, err)) != 0)
            return rc;
        if (!(r->key = kube__strndup(l->tok, l->toklen)))
            return KUBE_ENOMEM;
        r->op = KUBE__SEL_NOTEXISTS;
        t = peek(l);
        if (t != T_END && t != T_COMMA)
            return set_err(err, "found '%s', expected: ',' or 'end of string'", tok_name(t));
        return 0;
    }
    if (t != T_IDENT)
        return set_err(err, "found '%.*s', expected: !, identifier, or 'end of string'",
                       (int)l->toklen, t == T_END ? "" : l->tok);
    if ((rc = check_key(l->tok, l->toklen, err)) != 0)
        return rc;
    if (!(r->key = kube__strndup(l->tok, l->toklen)))
        return KUBE_ENOMEM;
    t = peek(l);
    if (t == T_END || t == T_COMMA) {
        r->op = KUBE__SEL_EXISTS;
        return 0;
    }
    t = lex(l);
    switch (t) {
    case T_EQ: case T_DEQ: case T_NEQ: case T_GT: case T_LT: {
        const char *v = "";
        size_t vl = 0;
        r->op = t == T_NEQ ? KUBE__SEL_NEQ : t == T_GT ? KUBE__SEL_GT
              : t == T_LT ? KUBE__SEL_LT : KUBE__SEL_EQ;
        t = peek(l);
        if (t == T_IDENT || t == T_IN || t == T_NOTIN) {
            lex(l);
            v = l->tok;
            vl = l->toklen;
        } else if (t != T_END && t != T_COMMA) {
            lex(l);
            return set_err(err, "found '%.*s', expected: identifier", (int)l->toklen, l->tok);
        }
        if (r->op == KUBE__SEL_GT || r->op == KUBE__SEL_LT) {
            char *end = NULL, tmp[64];
            if (vl == 0 || vl >= sizeof(tmp))
                return set_err(err, "unable to parse requirement: for 'Gt', 'Lt' operators, the "
                                    "value must be an integer");
            memcpy(tmp, v, vl);
            tmp[vl] = 0;
            (void)strtoll(tmp, &end, 10);
            if (!end || *end)
                return set_err(err, "unable to parse requirement: for 'Gt', 'Lt' operators, the "
                                    "value must be an integer");
        } else if ((rc = check_value(v, vl, err)) != 0) {
            return rc;
        }
        if ((rc = req_add_value(r, v, vl)) != 0)
            return rc;
        t = peek(l);
        if (t != T_END && t != T_COMMA)
            return set_err(err, "found '%s', expected: ',' or 'end of string'", tok_name(t));
        return 0;
    }
    case T_IN: case T_NOTIN:
        r->op = t == T_IN ? KUBE__SEL_IN : KUBE__SEL_NOTIN;
        if (lex(l) != T_OPEN)
            return set_err(err, "found '%.*s', expected: '('", (int)l->toklen, l->tok);
        for (;;) {
            t = lex(l);
            if (t == T_CLOSE && r->nvalues == 0)
                break;
            if (t == T_IDENT || t == T_IN || t == T_NOTIN) {
                if ((rc = check_value(l->tok, l->toklen, err)) != 0)
                    return rc;
                if ((rc = req_add_value(r, l->tok, l->toklen)) != 0)
                    return rc;
                t = lex(l);
            } else if (t == T_COMMA || t == T_CLOSE) {
                /* empty value, e.g. "in (a,)" */
                if ((rc = req_add_value(r, "", 0)) != 0)
                    return rc;
            } else {
                return set_err(err, "found '%.*s', expected: ',', ')' or identifier",
                               (int)l->toklen, l->tok);
            }
            if (t == T_CLOSE)
                break;
            if (t != T_COMMA)
                return set_err(err, "found '%.*s', expected: ',' or ')'", (int)l->toklen,
                               t == T_END ? "" : l->tok);
        }
        if (r->nvalues == 0)
            return set_err(err, "unable to parse requirement: for 'in', 'notin' operators, "
                                "values set can't be empty");
        t = peek(l);
        if (t != T_END && t != T_COMMA)
            return set_err(err, "found '%s', expected: ',' or 'end of string'", tok_name(t));
        return 0;
    default:
        return set_err(err, "found '%.*s', expected: in, notin, =, ==, !=, gt, lt",
                       (int)l->toklen, t == T_END ? "" : l->tok);
    }
}

int kube__label_selector_parse(kube__selector **out, const char *text, char **err)
{
    kube__selector *sel;
    lexer l;
    int rc = 0;
    *out = NULL;
    if (err)
        *err = NULL;
    if (!(sel = kube__calloc(1, sizeof(*sel))))
        return KUBE_ENOMEM;
    if (!text)
        text = "";
    l.s = text;
    l.pos = 0;
    if (peek(&l) != T_END) {
        for (;;) {
            kube__sel_req r;
            memset(&r, 0, sizeof(r));
            rc = parse_label_req(&l, &r, err);
            if (rc == 0)
                rc = sel_push(sel, &r);
            if (rc != 0) {
                req_dispose(&r);
                break;
            }
            int t = lex(&l);
            if (t == T_END)
                break;
            if (t != T_COMMA) {
                rc = set_err(err, "found '%.*s', expected: ',' or 'end of string'",
                             (int)l.toklen, l.tok);
                break;
            }
        }
    }
    if (rc != 0) {
        kube__selector_free(sel);
        return rc;
    }
    *out = sel;
    return 0;
}

/* ---- field selectors ---- */

/* Split at the first unescaped occurrence of one of the operators. */
static int field_term(kube__selector *sel, const char *t, size_t len, char **err)
{
    size_t i;
    kube__sel_req r;
    int rc;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < len; i++) {
        size_t oplen = 0;
        if (t[i] == '\\') {
            i++;
            continue;
        }
        if (t[i] == '!' && i + 1 < len && t[i + 1] == '=') {
            r.op = KUBE__SEL_NEQ;
            oplen = 2;
        } else if (t[i] == '=' && i + 1 < len && t[i + 1] == '=') {
            r.op = KUBE__SEL_EQ;
            oplen = 2;
        } else if (t[i] == '=') {
            r.op = KUBE__SEL_EQ;
            oplen = 1;
        }
        if (oplen) {
            kube__buf v = KUBE__BUF_INIT;
            size_t j;
            if (!(r.key = kube__strndup(t, i)))
                return KUBE_ENOMEM;
            for (j = i + oplen; j < len; j++) {
                if (t[j] == '\\' && j + 1 < len)
                    j++;
                if (kube__buf_putc(&v, t[j]) != 0) {
                    kube__buf_dispose(&v);
                    req_dispose(&r);
                    return KUBE_ENOMEM;
                }
            }
            rc = req_add_value(&r, v.ptr ? v.ptr : "", v.size);
            kube__buf_dispose(&v);
            if (rc == 0)
                rc = sel_push(sel, &r);
            req_dispose(&r);
            return rc;
        }
    }
    return set_err(err, "invalid selector: '%.*s'; can't understand '%.*s'", (int)len, t,
                   (int)len, t);
}

int kube__field_selector_parse(kube__selector **out, const char *text, char **err)
{
    kube__selector *sel;
    size_t start = 0, i, len;
    int rc = 0;
    *out = NULL;
    if (err)
        *err = NULL;
    if (!(sel = kube__calloc(1, sizeof(*sel))))
        return KUBE_ENOMEM;
    if (!text)
        text = "";
    len = strlen(text);
    if (len > 0) {
        for (i = 0; i <= len && rc == 0; i++) {
            if (i < len && text[i] == '\\') {
                i++;
                continue;
            }
            if (i == len || text[i] == ',') {
                rc = field_term(sel, text + start, i - start, err);
                start = i + 1;
            }
        }
    }
    if (rc != 0) {
        if (err && !*err && rc == KUBE_EBADREQUEST)
            set_err(err, "invalid selector: '%s'", text);
        kube__selector_free(sel);
        return rc;
    }
    *out = sel;
    return 0;
}

/* ---- matching ---- */

static int req_matches(const kube__sel_req *r, kube__sel_lookup lookup, void *ctx)
{
    const char *v = NULL;
    int has = lookup(ctx, r->key, &v);
    size_t i;
    if (has && !v)
        v = "";
    switch (r->op) {
    case KUBE__SEL_EXISTS:
        return has;
    case KUBE__SEL_NOTEXISTS:
        return !has;
    case KUBE__SEL_EQ:
        return has && strcmp(v, r->values[0]) == 0;
    case KUBE__SEL_NEQ:
        return !has || strcmp(v, r->values[0]) != 0;
    case KUBE__SEL_IN:
        if (!has)
            return 0;
        for (i = 0; i < r->nvalues; i++)
            if (strcmp(v, r->values[i]) == 0)
                return 1;
        return 0;
    case KUBE__SEL_NOTIN:
        if (!has)
            return 1;
        for (i = 0; i < r->nvalues; i++)
            if (strcmp(v, r->values[i]) == 0)
                return 0;
        return 1;
    case KUBE__SEL_GT:
    case KUBE__SEL_LT: {
        char *e1 = NULL, *e2 = NULL;
        long long a, b;
        if (!has)
            return 0;
        a = strtoll(v, &e1, 10);
        b = strtoll(r->values[0], &e2, 10);
        if (!*v || *e1 || *e2)
            return 0;
        return r->op == KUBE__SEL_GT ? a > b : a < b;
    }
    default:
        return 0;
    }
}

int kube__selector_matches(const kube__selector *sel, kube__sel_lookup lookup, void *ctx)
{
    size_t i;
    if (!sel)
        return 1;
    for (i = 0; i < sel->n; i++)
        if (!req_matches(&sel->reqs[i], lookup, ctx))
            return 0;
    return 1;
}

static int json_lookup(void *ctx, const char *key, const char **value)
{
    const cJSON *labels = ctx, *v;
    if (!labels || !cJSON_IsObject(labels))
        return 0;
    v = cJSON_GetObjectItemCaseSensitive(labels, key);
    if (!v)
        return 0;
    *value = cJSON_IsString(v) ? v->valuestring : "";
    return 1;
}

int kube__label_selector_matches_json(const kube__selector *sel, const cJSON *labels)
{
    return kube__selector_matches(sel, json_lookup, (void *)labels);
}

int kube__label_selector_format_json(kube__buf *out, const cJSON *selector)
{
    const cJSON *ml, *me, *it;
    int first = 1;
    if (!selector || !cJSON_IsObject(selector))
        return 0;
    ml = cJSON_GetObjectItemCaseSensitive(selector, "matchLabels");
    me = cJSON_GetObjectItemCaseSensitive(selector, "matchExpressions");
    if (!ml && !me)
        ml = selector; /* a plain map (ReplicationController) */
    if (cJSON_IsObject(ml)) {
        cJSON_ArrayForEach(it, ml)
        {
            if (kube__buf_printf(out, "%s%s=%s", first ? "" : ",", it->string,
                                 cJSON_IsString(it) ? it->valuestring : "") != 0)
                return KUBE_ENOMEM;
            first = 0;
        }
    }
    if (cJSON_IsArray(me)) {
        cJSON_ArrayForEach(it, me)
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "key");
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(it, "operator");
            const cJSON *vals = cJSON_GetObjectItemCaseSensitive(it, "values"), *v;
            const char *o = cJSON_IsString(op) ? op->valuestring : "";
            const char *key = cJSON_IsString(k) ? k->valuestring : "";
            int fv = 1, rc;
            if (strcmp(o, "Exists") == 0) {
                rc = kube__buf_printf(out, "%s%s", first ? "" : ",", key);
            } else if (strcmp(o, "DoesNotExist") == 0) {
                rc = kube__buf_printf(out, "%s!%s", first ? "" : ",", key);
            } else if (strcmp(o, "In") == 0 || strcmp(o, "NotIn") == 0) {
                rc = kube__buf_printf(out, "%s%s %s (", first ? "" : ",", key,
                                      strcmp(o, "In") == 0 ? "in" : "notin");
                cJSON_ArrayForEach(v, vals)
                {
                    if (rc == 0)
                        rc = kube__buf_printf(out, "%s%s", fv ? "" : ",",
                                              cJSON_IsString(v) ? v->valuestring : "");
                    fv = 0;
                }
                if (rc == 0)
                    rc = kube__buf_putc(out, ')');
            } else {
                return KUBE_EINVAL;
            }
            if (rc != 0)
                return KUBE_ENOMEM;
            first = 0;
        }
    }
    if (!out->ptr && kube__buf_puts(out, "") != 0)
        return KUBE_ENOMEM;
    return 0;
}
