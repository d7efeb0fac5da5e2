#!/usr/bin/env bash
# Install what is missing, build, and run the examples: examples/out-of-cluster
# (list namespaces and pods, then watch pods for a few seconds), then, on the
# embedded server only, examples/apply (server-side apply of
# examples/apply/sample.yaml, twice: created, then unchanged), then
# examples/workqueue-controller (informer -> work queue -> reconcile), which
# shows what it reconciled.
#
#   scripts/demo.sh [KUBECONFIG-FILE] [--context NAME] [--namespace NS]
#
# The cluster is the kubeconfig given as $1, else $KUBECONFIG (its current
# context). With neither, the demo starts the project's fake API server
# (kube-fake-apiserver on 127.0.0.1, TLS and a token, seeded from
# examples/demo/seed.yaml) and uses the kubeconfig it writes. Further
# arguments go to the first example (--context NAME, --namespace NS).
#
# Environment:
#   KUBE_DEMO_WATCH_SECONDS  how long the example watches pods (default 5)
#   KUBE_BUILD_ROOT      build folders (default one per checkout under
#                        ~/.cache/libkubeclient/build);
#                        the demo shares <root>/default with scripts/test.sh
#   KUBE_SKIP_DEPS=1     do not check Debian packages
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KUBE_SCRIPT_NAME=demo.sh
# shellcheck source=scripts/lib/deps.sh
. "$ROOT/scripts/lib/deps.sh"

BUILD=$(kube_build_root)/default
WATCH_SECONDS=${KUBE_DEMO_WATCH_SECONDS:-5}
# A backstop: the example stops watching by itself after WATCH_SECONDS.
SECONDS_LIMIT=$((WATCH_SECONDS + 60))
log() { kube_log "$@"; }
die() {
	kube_log "error: $*"
	exit 1
}

# kubeconfig: an explicit file (--kubeconfig), or empty to let the example
# apply the loading rules to $KUBECONFIG (a ':'-separated list).
kubeconfig=
use_env=0
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
	kubeconfig=$1
	shift
	[ -f "$kubeconfig" ] || die "kubeconfig $kubeconfig does not exist"
elif [ -n "${KUBECONFIG:-}" ]; then
	use_env=1
fi

kube_deps_install
mkdir -p "$(dirname "$BUILD")"
cmake -S "$ROOT" -B "$BUILD" -DKUBE_WERROR=ON >/dev/null || die "configure failed"
targets=(out-of-cluster workqueue-controller)
[ -n "$kubeconfig" ] || [ "$use_env" = 1 ] || targets+=(kube-fake-apiserver apply)
cmake --build "$BUILD" -j"$(nproc)" --target "${targets[@]}" ||
	die "building ${targets[*]} failed"

find_binary() { # <name>
	find "$BUILD" -type f -name "$1" -perm -u+x -not -path '*/CMakeFiles/*' | head -n1
}
example=$(find_binary out-of-cluster)
[ -n "$example" ] || die "the out-of-cluster binary was not found under $BUILD"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kube-demo.XXXXXX")
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FAKE=0
if [ -z "$kubeconfig" ] && [ "$use_env" = 0 ]; then
	server=$(find_binary kube-fake-apiserver)
	[ -n "$server" ] || die "the kube-fake-apiserver binary was not found under $BUILD"
	kubeconfig=$tmp/kubeconfig
	TOKEN=demo-$$-$RANDOM
	"$server" --tls --token "$TOKEN" --seed "$ROOT/examples/demo/seed.yaml" \
		--kubeconfig-out "$kubeconfig" >"$tmp/server.out" 2>"$tmp/server.err" &
	SERVER_PID=$!
	# The server prints its URL as its first line once it listens.
	for _ in $(seq 1 100); do
		[ -s "$tmp/server.out" ] && [ -s "$kubeconfig" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || {
			cat "$tmp/server.err" >&2
			die "kube-fake-apiserver exited early"
		}
		sleep 0.1
	done
	[ -s "$tmp/server.out" ] || die "kube-fake-apiserver printed no URL within 10 s"
	URL=$(head -n1 "$tmp/server.out")
	FAKE=1
	log "kube-fake-apiserver at $URL (pid $SERVER_PID), seeded from examples/demo/seed.yaml"
elif [ -n "$kubeconfig" ]; then
	log "using kubeconfig $kubeconfig"
else
	log "using KUBECONFIG=$KUBECONFIG"
fi

args=(--watch-seconds "$WATCH_SECONDS")
[ -z "$kubeconfig" ] || args+=(--kubeconfig "$kubeconfig")
[ "$FAKE" = 0 ] || args+=(--namespace demo)
log "running ${example#"$BUILD"/} ${args[*]}${*:+ $*} (list namespaces and pods, watch pods ${WATCH_SECONDS}s)"
rc=0
timeout --foreground -k 5 "$SECONDS_LIMIT" "$example" "${args[@]}" "$@" || rc=$?
case $rc in
0) ;;
124) die "the example did not finish within ${SECONDS_LIMIT}s" ;;
*) die "the example failed (exit status $rc)" ;;
esac

# Server-side apply from a manifest (a CRD with one of its objects, a
# ConfigMap, a Deployment), twice: the second time nothing changes. Only on
# the embedded server: the demo does not create things in a real cluster.
if [ "$FAKE" = 1 ]; then
	applier=$(find_binary apply)
	[ -n "$applier" ] || die "the apply binary was not found under $BUILD"
	log "running ${applier#"$BUILD"/} -f examples/apply/sample.yaml, twice (kubectl apply --server-side in C)"
	for _ in 1 2; do
		timeout --foreground -k 5 60 "$applier" --kubeconfig "$kubeconfig" \
			-f "$ROOT/examples/apply/sample.yaml" || die "examples/apply failed"
	done
fi

# The controller demo: informer -> handlers -> work queue -> workers that
# reconcile through the clientset. Against the fake server a writer adds
# managed ConfigMaps while it runs, so it has something to react to.
controller=$(find_binary workqueue-controller)
[ -n "$controller" ] || die "the workqueue-controller binary was not found under $BUILD"
cargs=(--seconds "${KUBE_DEMO_CONTROLLER_SECONDS:-8}")
[ -z "$kubeconfig" ] || cargs+=(--kubeconfig "$kubeconfig")
[ "$FAKE" = 0 ] || cargs+=(--namespace demo)
WRITER_PID=
if [ "$FAKE" = 1 ]; then
	(
		sleep 2
		for i in 1 2 3; do
			curl -sS --cacert "$(dirname "$kubeconfig")/ca.crt" -H "Authorization: Bearer $TOKEN" \
				-H 'Content-Type: application/json' -X POST "$URL/api/v1/namespaces/demo/configmaps" \
				-d "{\"metadata\":{\"name\":\"added-$i\",\"labels\":{\"demo.libkubeclient.io/managed\":\"true\"}}}" \
				>/dev/null || true
			sleep 1
		done
	) &
	WRITER_PID=$!
fi
log "running ${controller#"$BUILD"/} ${cargs[*]} (reconciles ConfigMaps labelled demo.libkubeclient.io/managed=true)"
rc=0
timeout --foreground -k 5 60 "$controller" "${cargs[@]}" || rc=$?
[ -z "$WRITER_PID" ] || wait "$WRITER_PID" 2>/dev/null || true
case $rc in
0) log "demo done" ;;
124) die "the controller did not finish within 60s" ;;
*) die "the controller failed (exit status $rc)" ;;
esac
