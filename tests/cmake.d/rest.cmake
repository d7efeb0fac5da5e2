# Core and REST/transport tests.
kube_add_test(test_core LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_core.c)
kube_add_test(test_rest_http LABELS "integration;thread" TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_rest_http.c)
