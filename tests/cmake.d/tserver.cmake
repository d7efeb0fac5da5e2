# tserver: the libmicrohttpd test server (tests/support/tserver.c), its own
# integration test (plain libcurl, no library transport) and the demo server.
kube_add_test(test_tserver LABELS integration
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/integration/test_tserver.c)

# kube-test-server: a minimal read-only Kubernetes-like API over plain HTTP,
# for demos (prints its URL, optionally writes a kubeconfig).
add_executable(kube-test-server ${CMAKE_SOURCE_DIR}/tools/kube-test-server/main.c)
target_compile_options(kube-test-server PRIVATE ${KUBE_WARNINGS})
target_link_libraries(kube-test-server PRIVATE kube_test_support)

# Smoke test of kube-test-server with the curl CLI: URL line, kubeconfig,
# a list, a watch, and a clean exit (status 0) on SIGTERM.
add_test(NAME kube_test_server_smoke
  COMMAND sh -c [=[
set -eu
command -v curl >/dev/null 2>&1 || exit 77
d=$(mktemp -d); pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$d"' EXIT
"$1" --kubeconfig-out "$d/kubeconfig" >"$d/out" & pid=$!
i=0
while [ ! -s "$d/out" ]; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { echo "no URL printed" >&2; exit 1; }
  sleep 0.1
done
url=$(head -n 1 "$d/out")
echo "server at $url"
grep -q "server: $url\$" "$d/kubeconfig"
curl -sSf "$url/version" | grep -q '"gitVersion"'
curl -sSf "$url/api/v1/namespaces" | grep -q '"name":"kube-system"'
curl -sSf "$url/api/v1/namespaces/demo/pods" | grep -q '"kind":"PodList"'
[ "$(curl -sSf "$url/api/v1/pods?watch=true" | grep -c '"type":"ADDED"')" = 6 ]
kill -TERM "$pid"; wait "$pid"; pid=
]=] sh $<TARGET_FILE:kube-test-server>)
set_tests_properties(kube_test_server_smoke PROPERTIES LABELS integration
  TIMEOUT 60 SKIP_RETURN_CODE 77)
