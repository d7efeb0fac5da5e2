/**
 * @file kube.h
 * @brief Umbrella header of libkubeclient: includes every public header.
 */
#ifndef KUBE_H
#define KUBE_H

#include "kube/common.h"
#include "kube/version.h"
#include "kube/global.h"
#include "kube/errors.h"
#include "kube/log.h"
#include "kube/config.h"
#include "kube/rest.h"
#include "kube/api/runtime.h"
#include "kube/scheme.h"
#include "kube/object.h"
#include "kube/clientset.h"
#include "kube/dynamic.h"
#include "kube/discovery.h"
#include "kube/unstructured.h"
#include "kube/scale.h"
#include "kube/apply.h"

#endif /* KUBE_H */
