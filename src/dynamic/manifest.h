/*
 * Manifests: JSON or multi-document YAML text to Kubernetes objects, shared
 * by server-side apply from files (kube/apply.h) and the fake API server
 * (seeding, YAML bodies). YAML goes through the clientcmd YAML tree
 * (go-yaml v2 scalar resolution, as sigs.k8s.io/yaml), one document at a
 * time, keeping the documents' original line numbers in errors.
 */
#ifndef KUBE_DYNAMIC_MANIFEST_H
#define KUBE_DYNAMIC_MANIFEST_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Where an object came from: its document (1-based) and the line the
 * document starts on. */
typedef struct kube__manifest_pos {
    size_t document;
    size_t line;
} kube__manifest_pos;

/* YAML documents to JSON values: *out is a new cJSON array of the non-empty
 * documents; *pos (optional, new, kube__free) has one entry per element.
 * KUBE_EPARSE (class YAML) naming name:line:col and the document. */
int kube__yaml_docs_to_json(cJSON **out, kube__manifest_pos **pos, const char *data,
                            size_t len, const char *name);

/* The objects of a manifest: one JSON value (object or array) or YAML
 * documents; Lists (kind "List" or "<Kind>List" with items) flattened, their
 * items given the list's apiVersion and kind when they lack them; values
 * that are not objects refused with KUBE_EPARSE naming the document.
 * *objs is a new cJSON array; *pos (optional) one entry per object. */
int kube__manifest_objects(cJSON **objs, kube__manifest_pos **pos, const char *data,
                           size_t len, const char *name);

#endif
