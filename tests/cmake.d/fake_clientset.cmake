# The fake clientset (src/testing: the fake API server engine served in
# process through the pluggable transport, no sockets): the typed clientset
# over it, actions, reactors, faults, seeding.
kube_add_test(test_fake_clientset LABELS "unit;thread" TIMEOUT 120
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fake_clientset.c)

# examples/fake-client: the C twin of client-go's fake-client example, a unit
# test of a small controller run against kube_fake_clientset_new(). The
# example's folder is added before tests/, so its test is registered here.
kube_add_test(example_fake_client LABELS unit TIMEOUT 120
  SOURCES ${CMAKE_SOURCE_DIR}/examples/fake-client/main_test.c
          ${CMAKE_SOURCE_DIR}/examples/fake-client/controller.c)
target_include_directories(example_fake_client PRIVATE ${CMAKE_SOURCE_DIR}/examples/fake-client)

# The fake server benchmark runs (timings are never asserted: it exits 1 only
# when a request fails or a watch event is missing).
if(TARGET bench_fake_server)
  add_test(NAME bench_fake_server_smoke COMMAND bench_fake_server 0.05 500)
  set_tests_properties(bench_fake_server_smoke PROPERTIES LABELS unit TIMEOUT 120)
endif()
