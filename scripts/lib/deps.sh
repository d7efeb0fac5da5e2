# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/demo.sh (source it; it defines
# functions and variables only).
#
# kube_deps_install [extra Debian packages...]
#   Installs, with apt-get, the Debian 12 packages needed to build and test
#   libkubeclient that are missing. apt-get runs only when something is
#   missing (checked with dpkg -s). Uses sudo when not root.
#   KUBE_SKIP_DEPS=1 skips the whole step (a machine set up by other means).
#
# kube_repo_root            the repository's top folder
# kube_build_root           ${KUBE_BUILD_ROOT:-$HOME/.cache/libkubeclient/build/<key>}
#                           where <key> is derived from the checkout's path,
#                           so two checkouts never share (and fight over) one
#                           CMake cache
# kube_find_go              prints the go binary (KUBE_E2E_GO,
#                           /usr/local/go/bin/go, or go on PATH); 1 if none

KUBE_DEPS_PACKAGES=(
	cmake gcc g++ make pkg-config
	libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev
	libcmocka-dev libmicrohttpd-dev libgnutls28-dev
	python3 python3-kubernetes openssl curl ca-certificates binutils
)

kube_log() { printf '%s: %s\n' "${KUBE_SCRIPT_NAME:-${0##*/}}" "$*" >&2; }

kube_repo_root() {
	(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

kube_build_root() {
	if [ -n "${KUBE_BUILD_ROOT:-}" ]; then
		printf '%s\n' "$KUBE_BUILD_ROOT"
		return 0
	fi
	local root key
	root=$(kube_repo_root)
	key=$(printf '%s' "$root" | cksum | cut -d' ' -f1)
	printf '%s\n' "${HOME:-/root}/.cache/libkubeclient/build/${root##*/}-$key"
}

kube_deps_install() {
	if [ "${KUBE_SKIP_DEPS:-0}" = 1 ]; then
		kube_log "KUBE_SKIP_DEPS=1: not checking Debian packages"
		return 0
	fi
	if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
		kube_log "warning: not a Debian system (no dpkg/apt-get): install by hand: ${KUBE_DEPS_PACKAGES[*]} $*"
		return 0
	fi
	local missing=() p
	for p in "${KUBE_DEPS_PACKAGES[@]}" "$@"; do
		# "install ok installed" only: a removed package keeps a dpkg record.
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			missing+=("$p")
		fi
	done
	if [ "${#missing[@]}" -eq 0 ]; then
		kube_log "all build and test packages are installed"
		return 0
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			{ kube_log "error: missing packages (${missing[*]}) and not root, no sudo"; return 1; }
		sudo=(sudo)
	fi
	kube_log "installing missing packages: ${missing[*]}"
	"${sudo[@]}" apt-get update -q || { kube_log "error: apt-get update failed"; return 1; }
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ kube_log "error: apt-get install failed"; return 1; }
}

kube_find_go() {
	if [ -n "${KUBE_E2E_GO:-}" ]; then
		[ -x "$KUBE_E2E_GO" ] && { printf '%s\n' "$KUBE_E2E_GO"; return 0; }
		return 1
	fi
	if [ -x /usr/local/go/bin/go ]; then
		printf '%s\n' /usr/local/go/bin/go
		return 0
	fi
	command -v go 2>/dev/null || return 1
}

# kube_configure_build <build dir> [cmake -D options...]
#   Configures (when needed) and builds with -DKUBE_WERROR=ON.
# kube_build_dir_check DIR ROOT: a build folder configured from another
# source tree (a moved or second checkout given the same KUBE_BUILD_ROOT) is
# wiped instead of failing with CMake's "does not match the source" error.
kube_build_dir_check() {
	local dir=$1 root=$2 home
	[ -f "$dir/CMakeCache.txt" ] || return 0
	home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$dir/CMakeCache.txt")
	if [ -n "$home" ] && [ "$(cd "$home" 2>/dev/null && pwd -P)" != "$(cd "$root" && pwd -P)" ]; then
		kube_log "build folder $dir was configured from $home: starting it afresh"
		rm -rf "$dir"
	fi
}

kube_configure_build() {
	local dir=$1
	shift
	local root
	root=$(kube_repo_root)
	kube_build_dir_check "$dir" "$root"
	cmake -S "$root" -B "$dir" -DKUBE_WERROR=ON "$@" || return 1
	cmake --build "$dir" -j"$(nproc)" || return 1
}
