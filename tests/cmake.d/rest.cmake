# Core and REST/transport tests.
kube_add_test(test_core LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_core.c)
kube_add_test(test_rest_http LABELS "integration;thread" TIMEOUT 180
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_rest_http.c)
target_compile_definitions(test_rest_http PRIVATE
  FAKE_EXEC_PLUGIN="$<TARGET_FILE:fake-exec-plugin>")
add_dependencies(test_rest_http fake-exec-plugin)
