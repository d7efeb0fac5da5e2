# The dynamic client, discovery and the RESTMapper over the fake API server
# (in process).
kube_add_test(test_dynamic LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_dynamic.c)
