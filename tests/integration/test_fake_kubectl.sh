#!/bin/sh
# kubectl and the Python client against kube-fake-apiserver (HTTPS, bearer
# token, seeded objects, admin endpoint).
#
#   test_fake_kubectl.sh <path to kube-fake-apiserver>
#
# Exit 77 (skipped) when kubectl is not on PATH. The Python part is skipped
# with a message when no python3 can `import kubernetes`
# (Debian: apt-get install python3-kubernetes).
set -eu

server=${1:?usage: test_fake_kubectl.sh <kube-fake-apiserver>}
command -v kubectl >/dev/null 2>&1 || { echo "kubectl not found: skipped"; exit 77; }

d=$(mktemp -d)
pid=
wpid=
cleanup() {
    [ -z "$wpid" ] || kill "$wpid" 2>/dev/null || true
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$d"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$d"/out "$d"/err "$d"/k.out "$d"/k.err; do
        [ -s "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
    done
    exit 1
}
step() { echo "== $*"; }

# k ARGS...: kubectl, output in $d/k.out (stdout) and $d/k.err (stderr).
k() {
    kubectl --request-timeout=30s "$@" >"$d/k.out" 2>"$d/k.err" ||
        fail "kubectl $*"
}
# kout ARGS...: kubectl, printing stdout.
kout() {
    k "$@"
    cat "$d/k.out"
}

cat >"$d/seed.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: seeded
  namespace: demo
  labels:
    origin: seed
data:
  greeting: hello
EOF

cat >"$d/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "infinity"]
EOF

cat >"$d/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
EOF

cat >"$d/cm-ssa.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
data:
  a: "1"
  b: "2"
EOF

"$server" --tls --token fake-test-token --token-user nobody-token=nobody --seed "$d/seed.yaml" \
    --kubeconfig-out "$d/kubeconfig" --admin-port 0 >"$d/out" 2>"$d/err" &
pid=$!
i=0
until [ -f "$d/out" ] && [ "$(wc -l <"$d/out")" -ge 2 ]; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || fail "no URL printed"
    kill -0 "$pid" 2>/dev/null || fail "the server exited"
    sleep 0.1
done
url=$(sed -n 1p "$d/out")
admin=$(sed -n 2p "$d/out" | sed 's/^admin //')
echo "server at $url, admin at $admin"
[ -s "$d/ca.crt" ] || fail "no ca.crt next to the kubeconfig"
export KUBECONFIG="$d/kubeconfig"
export KUBECACHEDIR="$d/cache" # kubectl's discovery and OpenAPI cache, not ~/.kube

step "discovery: version, api-resources, api-versions"
k version -o json
grep -q '"gitVersion": "v1.34' "$d/k.out" || fail "version"
k api-resources
grep -Eq '^deployments +deploy +apps/v1 +true +Deployment' "$d/k.out" || fail "api-resources deployments"
grep -Eq '^pods +po +v1 +true +Pod' "$d/k.out" || fail "api-resources pods"
k api-resources --namespaced=false -o name
grep -qx 'namespaces' "$d/k.out" || fail "api-resources cluster-scoped"
k api-versions
grep -qx 'autoscaling/v2' "$d/k.out" || fail "api-versions"

step "authentication: a wrong token is refused"
if kubectl --request-timeout=10s --token wrong get ns >/dev/null 2>"$d/k.err"; then
    fail "a wrong token was accepted"
fi
grep -qi 'unauthorized\|must be logged in' "$d/k.err" || fail "401 expected"
if command -v curl >/dev/null 2>&1; then
    # no credentials: system:anonymous, which RBAC lets read /version only
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.crt" "$url/api/v1/namespaces")" = 403 ] ||
        fail "no credentials: 403 expected"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.crt" "$url/version")" = 200 ] ||
        fail "no credentials: /version should be open"
    [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.crt" --cert "$d/client.crt" \
        --key "$d/client.key" "$url/api/v1/namespaces")" = 200 ] ||
        fail "client certificate refused"
fi

step "authorization: the token user nobody has discovery only"
[ -s "$d/nobody.kubeconfig" ] || fail "no nobody.kubeconfig"
grep -q "KUBE_E2E_NOBODY_KUBECONFIG=$d/nobody.kubeconfig" "$d/env" || fail "env file"
if kubectl --kubeconfig "$d/nobody.kubeconfig" --request-timeout=10s get configmaps \
    >/dev/null 2>"$d/k.err"; then
    fail "nobody may list configmaps"
