# The examples run as tests: out-of-cluster against kube-test-server through
# a kubeconfig the server writes (list namespaces and pods, then a watch).
if(TARGET out-of-cluster)
  add_test(NAME example_out_of_cluster
    COMMAND sh -c [=[
set -eu
d=$(mktemp -d); pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$d"' EXIT
"$1" --kubeconfig-out "$d/kubeconfig" >"$d/url" & pid=$!
i=0
while [ ! -s "$d/url" ]; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { echo "no URL printed" >&2; exit 1; }
  sleep 0.1
done
"$2" --kubeconfig "$d/kubeconfig" --watch-seconds 2 >"$d/out"
cat "$d/out"
grep -q '^namespaces (3' "$d/out"
grep -q 'kube-system' "$d/out"
grep -q '^pods (' "$d/out"
grep -q 'ADDED' "$d/out"
# a missing kubeconfig is a clear error naming the file, not a crash
if "$2" --kubeconfig "$d/missing" --watch-seconds 0 2>"$d/err"; then exit 1; fi
grep -q "$d/missing" "$d/err"
kill -TERM "$pid"; wait "$pid"; pid=
]=] sh $<TARGET_FILE:kube-test-server> $<TARGET_FILE:out-of-cluster>)
  set_tests_properties(example_out_of_cluster PROPERTIES LABELS integration TIMEOUT 60)
endif()
