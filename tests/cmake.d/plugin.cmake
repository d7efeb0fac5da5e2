# Credential plugins (src/plugin): basic/bearer, token file, exec plugin, OIDC.

# A fake client-go credential plugin driven by FAKE_* environment variables
# (see the comment at the top of its source).
add_executable(fake-exec-plugin ${CMAKE_CURRENT_SOURCE_DIR}/plugin/fake_exec_plugin.c)
target_compile_options(fake-exec-plugin PRIVATE -Wall -Wextra $<$<BOOL:${KUBE_WERROR}>:-Werror>)

kube_add_test(test_auth LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_auth.c)
target_compile_definitions(test_auth PRIVATE
  FAKE_EXEC_PLUGIN="$<TARGET_FILE:fake-exec-plugin>")
add_dependencies(test_auth fake-exec-plugin)

kube_add_test(test_oidc LABELS integration TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_oidc.c)