fi
grep -q 'User "nobody" cannot list resource "configmaps" in API group "" in the namespace "default"' \
    "$d/k.err" || fail "403 expected: $(cat "$d/k.err")"
kubectl --kubeconfig "$d/nobody.kubeconfig" --request-timeout=10s version >/dev/null 2>&1 ||
    fail "nobody may not read /version"
kubectl --kubeconfig "$d/nobody.kubeconfig" --request-timeout=10s api-resources >/dev/null 2>&1 ||
    fail "nobody may not discover"
# a RoleBinding to the bootstrap ClusterRole "view" lets nobody read default
cat >"$d/rb.yaml" <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: nobody-view
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: nobody
EOF
k create -f "$d/rb.yaml"
kubectl --kubeconfig "$d/nobody.kubeconfig" --request-timeout=10s get configmaps >/dev/null ||
    fail "nobody with view cannot list configmaps in default"
if kubectl --kubeconfig "$d/nobody.kubeconfig" --request-timeout=10s -n kube-system \
    get configmaps >/dev/null 2>&1; then
    fail "the RoleBinding in default grants kube-system"
fi
k delete -f "$d/rb.yaml"

step "a fresh cluster's objects"
[ "$(kout get clusterroles -o name | wc -l)" -ge 60 ] || fail "bootstrap ClusterRoles"
kout get clusterrole system:discovery -o name | grep -q system:discovery || fail "system:discovery"
[ "$(kout get svc kubernetes -o jsonpath='{.metadata.name}')" = kubernetes ] || fail "kubernetes service"
[ "$(kout -n kube-system get sa -o name | wc -l)" -ge 10 ] || fail "kube-system service accounts"

step "get/list: json, yaml, name, seeded objects"
k get namespaces -o json
grep -q '"name": "kube-system"' "$d/k.out" || fail "namespaces json"
grep -q '"name": "demo"' "$d/k.out" || fail "seeded namespace"
k get namespaces -o yaml
grep -q 'name: default' "$d/k.out" || fail "namespaces yaml"
[ "$(kout -n demo get configmap seeded -o jsonpath='{.data.greeting}')" = hello ] ||
    fail "seeded configmap"
k get ns
grep -q '^default' "$d/k.out" || fail "table output"
grep -Eq '^NAME +STATUS +AGE' "$d/k.out" || fail "server-side Table columns for namespaces"
grep -Eq '^default +Active ' "$d/k.out" || fail "namespace row"
k -n kube-system get configmaps
grep -Eq '^NAME +DATA +AGE' "$d/k.out" || fail "server-side Table columns for configmaps"
grep -Eq '^kube-root-ca.crt +1 ' "$d/k.out" || fail "configmap row"
k get clusterroles
grep -Eq '^NAME +CREATED AT' "$d/k.out" || fail "default Table columns"
k get svc kubernetes
grep -Eq '^kubernetes +ClusterIP +10\.0\.0\.1 +<none> +443/TCP ' "$d/k.out" || fail "service row"

step "field validation: kubectl's Strict, and the Warn default"
cat >"$d/typo.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: typo
dta:
  a: "1"
EOF
if kubectl --request-timeout=10s create -f "$d/typo.yaml" >/dev/null 2>"$d/k.err"; then
    fail "a misspelt field was accepted under Strict"
fi
grep -q 'strict decoding error: unknown field "dta"' "$d/k.err" || fail "strict: $(cat "$d/k.err")"
k create --validate=warn -f "$d/typo.yaml"
grep -q 'unknown field "dta"' "$d/k.err" || fail "no warning: $(cat "$d/k.err")"
k delete cm typo

step "create -f: a Deployment and a ConfigMap"
k create -f "$d/deploy.yaml"
k create -f "$d/cm.yaml"
[ "$(kout get deployment web -o jsonpath='{.spec.replicas}')" = 2 ] || fail "deployment replicas"
[ "$(kout get cm settings -o jsonpath='{.data.mode}')" = fast ] || fail "configmap data"
k get deployment web -o yaml
grep -q 'uid:' "$d/k.out" || fail "no uid"
grep -q 'resourceVersion:' "$d/k.out" || fail "no resourceVersion"
if kubectl --request-timeout=10s create -f "$d/cm.yaml" >/dev/null 2>"$d/k.err"; then
    fail "a second create succeeded"
fi
grep -q 'AlreadyExists\|already exists' "$d/k.err" || fail "AlreadyExists expected"

