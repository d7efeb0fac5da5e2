/**
 * @file kube/common.h
 * @brief Export, callback and C++ linkage macros shared by every public header.
 */
#ifndef KUBE_COMMON_H
#define KUBE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define KUBE_BEGIN_DECL extern "C" {
#define KUBE_END_DECL }
#else
#define KUBE_BEGIN_DECL
#define KUBE_END_DECL
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define KUBE_EXTERN(type) __attribute__((visibility("default"))) type
#define KUBE_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define KUBE_EXTERN(type) type
#define KUBE_DEPRECATED(msg)
#endif

/** Declares an exported data object (generated type descriptors). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define KUBE_EXTERN_DATA(type) extern __attribute__((visibility("default"))) type
#else
#define KUBE_EXTERN_DATA(type) extern type
#endif

/** Declares a callback type: `typedef void KUBE_CALLBACK(name)(args);`. */
#define KUBE_CALLBACK(name) (*name)

#endif /* KUBE_COMMON_H */
