# dynamic/unstructured: nested field helpers, metadata accessors, typed conversion.
kube_add_test(test_unstructured LABELS unit SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_unstructured.c)
