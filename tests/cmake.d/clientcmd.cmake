# kubeconfig loading, rest.Config from kubeconfig, in-cluster (src/tools/clientcmd).
kube_add_test(test_kubeconfig LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_kubeconfig.c)
# Compares the library's resolution with `kubectl config view --minify`;
# skipped when kubectl is not on PATH.
kube_add_test(test_kubeconfig_kubectl LABELS integration TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_kubeconfig_kubectl.c)
