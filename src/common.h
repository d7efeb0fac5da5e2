/*
 * Internal common header: every .c file of the library includes it first.
 * Build-wide: C11, _POSIX_C_SOURCE 200809L / _DEFAULT_SOURCE (set by CMake).
 */
#ifndef KUBE_SRC_COMMON_H
#define KUBE_SRC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kube.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"

#define KUBE__UNUSED(x) ((void)(x))
#define KUBE__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
