/**
 * @file kube/apply.h
 * @brief Server-side apply from manifests: what `kubectl apply
 *        --server-side -f FILE` does, as a library call.
 *
 * A manifest is JSON or multi-document YAML (libyaml); `List` objects are
 * flattened. Each object is mapped to its resource through the RESTMapper
 * and applied with a PATCH of type application/apply-patch+yaml under a
 * field manager. Objects are applied in document order; a failure does not
 * stop the others, and every object's outcome is reported, so nothing is
 * partially applied without being said. A kind served by a
 * CustomResourceDefinition applied earlier in the same manifest is waited
 * for (discovery is refreshed until it appears, up to a timeout).
 */
#ifndef KUBE_APPLY_H
#define KUBE_APPLY_H

#include <cjson/cJSON.h>

#include "kube/common.h"
#include "kube/discovery.h"
#include "kube/dynamic.h"
#include "kube/object.h"

KUBE_BEGIN_DECL

/** A parsed manifest (opaque, immutable). */
typedef struct kube_manifest kube_manifest;

/**
 * Parse a manifest from memory.
 * @param[out] out the manifest; NULL on failure.
 * @param data the text (borrowed). @param len its length.
 * @param source a name for messages (e.g. the file name), or NULL.
 * @return 0; KUBE_EPARSE naming source, line, column and document for
 *         malformed YAML or JSON, or a document that is not an object;
 *         KUBE_EINVAL; KUBE_ENOMEM.
 * @ownership *out is new: kube_manifest_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_manifest_parse(kube_manifest **out, const char *data, size_t len,
                                     const char *source);

/**
 * Read and parse a manifest file ("-" reads standard input).
 * @param[out] out the manifest; NULL on failure.
 * @param path the file.
 * @return as kube_manifest_parse(); KUBE_ENOTFOUND when the file cannot be
 *         opened; KUBE_ETOOLARGE over 64 MiB.
 * @ownership *out is new: kube_manifest_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_manifest_load_file(kube_manifest **out, const char *path);

/**
 * Free a manifest. NULL is ignored.
 * @param m the manifest (taken).
 * @threadsafety no other use of m may be running.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_manifest_free(kube_manifest *m);

/**
 * Number of objects (after flattening Lists).
 * @param m the manifest. @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_manifest_count(const kube_manifest *m);

/**
 * The i-th object.
 * @param m the manifest. @param i index below the count.
 * @param[out] document its document number (1-based), or NULL.
 * @param[out] line the line its document starts on, or NULL.
 * @return the object, or NULL when out of range.
 * @ownership borrowed from m (do not modify).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const cJSON *) kube_manifest_object(const kube_manifest *m, size_t i,
                                                size_t *document, size_t *line);

/** Options of kube_apply_manifest(). */
typedef struct kube_apply_options {
    unsigned int version;          /**< KUBE_APPLY_OPTIONS_VERSION */
    const char *field_manager;     /**< required, e.g. "kubectl" */
    int force;                     /**< boolean: take over conflicting fields */
    int dry_run;                   /**< boolean: dryRun=All */
    const char *default_namespace; /**< for namespaced objects without one; NULL: "default" */
    const char *field_validation;  /**< "Ignore", "Warn", "Strict" or NULL */
    int64_t crd_wait_ms;           /**< how long to wait for a kind of a CRD applied
                                        earlier in the manifest; 0: 30000 */
} kube_apply_options;
/** Version of kube_apply_options. */
#define KUBE_APPLY_OPTIONS_VERSION 1
/** Defaults (a field manager must still be set). */
#define KUBE_APPLY_OPTIONS_INIT { KUBE_APPLY_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, 0 }

/** What happened to one object. */
typedef enum kube_apply_outcome {
    KUBE_APPLY_CREATED = 1,   /**< it did not exist (HTTP 201) */
    KUBE_APPLY_CONFIGURED,    /**< it existed and its resourceVersion changed */
    KUBE_APPLY_UNCHANGED,     /**< it existed and the apply changed nothing */
    KUBE_APPLY_FAILED         /**< see error_code and message */
} kube_apply_outcome;

/** One object's result. Strings are owned by the result ("" when unknown). */
typedef struct kube_apply_item {
    size_t document;       /**< 1-based document number */
    size_t line;           /**< line its document starts on */
    char *api_version;
    char *kind;
    char *resource;        /**< the mapped resource, "" when mapping failed */
    char *namespace_;      /**< "" for cluster-scoped objects */
    char *name;
    int outcome;           /**< a kube_apply_outcome */
    int error_code;        /**< 0, or the KUBE_E* code of the failure */
    char *message;         /**< the failure ("" on success); for a conflict it
                                names each conflicting field and its manager */
    kube_object *object;   /**< the object as the server returned it, or NULL */
} kube_apply_item;

/** The results of a manifest, one item per object in order. */
typedef struct kube_apply_result {
    kube_apply_item *items;
    size_t count;
    size_t failed;         /**< items with KUBE_APPLY_FAILED */
} kube_apply_result;

/**
 * Apply every object of a manifest.
 * @param[out] out the results (zeroed first; filled also on failure).
 * @param dc the dynamic client. @param mapper the RESTMapper.
 * @param m the manifest. @param opts options (field_manager required).
 * @return 0 when every object applied; otherwise the code of the first
 *         failure (KUBE_ECONFLICT for an apply conflict, KUBE_ENOMATCH for an
 *         unknown kind, ...) with kube_error_last() describing it; KUBE_EINVAL
 *         for bad arguments (then nothing is applied).
 * @ownership out's contents are new: kube_apply_result_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_apply_manifest(kube_apply_result *out, kube_dynamic_client *dc,
                                     kube_rest_mapper *mapper, const kube_manifest *m,
                                     const kube_apply_options *opts);

/**
 * Free the contents of a result and zero it. NULL is ignored.
 * @param r the result (contents taken).
 * @threadsafety not concurrently with other use of r.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_apply_result_dispose(kube_apply_result *r);

/**
 * The text of an outcome: "created", "configured", "unchanged", "failed".
 * @param outcome a kube_apply_outcome.
 * @return static text ("unknown" for other values).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_apply_outcome_text(int outcome);

KUBE_END_DECL

#endif /* KUBE_APPLY_H */
