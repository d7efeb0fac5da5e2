# util/workqueue: queue semantics, rate limiters, and a stress test.
kube_add_test(test_workqueue LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_workqueue.c
  ENV "KUBE_STRESS_ITERATIONS=20000")
