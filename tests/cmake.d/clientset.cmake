# The typed clientset, the scheme and kube_object against the test server.
kube_add_test(test_clientset LABELS integration TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_clientset.c)
