/*
 * The generic typed-API engine (internal): one implementation of decode,
 * encode, copy, compare and free for every generated type, driven by the
 * descriptor tables of desc.h.
 *
 * Decoding is split in two layers:
 *
 * - front ends read JSON and walk the descriptors: decode.c reads bytes
 *   with a recursive-descent parser, decode_json.c walks a cJSON tree. A
 *   streaming (SAX or pull) front end plugs in the same way: it keeps its own
 *   stack of (type, object, field, sequence) frames where the recursive ones
 *   use the C stack, and calls the same builder functions;
 * - the builder (kube__bld_*, decode.c) owns everything that writes into the
 *   typed storage: the arena, field lookup and the drop options, the JSON
 *   type check of each kind with its error message, number conversion and
 *   range checks, string/raw/bool storage, arrays and maps (accumulated per
 *   nesting level in scratch buffers, then copied once into the arena with
 *   their exact size), unknown members, and the error path, which front ends
 *   build while unwinding (kube__bld_path_*), so the success path pays
 *   nothing for it.
 *
 * Error paths use Kubernetes field-path syntax (field.Path): fields joined
 * by '.', array indexes and map keys in brackets:
 * "spec.containers[0].ports[1].containerPort", "metadata.labels[app]".
 * Malformed JSON gives "malformed JSON at byte N: what" (no path).
 *
 * Decoding semantics, for both front ends:
 * - null is "absent" for every field (and a zero element in arrays/maps);
 *   an empty array/map is present (kube__api_empty, count 0);
 * - INT32/INT64 (and IntOrString numbers) take any JSON number with an
 *   integral value (3, 3.0, 1e3) in range; 3.5 or an overflow is an error;
 * - RAW and unknown values keep the exact bytes of the value, with the
 *   whitespace outside strings removed (they are opaque text: encode writes
 *   them verbatim, equal compares them as text);
 * - strings: \u escapes (four hex digits) and surrogate pairs become UTF-8, an unpaired surrogate
 *   U+FFFD (as Go does), U+0000 the two bytes C0 80 (modified UTF-8, written
 *   back as \u0000); other bytes are kept as they are (no UTF-8 check);
 *   raw control characters and invalid escapes are errors;
 * - a member that appears twice: the last one wins (unknown ones are all
 *   kept); duplicate map keys are kept in document order;
 * - each distinct string (and raw value) is stored once per decoded
 *   document: strings of one object may share storage, so they are
 *   read-only (change a field by pointing it elsewhere, never write into
 *   it). This is what keeps a decoded PodList under the size of its JSON;
 * - the arena's first block is sized from the input (1.5x), further blocks
 *   from the input still to read, and the last block is shrunk to fit at the
 *   end (realloc; if it moves, kube__api_relocate fixes the pointers).
 */
#ifndef KUBE_API_ENGINE_H
#define KUBE_API_ENGINE_H

#include "common.h"

#include "api/arena.h"
#include "api/desc.h"

/* Deepest nesting of objects and arrays accepted, in decode, encode, copy
 * and compare (a deeper document is an error, never a stack overflow). */
#define KUBE__API_MAX_DEPTH 512

/* JSON value types, for messages. */
enum kube__jt {
    KUBE__JT_NULL = 0,
    KUBE__JT_BOOL,
    KUBE__JT_NUMBER,
    KUBE__JT_STRING,
    KUBE__JT_OBJECT,
    KUBE__JT_ARRAY
};

/* A JSON number as a front end read it. */
typedef struct kube__num {
    const char *text; /* its JSON text (not NUL-terminated), or NULL: use d */
    size_t len;
    double d;         /* when text is NULL */
    int64_t i;        /* valid when is_int */
    int is_int;       /* an integer literal (no fraction, no exponent) in int64 range */
    int overflow;     /* an integer literal beyond the int64 range */
} kube__num;

/* Scratch where one nesting level of arrays/maps accumulates elements. */
typedef struct kube__scratch {
    char *ptr;
    size_t size;
    size_t cap;
} kube__scratch;

