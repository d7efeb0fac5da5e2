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

# Fidelity: the e2e scenario binaries (written against the real control
# plane) run against kube-fake-apiserver too, with the kubeconfigs and the
# KUBE_E2E_* variables of scripts/control-plane.sh (the env file the fake
# writes next to its kubeconfig): the admin token, the client certificate,
# and the unprivileged token user "nobody". Cases that need what only the
# real control plane provides (etcd compaction, HTTP/2) skip themselves
# (docs/fake-apiserver-fidelity.md).
if(TARGET test_e2e AND TARGET test_e2e_informer AND TARGET test_e2e_dynamic
   AND TARGET test_e2e_clientset)
  add_test(NAME fidelity_e2e_vs_fake
    COMMAND sh -c [=[
set -eu
d=$(mktemp -d); pid=
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true; rm -rf "$d"' EXIT
"$1" --tls --token "fidelity-$$" --token-user "nobody-$$=nobody" \
  --kubeconfig-out "$d/kubeconfig" >"$d/out" 2>"$d/err" & pid=$!
i=0
while [ ! -s "$d/out" ] || [ ! -s "$d/env" ]; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { cat "$d/err" >&2; exit 1; }
  sleep 0.1
done
set -a; . "$d/env"; set +a
# HTTP/1.1 only (libmicrohttpd): test_http2 skips itself
DISABLE_HTTP2=1 "$2"
"$3"
"$4"
"$5"
]=] sh $<TARGET_FILE:kube-fake-apiserver> $<TARGET_FILE:test_e2e> $<TARGET_FILE:test_e2e_informer>
       $<TARGET_FILE:test_e2e_dynamic> $<TARGET_FILE:test_e2e_clientset>)
  set_tests_properties(fidelity_e2e_vs_fake PROPERTIES LABELS integration TIMEOUT 300)
endif()
