# kube-fake-apiserver: the fake API server engine (src/testing) over HTTP(S)
# through tserver, with an admin endpoint for faults and recorded actions
# (docs/fake-apiserver.md).
add_executable(kube-fake-apiserver ${CMAKE_SOURCE_DIR}/tools/kube-fake-apiserver/main.c)
target_compile_options(kube-fake-apiserver PRIVATE ${KUBE_WARNINGS})
target_link_libraries(kube-fake-apiserver PRIVATE kube_test_support)

# kubectl (and the Python client, when python3-kubernetes is installed)
# against kube-fake-apiserver: discovery, get/list, create -f, apply
# (client-side and --server-side), every patch type, label, scale, delete,
# get --watch, wait. Skipped (77) when kubectl is missing.
add_test(NAME test_fake_kubectl
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_fake_kubectl.sh
          $<TARGET_FILE:kube-fake-apiserver>)
set_tests_properties(test_fake_kubectl PROPERTIES LABELS integration TIMEOUT 300
  SKIP_RETURN_CODE 77)
