# End-to-end tests (label e2e) against a real API server: the server comes
# from the kubeconfig named by KUBE_E2E_KUBECONFIG (scripts/control-plane.sh
# run sets it); without it every case is skipped.
#
#   scripts/control-plane.sh run <build>/tests/test_e2e
#   scripts/control-plane.sh run ctest --test-dir <build> -L e2e

# A tiny exec credential plugin that prints the token it is given.
add_executable(e2e-exec-plugin ${CMAKE_CURRENT_SOURCE_DIR}/e2e/e2e_exec_plugin.c)
target_compile_options(e2e-exec-plugin PRIVATE -Wall -Wextra $<$<BOOL:${KUBE_WERROR}>:-Werror>)

kube_add_test(test_e2e LABELS e2e TIMEOUT 600
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e.c)
target_compile_definitions(test_e2e PRIVATE
  E2E_EXEC_PLUGIN="$<TARGET_FILE:e2e-exec-plugin>"
  E2E_SRCDIR="${CMAKE_SOURCE_DIR}")
add_dependencies(test_e2e e2e-exec-plugin)

# The typed clientset against the real control plane.
kube_add_test(test_e2e_clientset LABELS e2e TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_clientset.c)

# Discovery, RESTMapper, dynamic and scale clients, apply from manifests.
kube_add_test(test_e2e_dynamic LABELS e2e TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_dynamic.c)

# The create-update-delete-deployment example against the real control plane.
if(TARGET create-update-delete-deployment)
  add_test(NAME example_create_update_delete_deployment
    COMMAND sh -c [=[
[ -n "${KUBE_E2E_KUBECONFIG:-}" ] || { echo "KUBE_E2E_KUBECONFIG not set: skipped"; exit 77; }
"$1" --kubeconfig "$KUBE_E2E_KUBECONFIG" --namespace default >"${TMPDIR:-/tmp}/cudd.$$" 2>&1 || { cat "${TMPDIR:-/tmp}/cudd.$$"; rm -f "${TMPDIR:-/tmp}/cudd.$$"; exit 1; }
cat "${TMPDIR:-/tmp}/cudd.$$"
grep -q 'Created deployment "demo-deployment"' "${TMPDIR:-/tmp}/cudd.$$" &&
grep -q 'demo-deployment (1 replicas, image nginx:1.13)' "${TMPDIR:-/tmp}/cudd.$$" &&
grep -q 'Deleted deployment' "${TMPDIR:-/tmp}/cudd.$$"
rc=$?; rm -f "${TMPDIR:-/tmp}/cudd.$$"; exit $rc
]=] sh $<TARGET_FILE:create-update-delete-deployment>)
  set_tests_properties(example_create_update_delete_deployment PROPERTIES LABELS e2e
    TIMEOUT 120 SKIP_RETURN_CODE 77)
endif()

# Informers and the workqueue controller against the real control plane.
if(TARGET workqueue-controller)
  kube_add_test(test_e2e_informer LABELS e2e TIMEOUT 300
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_e2e_informer.c)
  target_compile_definitions(test_e2e_informer PRIVATE
    WORKQUEUE_CONTROLLER="$<TARGET_FILE:workqueue-controller>")
  add_dependencies(test_e2e_informer workqueue-controller)
endif()

# examples/apply against the real control plane: a manifest with a CRD and
# one of its objects (the apply waits until discovery serves the new kind),
# applied twice: everything created, then nothing created and nothing failed.
if(TARGET apply)
  add_test(NAME example_apply_e2e
    COMMAND sh -c [=[
[ -n "${KUBE_E2E_KUBECONFIG:-}" ] || { echo "KUBE_E2E_KUBECONFIG not set: skipped"; exit 77; }
set -eu
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$1" --kubeconfig "$KUBE_E2E_KUBECONFIG" -f "$2" >"$d/first"
cat "$d/first"
test "$(grep -c ' created$' "$d/first")" = 5
"$1" --kubeconfig "$KUBE_E2E_KUBECONFIG" -f "$2" >"$d/second"
cat "$d/second"
! grep -q ' created$' "$d/second"
test "$(grep -c ' unchanged$' "$d/second")" -ge 4
grep -q '^configmap/settings unchanged$' "$d/second"
grep -q '^gadget.example.com/g1 unchanged$' "$d/second"
]=] sh $<TARGET_FILE:apply> ${CMAKE_SOURCE_DIR}/examples/apply/sample.yaml)
  set_tests_properties(example_apply_e2e PROPERTIES LABELS e2e TIMEOUT 120
    SKIP_RETURN_CODE 77)
endif()

# The dynamic twin of create-update-delete-deployment on the real control plane.
if(TARGET dynamic-create-update-delete-deployment)
  add_test(NAME example_dynamic_e2e
    COMMAND sh -c [=[
[ -n "${KUBE_E2E_KUBECONFIG:-}" ] || { echo "KUBE_E2E_KUBECONFIG not set: skipped"; exit 77; }
set -eu
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$1" --kubeconfig "$KUBE_E2E_KUBECONFIG" --namespace kube-public >"$d/out"
cat "$d/out"
grep -q 'Created deployment "demo-deployment"' "$d/out"
grep -q 'demo-deployment (1 replicas, image nginx:1.13)' "$d/out"
grep -q 'Deleted deployment.' "$d/out"
]=] sh $<TARGET_FILE:dynamic-create-update-delete-deployment>)
  set_tests_properties(example_dynamic_e2e PROPERTIES LABELS e2e TIMEOUT 120
    SKIP_RETURN_CODE 77)
endif()