/* An array or map being decoded. */
typedef struct kube__bld_seq {
    const kube__field *f;
    size_t level;  /* index of its scratch in kube__bld.levels */
    size_t esize;  /* element size */
    size_t rec;    /* record size in scratch (maps: key pointer + value) */
    size_t count;
} kube__bld_seq;

/* An interned string of the decode in progress. */
typedef struct kube__intern {
    const char *s;
    uint32_t len;
    uint32_t hash;
} kube__intern;

#define KUBE__BLD_PATH_MAX 384
#define KUBE__BLD_LEVELS_INLINE 8
#define KUBE__BLD_ITAB_INLINE 64
#define KUBE__BLD_SCRATCH_INLINE 1024

typedef struct kube__bld {
    kube__arena *arena;
    void *root;
    int drop_unknown;
    int drop_managed;
    /* scratch per open array/map nesting level */
    kube__scratch *levels;
    size_t nlevels;
    size_t seq_depth;
    kube__scratch levels_inline[KUBE__BLD_LEVELS_INLINE];
    /* when set (byte front end), new arena blocks are sized from the
     * input still to read */
    const char *const *in_pos;
    const char *in_start;
    const char *in_end;
    kube__buf tmp; /* escaped keys, printed raw values */
    /* strings and raw values already stored: the same text is stored once */
    kube__intern *itab;
    size_t icap;
    size_t icount;
    size_t icap_hint;
    int intern_off;
    /* the error: code, message and path (built from the end backwards) */
    int err;
    int err_nopath;
    int path_full;
    size_t path_at;
    char msg[160];
    char path[KUBE__BLD_PATH_MAX];
    /* small decodes (a watch event, one object) allocate neither their
     * intern table nor the scratch of their first array/map level: both
     * start here (not zeroed by kube__bld_init; the builder must not be
     * copied) */
    kube__intern itab_inline[KUBE__BLD_ITAB_INLINE];
    char scratch_inline[KUBE__BLD_SCRATCH_INLINE];
} kube__bld;

void kube__bld_init(kube__bld *b, const kube_api_decode_options *opts);
/* Create the root of type t in a new arena whose first block has `extra`
 * free bytes. NULL (error set in b) when out of memory. */
void *kube__bld_root(kube__bld *b, const kube_api_type *t, size_t extra);
/* Release the scratch; on error (b->err) also the arena. Sets the thread's
 * last error from b. Returns b->err. */
int kube__bld_finish(kube__bld *b, void **out);

void *kube__bld_alloc_slow(kube__bld *b, size_t n, size_t align);

/* n bytes, 8-aligned, not zeroed. */
static inline void *kube__bld_alloc(kube__bld *b, size_t n)
{
    kube__arena *a = b->arena;
    uintptr_t c = ((uintptr_t)a->cur + (KUBE__ARENA_ALIGN - 1)) &
                  ~(uintptr_t)(KUBE__ARENA_ALIGN - 1);
    if (c <= (uintptr_t)a->end && n <= (size_t)((uintptr_t)a->end - c)) {
        a->cur = (char *)c + n;
        return (void *)c;
    }
    return kube__bld_alloc_slow(b, n, KUBE__ARENA_ALIGN);
}

/* n bytes, unaligned. */
static inline char *kube__bld_alloc_str(kube__bld *b, size_t n)
{
    kube__arena *a = b->arena;
    char *p = a->cur;
    if (n <= (size_t)(a->end - p)) {
        a->cur = p + n;
        return p;
    }
    return kube__bld_alloc_slow(b, n, 1);
}

