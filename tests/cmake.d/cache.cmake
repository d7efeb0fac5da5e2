# tools/cache: the indexer (thread-safe store).
kube_add_test(test_indexer LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_indexer.c)
kube_add_test(test_delta_fifo LABELS "unit;thread" TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_delta_fifo.c)
kube_add_test(test_reflector LABELS "integration;thread" TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_reflector.c)
kube_add_test(test_informer LABELS "integration;thread" TIMEOUT 60
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_informer.c)
# Chaos convergence against the fake API server engine (in process).
kube_add_test(test_informer_chaos LABELS "integration;thread" TIMEOUT 600
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_informer_chaos.c)
# Dynamic informers and the dynamic informer factory over the fake engine.
kube_add_test(test_dynamic_informer LABELS "integration;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_dynamic_informer.c)
# Informer modes: watch-list sync and its fallback, transforms, the dead-watch watchdog.
kube_add_test(test_informer_modes LABELS "integration;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_informer_modes.c)
