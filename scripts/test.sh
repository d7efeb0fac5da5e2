#!/usr/bin/env bash
# Build libkubeclient and run every test tier, on a fresh Debian 12 machine.
#
#   scripts/test.sh
#
# Stages (each timed; a summary is printed at the end, also on failure):
#   deps        install missing Debian packages with apt-get (scripts/lib/deps.sh)
#   build       configure + build with -DKUBE_WERROR=ON (warnings are errors)
#   tests       ctest -L 'unit|integration|install'
#   e2e         ctest -L e2e against a real kube-apiserver + etcd started by
#               scripts/control-plane.sh (needs Go; see docs/control-plane.md)
#   asan-build  second build: -DKUBE_SANITIZE=address,undefined -DKUBE_FAILALLOC=ON
#   asan-tests  ctest -L 'unit|integration' under ASan+UBSan (leaks detected)
#   tsan        third build: -DKUBE_SANITIZE=thread, ctest -L thread
#
# Environment:
#   KUBE_BUILD_ROOT      build folders (default
#                        ~/.cache/libkubeclient/build/<checkout>-<path hash>,
#                        one per checkout): <root>/default, <root>/asan,
#                        <root>/tsan
#   KUBE_E2E             1: the e2e tier must run; a missing Go, a control plane
#                        that fails to build or start, or no e2e test fails the
#                        run. 0: skip it. Unset: run it when Go is there.
#   KUBE_TEST_SKIP_SANITIZERS=1   skip the ASan/UBSan and TSan builds
#   KUBE_TEST_JOBS       ctest parallelism (default: nproc)
#   KUBE_SKIP_DEPS=1     do not check Debian packages
#
# Exit status: 0 when every stage that ran passed.
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
ROOT=$(cd "$(dirname "$SELF")/.." && pwd)
export KUBE_SCRIPT_NAME=test.sh
# shellcheck source=scripts/lib/deps.sh
. "$ROOT/scripts/lib/deps.sh"

BUILD_ROOT=$(kube_build_root)
BUILD_DEFAULT=$BUILD_ROOT/default
BUILD_ASAN=$BUILD_ROOT/asan
BUILD_TSAN=$BUILD_ROOT/tsan
JOBS=${KUBE_TEST_JOBS:-$(nproc)}
SKIP=77 # a stage's exit status for "skipped"; it writes the reason to $STAGE_REASON

log() { kube_log "$@"; }

skip() {
	printf '%s\n' "$*" >"$STAGE_REASON"
	log "$STAGE_LABEL SKIPPED: $*"
	exit "$SKIP"
}

fail() {
	printf '%s\n' "$*" >"$STAGE_REASON"
	log "$STAGE_LABEL FAILED: $*"
	exit 1
}

count_tests() { # <build dir> <label regex>
	{ ctest --test-dir "$1" -N -L "$2" 2>/dev/null || true; } | sed -n 's/^Total Tests: *//p'
}

# ---------------------------------------------------------------------------
# stages (each runs in its own bash process, with set -euo pipefail)
# ---------------------------------------------------------------------------

stage_deps() {
	kube_deps_install
}

stage_build() {
	mkdir -p "$BUILD_ROOT"
	kube_configure_build "$BUILD_DEFAULT" || fail "configure/build failed"
}

stage_tests() {
	ctest --test-dir "$BUILD_DEFAULT" --output-on-failure --no-tests=error \
		-j "$JOBS" -L 'unit|integration|install' || fail "ctest -L 'unit|integration|install' failed"
}

stage_e2e() {
	local required=0 reason go n cp=$ROOT/scripts/control-plane.sh
	case ${KUBE_E2E:-} in
	0) skip "disabled by KUBE_E2E=0" ;;
	1) required=1 ;;
	esac
	if [ ! -f "$cp" ]; then
		reason="scripts/control-plane.sh does not exist"
		[ "$required" = 0 ] || fail "KUBE_E2E=1 but $reason"
		skip "$reason"
	fi
	if ! go=$(kube_find_go); then
		reason="Go not found (looked for \$KUBE_E2E_GO, /usr/local/go/bin/go and go on PATH); the control plane is built from the Kubernetes Go modules"
		[ "$required" = 0 ] || fail "KUBE_E2E=1 but $reason"
		skip "$reason"
	fi
	n=$(count_tests "$BUILD_DEFAULT" e2e)
	if [ "${n:-0}" = 0 ]; then
		reason="no test labelled e2e is registered"
		[ "$required" = 0 ] || fail "KUBE_E2E=1 but $reason"
		skip "$reason"
	fi
	log "e2e: $n tests, Go at $go; building/starting the control plane"
	KUBE_E2E_GO=$go bash "$cp" run \
		ctest --test-dir "$BUILD_DEFAULT" --output-on-failure --no-tests=error -L e2e ||
		fail "e2e tier failed (control plane build/start or tests; see above)"
}

