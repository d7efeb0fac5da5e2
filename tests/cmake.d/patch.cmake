# The patch algorithms (src/api/patch.h): RFC 6902 JSON patch, RFC 7386 merge
# patch, strategic merge patch and server-side apply with managedFields.
kube_add_test(test_patch LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_patch.c)

# The same patches applied by a real kube-apiserver and by src/api/patch.c
# must agree (skipped without KUBE_E2E_KUBECONFIG).
kube_add_test(test_e2e_patch LABELS e2e TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_patch.c)