step "apply --server-side"
k apply --server-side -f "$d/cm-ssa.yaml"
[ "$(kout get cm applied -o jsonpath='{.data.b}')" = 2 ] || fail "server-side apply create"
sed 's/b: "2"/b: "3"/' "$d/cm-ssa.yaml" >"$d/cm-ssa2.yaml"
k apply --server-side -f "$d/cm-ssa2.yaml"
[ "$(kout get cm applied -o jsonpath='{.data.b}')" = 3 ] || fail "server-side apply update"
k get cm applied -o yaml --show-managed-fields
grep -q 'manager: kubectl' "$d/k.out" || fail "managedFields"
sed 's/b: "2"/b: "4"/' "$d/cm-ssa.yaml" >"$d/cm-ssa3.yaml"
if kubectl --request-timeout=10s apply --server-side --field-manager=other \
    -f "$d/cm-ssa3.yaml" >/dev/null 2>"$d/k.err"; then
    fail "a second manager changed an owned field without a conflict"
fi
grep -q 'conflict' "$d/k.err" || fail "conflict expected: $(cat "$d/k.err")"
k apply --server-side --field-manager=other --force-conflicts -f "$d/cm-ssa3.yaml"
[ "$(kout get cm applied -o jsonpath='{.data.b}')" = 4 ] || fail "--force-conflicts"

step "apply (client-side, three-way strategic merge)"
cat >"$d/svc.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 80
EOF
k apply -f "$d/svc.yaml"
sed 's/port: 80$/port: 8080/' "$d/svc.yaml" >"$d/svc2.yaml"
k apply -f "$d/svc2.yaml"
[ "$(kout get svc web -o jsonpath='{.spec.ports[0].port}')" = 8080 ] || fail "client-side apply"
grep -q 'warning: error calculating patch from openapi' "$d/k.err" && fail "openapi v3 patch meta"
k get svc web -o yaml
grep -q 'last-applied-configuration' "$d/k.out" || fail "last-applied annotation"

step "patch: merge, json, strategic"
k patch cm settings --type merge -p '{"data":{"merged":"yes"}}'
k patch cm settings --type json -p '[{"op":"add","path":"/data/json","value":"yes"}]'
k get cm settings -o jsonpath='{.data.merged}/{.data.json}/{.data.mode}'
[ "$(cat "$d/k.out")" = "yes/yes/fast" ] || fail "merge/json patch"
k patch deployment web --type strategic \
    -p '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}'
k get deployment web -o jsonpath='{range .spec.template.spec.containers[*]}{.name}={.image},{end}'
[ "$(cat "$d/k.out")" = "nginx=nginx:1.28,sidecar=busybox:1.36," ] ||
    fail "strategic merge patch by merge key: $(cat "$d/k.out")"
[ "$(kout get deployment web -o jsonpath='{.metadata.generation}')" -ge 2 ] ||
    fail "generation not bumped"

step "label"
k label cm settings tier=backend
k get cm -l tier=backend -o name
[ "$(cat "$d/k.out")" = configmap/settings ] || fail "label selector"
k label cm settings tier-
k get cm -l tier=backend -o name
[ -z "$(cat "$d/k.out")" ] || fail "label removal"

step "scale"
k scale deployment web --replicas=5
[ "$(kout get deployment web -o jsonpath='{.spec.replicas}')" = 5 ] || fail "scale"

step "get --watch"
timeout 20 kubectl get configmaps --watch -o name >"$d/watch.out" 2>"$d/watch.err" &
wpid=$!
sleep 2
# (create -f, not `create configmap`: kubectl's generators send protobuf)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata:\n  k: v\n' >"$d/watched.yaml"
k create -f "$d/watched.yaml"
i=0
while ! grep -q 'configmap/watched' "$d/watch.out"; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || fail "the watch did not see the new configmap: $(cat "$d/watch.out" "$d/watch.err")"
    sleep 0.1
done
kill "$wpid" 2>/dev/null || true
wait "$wpid" 2>/dev/null || true
wpid=
grep -q 'configmap/settings' "$d/watch.out" || fail "the watch's initial list"

step "wait"
k wait --for=jsonpath='{.data.k}'=v configmap/watched --timeout=20s
kubectl --request-timeout=30s wait --for=delete configmap/watched --timeout=20s \
    >"$d/wait.out" 2>&1 &
wpid=$!
sleep 1
k delete configmap watched
wait "$wpid" || { cat "$d/wait.out"; fail "wait --for=delete"; }
wpid=

step "delete"
k delete -f "$d/cm.yaml"
if kubectl --request-timeout=10s get cm settings >/dev/null 2>"$d/k.err"; then
    fail "deleted configmap still there"