/* Errors: all return the (negative) code. */
int kube__bld_nomem(kube__bld *b);
int kube__bld_type_error(kube__bld *b, const char *expected, int got);
int kube__bld_syntax_error(kube__bld *b, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kube__bld_error(kube__bld *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Name of what a kind expects ("integer", "string", ...) and of a JSON type. */
const char *kube__bld_kind_name(int kind);
const char *kube__bld_jt_name(int jt);
/* Prepend a path segment (called while unwinding after an error). */
void kube__bld_path_field(kube__bld *b, const char *name);
void kube__bld_path_index(kube__bld *b, size_t i);
void kube__bld_path_key(kube__bld *b, const char *key, size_t len);

/* The field of t called name, or NULL for an unknown member. *skip is set
 * when the member must be skipped (unknown with drop_unknown, or a dropped
 * managedFields). */
const kube__field *kube__bld_member(kube__bld *b, const kube_api_type *t,
                                    const char *name, size_t len, int *skip);

/* Scalars. `kind` is the element kind; `has` the presence flag or NULL.
 * A value of a JSON type the kind does not accept is a type error. */
int kube__bld_string(kube__bld *b, int kind, void *slot, const char *s, size_t len,
                     int in_arena);
int kube__bld_number(kube__bld *b, int kind, void *slot, int *has, const kube__num *n);
int kube__bld_bool(kube__bld *b, int kind, void *slot, int *has, int v);
/* RAW: the JSON text of the value (copied unless in_arena). */
int kube__bld_raw(kube__bld *b, void *slot, const char *text, size_t len, int in_arena);
/* A new zeroed object of type t (for a T * field). */
void *kube__bld_object(kube__bld *b, const kube_api_type *t);
/* Copy len bytes into the arena as a C string, or find the same text
 * stored before (strings are interned per decode). */
char *kube__bld_strndup(kube__bld *b, const char *s, size_t len);
/* d (len bytes + NUL) is the newest arena allocation: return the same text
 * stored before (d is given back) or d (now interned). */
char *kube__bld_intern_arena(kube__bld *b, char *d, size_t len);

/* Arrays and maps: begin, push each element (maps: with its key, already in
 * the arena), end stores items/keys/count into obj. abort on error. */
int kube__bld_seq_begin(kube__bld *b, const kube__field *f, kube__bld_seq *seq);
void *kube__bld_seq_push(kube__bld *b, kube__bld_seq *seq, char *key);
int kube__bld_seq_end(kube__bld *b, kube__bld_seq *seq, void *obj);
void kube__bld_seq_abort(kube__bld *b, kube__bld_seq *seq);

/* An unknown member: name and raw JSON text of the value (copied, unless
 * raw_in_arena). */
int kube__bld_unknown(kube__bld *b, const kube_api_type *t, void *obj, const char *name,
                      size_t nlen, const char *raw, size_t rlen, int raw_in_arena);

/* ---- shared helpers ---- */

/* Add delta to every pointer of obj (type t, recursively) that points into
 * [lo, hi): after the arena block holding them moved (walk.c). */
void kube__api_relocate(const kube_api_type *t, void *obj, uintptr_t lo, uintptr_t hi,
                        ptrdiff_t delta);

/* Element size of a field's values (arrays, maps) or of its scalar. */
size_t kube__api_esize(const kube__field *f);

/* First byte in [p, end) that is '"', '\\' or a control character; end when
 * none. */
const char *kube__json_scan_string(const char *p, const char *end);

/* 0 when [json, json + len) is one valid JSON value (whitespace around
 * allowed), else KUBE_EPARSE (error not set). */
int kube__json_validate(const char *json, size_t len);

/* Locale-independent strtod of a bounded JSON number. 0, or -1 when the
 * text is not a number or out of memory. */
int kube__json_strtod(const char *s, size_t len, double *out);

/* Encoding helpers (encode.c): append to b; 0 or KUBE_ENOMEM. */
int kube__enc_string(kube__buf *b, const char *s, size_t len);
int kube__enc_double(kube__buf *b, double d);
int kube__enc_int64(kube__buf *b, int64_t v);
/* Compact JSON text of a cJSON value (RAW values of the cJSON front end):
 * numbers and strings written as encode writes them. KUBE_EINVAL when the
 * tree is deeper than KUBE__API_MAX_DEPTH. */
int kube__enc_cjson(kube__buf *b, const cJSON *j);

#endif
