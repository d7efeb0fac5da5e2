# Examples run against kube-fake-apiserver (defined in fake_http.cmake, so
# this file sorts after it).
# examples/apply and examples/dynamic-create-update-delete-deployment
# against kube-fake-apiserver (TLS + token): apply a multi-document manifest
# with a CRD and one of its objects twice (created, then unchanged), a
# conflict with another field manager, a YAML error naming file and line;
# the dynamic example's create/update/list/delete.
if(TARGET apply AND TARGET dynamic-create-update-delete-deployment AND TARGET kube-fake-apiserver)
  add_test(NAME example_apply_and_dynamic
    COMMAND sh -c [=[
set -eu
d=$(mktemp -d); pid=
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true; rm -rf "$d"' EXIT
"$1" --tls --token "apply-$$" --kubeconfig-out "$d/kubeconfig" >"$d/out" 2>"$d/err" & pid=$!
i=0
while [ ! -s "$d/out" ] || [ ! -s "$d/kubeconfig" ]; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { cat "$d/err" >&2; exit 1; }
  sleep 0.1
done
"$2" --kubeconfig "$d/kubeconfig" -f "$4" >"$d/first"
cat "$d/first"
test "$(grep -c ' created$' "$d/first")" = 5
grep -q '^gadget.example.com/g1 created$' "$d/first"
grep -q '^deployment.apps/web created$' "$d/first"
"$2" --kubeconfig "$d/kubeconfig" -f "$4" >"$d/second"
cat "$d/second"
test "$(grep -c ' unchanged$' "$d/second")" = 5
# another manager changing a field it does not own: a conflict naming both
sed 's/mode: fast/mode: slow/' "$4" >"$d/changed.yaml"
if "$2" --kubeconfig "$d/kubeconfig" --field-manager intruder -f "$d/changed.yaml" >"$d/third" 2>"$d/third.err"; then
  echo "conflict expected" >&2; exit 1
fi
cat "$d/third.err"
grep -q 'ConfigMap settings: Apply failed with 1 conflict' "$d/third.err"
grep -q 'kubectl' "$d/third.err"
grep -q '^deployment.apps/web ' "$d/third"
"$2" --kubeconfig "$d/kubeconfig" --field-manager intruder --force-conflicts -f "$d/changed.yaml" >"$d/fourth"
grep -q '^configmap/settings configured$' "$d/fourth"
# a YAML error names the file, the line and the document
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n' >"$d/bad.yaml"
if "$2" --kubeconfig "$d/kubeconfig" -f "$d/bad.yaml" 2>"$d/bad.err"; then exit 1; fi
cat "$d/bad.err"
grep -q "bad.yaml:[0-9]*:[0-9]*: invalid YAML" "$d/bad.err"
grep -q "document 1" "$d/bad.err"
# the dynamic client example
"$3" --kubeconfig "$d/kubeconfig" >"$d/dyn"
cat "$d/dyn"
grep -q 'Created deployment "demo-deployment"' "$d/dyn"
grep -q 'demo-deployment (1 replicas, image nginx:1.13)' "$d/dyn"
grep -q 'Deleted deployment.' "$d/dyn"
]=] sh $<TARGET_FILE:kube-fake-apiserver> $<TARGET_FILE:apply>
       $<TARGET_FILE:dynamic-create-update-delete-deployment>
       ${CMAKE_SOURCE_DIR}/examples/apply/sample.yaml)
  set_tests_properties(example_apply_and_dynamic PROPERTIES LABELS integration TIMEOUT 120)
endif()
