/*
 * The controller of the fake-client example: written against the real
 * kube_clientset API only, so the same code runs against a cluster (main.c)
 * and against kube_fake_clientset_new() in its unit test (main_test.c).
 */
#ifndef FAKE_CLIENT_CONTROLLER_H
#define FAKE_CLIENT_CONTROLLER_H

#include <stddef.h>

#include <kube.h>

/* The label the controller owns. */
#define OWNER_LABEL "owner"

/*
 * One pass of the "owner" controller: every Pod of namespace `ns` without an
 * "owner" label gets owner=<owner>. Pods are found with the set-based
 * selector "!owner"; each is updated with the resourceVersion it was listed
 * with, and on a conflict it is read again and retried (client-go's
 * retry.RetryOnConflict), leaving alone a Pod someone else labelled
 * meanwhile. Pods that disappeared are skipped.
 *
 * @param cs clientset (borrowed). @param ns namespace. @param owner value.
 * @param[out] labelled number of Pods this pass labelled (may be NULL).
 * @return 0 or the first error (kube_error_last() tells more).
 */
int label_unowned_pods(kube_clientset *cs, const char *ns, const char *owner,
                       size_t *labelled);

#endif
