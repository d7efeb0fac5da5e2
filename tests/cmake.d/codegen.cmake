# The generated typed API (tools/codegen/gen.py): table consistency and
# known schema facts, and the check that the committed output is what the
# generator makes from the OpenAPI documents.
kube_add_test(test_codegen LABELS unit
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_codegen.c)

# codegen_check: regenerate into a temporary folder and compare with the
# repository. Skipped (77) when the OpenAPI documents are absent:
# $KUBE_OPENAPI_DIR, else ../shared/openapi/k8s-1.34 next to the repository.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME codegen_check
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tools/codegen/gen.py --check)
  set_tests_properties(codegen_check PROPERTIES LABELS unit TIMEOUT 120
    SKIP_RETURN_CODE 77)
else()
  message(WARNING "python3 not found: the codegen_check test is not registered")
endif()
