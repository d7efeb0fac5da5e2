# Hygiene tests (STYLE.md §4.13-4.14): the exported symbol list, the public
# headers compiled as strict C99 and C++11, the header documentation, and the
# installed package consumed through pkg-config and find_package().
#
# They carry the label "unit" so that every tier run includes them, plus
# "hygiene" to run them alone: ctest -L hygiene. The install test is labelled
# "install" (and "hygiene"): it needs a complete build tree.

find_package(Python3 COMPONENTS Interpreter)
include(CheckLanguage)
check_language(CXX)   # sets CMAKE_CXX_COMPILER when a C++ compiler exists

set(KUBE_HYGIENE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/hygiene)
set(KUBE_HYGIENE_ENV "KUBE_SANITIZE=${KUBE_SANITIZE}")

# symbols: libkubeclient.so exports kube_* only, exactly the functions the
# public headers declare; the static archive defines no global outside kube_*.
add_test(NAME hygiene_symbols
  COMMAND bash ${KUBE_HYGIENE_DIR}/check-symbols.sh
          $<TARGET_FILE:kubeclient> $<TARGET_FILE:kubeclient_static>
          ${CMAKE_SOURCE_DIR}/include)

# headertest: kube.h and every header alone, as C99 and C++11, -pedantic
# -Wall -Wextra -Werror; C linkage of every function under C++; every
# KUBE_*_INIT macro usable under -Wextra.
set(KUBE_HEADERTEST_CXX "${CMAKE_CXX_COMPILER}")
if(NOT KUBE_HEADERTEST_CXX OR KUBE_HEADERTEST_CXX STREQUAL "NOTFOUND")
  set(KUBE_HEADERTEST_CXX "")
endif()
add_test(NAME hygiene_headertest
  COMMAND bash ${KUBE_HYGIENE_DIR}/headertest.sh
          "${CMAKE_C_COMPILER}" "${KUBE_HEADERTEST_CXX}"
          ${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include
          "${CJSON_CFLAGS}")
set_tests_properties(hygiene_headertest PROPERTIES SKIP_RETURN_CODE 77)

# docs: every KUBE_EXTERN function has a Doxygen block with a summary,
# @param for each parameter, @return (non-void), @ownership (pointers out),
# @threadsafety and @since; every error code is in docs/errors.md; README.md
# and docs/*.md show no call to a function that does not exist.
if(Python3_Interpreter_FOUND)
  add_test(NAME hygiene_docs
    COMMAND ${Python3_EXECUTABLE} ${KUBE_HYGIENE_DIR}/check-docs.py
            --include ${CMAKE_SOURCE_DIR}/include
            --errors-md ${CMAKE_SOURCE_DIR}/docs/errors.md
            --check-refs ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs)
  add_test(NAME hygiene_docs_selftest
    COMMAND ${Python3_EXECUTABLE} ${KUBE_HYGIENE_DIR}/check-docs.py --self-test)
  set(KUBE_HYGIENE_DOCS_TESTS hygiene_docs hygiene_docs_selftest)
else()
  message(WARNING "python3 not found: the hygiene_docs test is not registered")
endif()

set_tests_properties(hygiene_symbols hygiene_headertest ${KUBE_HYGIENE_DOCS_TESTS}
  PROPERTIES LABELS "unit;hygiene" TIMEOUT 120 ENVIRONMENT "${KUBE_HYGIENE_ENV}")

# install: cmake --install into a temporary prefix, then build and run
# tests/install/consumer through pkg-config and through find_package().
add_test(NAME install_consumer
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/run-consumer.sh
          ${CMAKE_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/install/consumer
          "${CMAKE_C_COMPILER}" "${CMAKE_COMMAND}")
set_tests_properties(install_consumer PROPERTIES
  LABELS "install;hygiene" TIMEOUT 300 ENVIRONMENT "${KUBE_HYGIENE_ENV}")