sanitizers_wanted() {
	if [ "${KUBE_TEST_SKIP_SANITIZERS:-0}" = 1 ]; then
		skip "KUBE_TEST_SKIP_SANITIZERS=1"
	fi
}

stage_asan_build() {
	sanitizers_wanted
	kube_configure_build "$BUILD_ASAN" -DKUBE_SANITIZE=address,undefined -DKUBE_FAILALLOC=ON \
		-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_DEBUG=-g -O1" \
		-DKUBE_BUILD_EXAMPLES=OFF -DKUBE_BUILD_BENCH=OFF ||
		fail "ASan+UBSan configure/build failed"
}

stage_asan_tests() {
	sanitizers_wanted
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$BUILD_ASAN" --output-on-failure --no-tests=error \
		-j "$JOBS" -L 'unit|integration' || fail "tests under ASan+UBSan failed"
}

stage_tsan() {
	sanitizers_wanted
	local opts="halt_on_error=1:second_deadlock_stack=1" n
	[ ! -f "$ROOT/tests/tsan.supp" ] || opts="$opts:suppressions=$ROOT/tests/tsan.supp"
	kube_build_dir_check "$BUILD_TSAN" "$ROOT"
	cmake -S "$ROOT" -B "$BUILD_TSAN" -DKUBE_WERROR=ON -DKUBE_SANITIZE=thread \
		-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_C_FLAGS_DEBUG=-g -O1" \
		-DKUBE_BUILD_EXAMPLES=OFF -DKUBE_BUILD_BENCH=OFF || fail "TSan configure failed"
	# Tests are known after configuring: do not build for nothing.
	n=$(count_tests "$BUILD_TSAN" thread)
	[ "${n:-0}" != 0 ] || skip "no test labelled thread yet"
	cmake --build "$BUILD_TSAN" -j"$(nproc)" || fail "TSan build failed"
	TSAN_OPTIONS=$opts ctest --test-dir "$BUILD_TSAN" --output-on-failure --no-tests=ignore \
		-j "$JOBS" -L thread || fail "tests labelled thread failed under TSan"
}

if [ "${1:-}" = __stage ]; then
	"stage_${2//-/_}"
	exit 0
fi

# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------

STATE=$(mktemp -d "${TMPDIR:-/tmp}/kube-test.XXXXXX")
T0=$(date +%s)
declare -a S_NAME=() S_RESULT=() S_SECS=() S_NOTE=()
FAILED=()

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

summary() {
	local i
	echo
	echo "== libkubeclient test summary (build root: $BUILD_ROOT)"
	for i in "${!S_NAME[@]}"; do
		printf '  %-11s %-8s %8s  %s\n' "${S_NAME[$i]}" "${S_RESULT[$i]}" \
			"$(fmt_secs "${S_SECS[$i]}")" "${S_NOTE[$i]}"
	done
	printf '  %-11s %-8s %8s\n' total "" "$(fmt_secs $(($(date +%s) - T0)))"
	if [ "${#FAILED[@]}" -eq 0 ]; then
		echo "result: PASSED"
	else
		echo "result: FAILED (${FAILED[*]})"
	fi
}

on_exit() {
	local rc=$?
	summary
	rm -rf "$STATE"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_stage <name>: 0 passed, 1 failed, 2 skipped
run_stage() {
	local name=$1 t rc=0 note=""
	export STAGE_REASON=$STATE/$name.reason STAGE_LABEL=$name
	[ "$name" != e2e ] || STAGE_LABEL="e2e tier"
	: >"$STAGE_REASON"
	printf '\n==== %s ====\n' "$name"
	t=$(date +%s)
	KUBE_BUILD_ROOT=$BUILD_ROOT bash "$SELF" __stage "$name" || rc=$?
	note=$(head -c 300 "$STAGE_REASON")
	S_NAME+=("$name")
	S_SECS+=($(($(date +%s) - t)))
	S_NOTE+=("$note")
	case $rc in
	0) S_RESULT+=(ok) ;;
	"$SKIP") S_RESULT+=(skipped); return 2 ;;
	*) S_RESULT+=(FAILED); FAILED+=("$name"); return 1 ;;
	esac
}

not_run() { # <name> <why>
	S_NAME+=("$1")
	S_RESULT+=(-)
	S_SECS+=(0)
	S_NOTE+=("not run: $2")
}

run_stage deps || exit 1
run_stage build || exit 1
run_stage tests || true
run_stage e2e || true
if run_stage asan-build; then
	run_stage asan-tests || true
elif [ "${S_RESULT[-1]}" = FAILED ]; then
	not_run asan-tests "the ASan build failed"
else
	not_run asan-tests "${S_NOTE[-1]}"
fi
run_stage tsan || true

[ "${#FAILED[@]}" -eq 0 ]