fi
grep -q 'NotFound\|not found' "$d/k.err" || fail "NotFound expected"
k delete deployment web
k delete -n demo configmap -l origin=seed
k get -n demo cm -o name
[ -z "$(cat "$d/k.out")" ] || fail "delete by label"

step "CustomResourceDefinition: discovery, OpenAPI, apply, scale"
cat >"$d/crd.yaml" <<'EOF2'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string}
              replicas: {type: integer}
EOF2
cat >"$d/ct.yaml" <<'EOF2'
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: my-cron
spec:
  cronSpec: "*/5 * * * *"
  replicas: 1
EOF2
k apply -f "$d/crd.yaml"
k wait --for condition=established crd/crontabs.stable.example.com --timeout=20s
k api-resources --api-group=stable.example.com
grep -Eq '^crontabs +ct +stable.example.com/v1 +true +CronTab' "$d/k.out" || fail "CRD discovery"
k apply -f "$d/ct.yaml"
sed 's/replicas: 1/replicas: 2/' "$d/ct.yaml" >"$d/ct2.yaml"
k apply -f "$d/ct2.yaml" # a merge patch: the OpenAPI offers no strategic merge for CRDs
[ "$(kout get ct my-cron -o jsonpath='{.spec.replicas}')" = 2 ] || fail "CR apply"
k scale crontab my-cron --replicas=4
[ "$(kout get ct my-cron -o jsonpath='{.spec.replicas}')" = 4 ] || fail "CR scale"
k explain crontab.spec.cronSpec
grep -q 'string' "$d/k.out" || fail "CR explain"
k delete -f "$d/crd.yaml"

step "explain (OpenAPI v3)"
k explain deployment.spec.replicas
grep -q 'replicas' "$d/k.out" || fail "explain"

step "admin endpoint: actions and faults"
if command -v curl >/dev/null 2>&1; then
    curl -sSf "$admin/actions" >"$d/actions.json" || fail "GET /actions"
    grep -q '"verb":"create"' "$d/actions.json" || fail "no create action recorded"
    curl -sSf -X POST -d '{"kind":"status","status":500,"verb":"get","resource":"configmaps","count":1}' \
        "$admin/faults" >/dev/null || fail "POST /faults"
    if kubectl --request-timeout=10s -n demo get cm nonexistent >/dev/null 2>"$d/k.err"; then
        fail "the fault did not fire"
    fi
    grep -q 'InternalError\|500\|Internal' "$d/k.err" || fail "500 expected: $(cat "$d/k.err")"
    curl -sSf -X DELETE "$admin/faults" >/dev/null || fail "DELETE /faults"
else
    echo "curl not found: admin endpoint not checked"
fi

step "Python client (kubernetes.client)"
py=
for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import kubernetes' 2>/dev/null; then
        py=$cand
        break
    fi
done
if [ -z "$py" ]; then
    echo "python3 cannot import kubernetes (apt-get install python3-kubernetes): Python part skipped"
else
    "$py" - "$d/kubeconfig" >"$d/py.out" 2>&1 <<'EOF' || { cat "$d/py.out"; fail "python client"; }
import sys
from kubernetes import client, config

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
names = [ns.metadata.name for ns in v1.list_namespace().items]
assert "default" in names and "kube-system" in names and "demo" in names, names
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python"),
                        data={"lang": "python"})
v1.create_namespaced_config_map("default", cm)
got = v1.read_namespaced_config_map("from-python", "default")
assert got.data == {"lang": "python"}, got.data
assert got.metadata.uid and got.metadata.resource_version
apps = client.AppsV1Api()
apps.list_namespaced_deployment("default")
try:
    v1.read_namespaced_config_map("missing", "default")
    raise SystemExit("expected 404")
except client.rest.ApiException as e:
    assert e.status == 404, e.status
# discovery through the dynamic client
from kubernetes import dynamic, watch
dc = dynamic.DynamicClient(client.ApiClient())
cms = dc.resources.get(api_version="v1", kind="ConfigMap")
assert "from-python" in [i.metadata.name for i in dc.get(cms, namespace="default").items]
# a watch (the client sends watch=True: Go's ParseBool spelling)
seen = [ev["object"].metadata.name
        for ev in watch.Watch().stream(v1.list_namespaced_config_map, "default",
                                       timeout_seconds=1)]
assert "from-python" in seen, seen
print("python ok:", sorted(names))
EOF
    cat "$d/py.out"
fi

step "stop on SIGTERM (exit 0)"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || fail "exit status $rc"
echo "all kubectl checks passed"
