# tools/cache: the indexer (thread-safe store).
kube_add_test(test_indexer LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_indexer.c)
