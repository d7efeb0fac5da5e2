# The generated typed informers and listers over the fake clientset.
kube_add_test(test_typed_listers LABELS "unit;thread" TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_typed_listers.c)
