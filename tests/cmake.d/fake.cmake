# testing: the fake API server engine through kube__fake_serve (no sockets).
kube_add_test(test_fake_engine LABELS "unit;thread" TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fake_engine.c)
