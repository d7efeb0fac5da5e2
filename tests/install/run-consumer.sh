#!/usr/bin/env bash
# Install test (STYLE.md §4.14, issue 2): install the build tree into a
# temporary prefix, then build tests/install/consumer against the *installed*
# library and run it:
#   (a) cc $(pkg-config --cflags --libs kubeclient)
#   (b) a CMake project: find_package(kubeclient) + kubeclient::kubeclient
#   (c) the same project linking kubeclient::kubeclient_static
#
#   run-consumer.sh <build dir> <consumer source dir> [cc] [cmake]
#
# KUBE_SANITIZE (as in the build) adds -fsanitize=... to the consumer, whose
# library would otherwise need the sanitizer runtime preloaded.
# KUBE_INSTALL_TEST_KEEP=1 keeps the temporary folder.
set -euo pipefail

build=${1:?usage: run-consumer.sh <build dir> <consumer source dir> [cc] [cmake]}
src=${2:?usage: run-consumer.sh <build dir> <consumer source dir> [cc] [cmake]}
CC=${3:-cc}
CMAKE=${4:-cmake}
build=$(cd "$build" && pwd)
src=$(cd "$src" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kube-install.XXXXXX")
if [ "${KUBE_INSTALL_TEST_KEEP:-0}" = 1 ]; then
	echo "keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
prefix=$tmp/prefix

step() { printf '\n== %s\n' "$*"; }
die() {
	echo "FAIL: $*"
	exit 1
}
run_logged() { # <log> <cmd...>: run quietly, show the log on failure
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		cat "$log"
		die "$*"
	fi
}

san_flags=()
if [ -n "${KUBE_SANITIZE:-}" ]; then
	san_flags=("-fsanitize=$KUBE_SANITIZE" -fno-omit-frame-pointer)
fi

# ---------------------------------------------------------------------------
step "cmake --install $build --prefix $prefix"
run_logged "$tmp/install.log" "$CMAKE" --install "$build" --prefix "$prefix"

[ -f "$prefix/include/kube.h" ] || die "include/kube.h not installed"
[ -f "$prefix/include/kube/version.h" ] || die "include/kube/version.h (generated) not installed"
pc=$(find "$prefix" -name kubeclient.pc -path '*/pkgconfig/*' | head -n1)
[ -n "$pc" ] || die "kubeclient.pc not installed"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
cfg=$(find "$prefix" -name kubeclientConfig.cmake | head -n1)
[ -n "$cfg" ] || die "kubeclientConfig.cmake not installed"
for f in kubeclientConfigVersion.cmake kubeclientTargets.cmake; do
	[ -f "$(dirname "$cfg")/$f" ] || die "$f not installed next to kubeclientConfig.cmake"
done
[ -f "$libdir/libkubeclient.a" ] || die "libkubeclient.a not installed in $libdir"
[ -L "$libdir/libkubeclient.so" ] || die "libkubeclient.so (development symlink) not installed in $libdir"
soname=$(objdump -p "$libdir/libkubeclient.so" | awk '$1 == "SONAME" { print $2 }')
[ -n "$soname" ] || die "libkubeclient.so has no SONAME"
[ -e "$libdir/$soname" ] || die "no file named after the SONAME ($soname) in $libdir"
echo "installed: $(cd "$prefix" && find . -type f -o -type l | LC_ALL=C sort | tr '\n' ' ')"
echo "SONAME: $soname"

# The library a binary loads must be the one in $prefix, not a copy
# installed elsewhere on the machine.
check_loaded_from_prefix() { # <binary> [env...]
	local bin=$1
	shift
	local line
	line=$(env "$@" ldd "$bin" | grep 'libkubeclient\.so' || true)
	[ -n "$line" ] || die "$bin does not load libkubeclient.so"
	case $line in
	*"$prefix"/*) ;;
	*) die "$bin loads libkubeclient from outside the prefix: $line" ;;
	esac
}

check_output() { # <output file> <version>
	grep -q "^libkubeclient $2 " "$1" || {
		cat "$1"
		die "unexpected consumer output (wanted 'libkubeclient $2 ...')"
	}
	cat "$1"
}

# ---------------------------------------------------------------------------
step "(a) pkg-config"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# kubeclient.pc is relocatable: its prefix is derived from ${pcfiledir}, and
# every other path from ${prefix}, so the installed copy must work in the
# temporary prefix as it is, without any rewriting.
grep -q '^prefix=[$][{]pcfiledir[}]' "$pc" || die "kubeclient.pc is not relocatable (prefix= does not use \${pcfiledir})"
if grep -E '^(exec_prefix|libdir|includedir)=' "$pc" | grep -v '[$][{]\(prefix\|exec_prefix\)[}]'; then
	die "kubeclient.pc has paths that do not derive from \${prefix} (see above)"
fi
pkgconf=(pkg-config)
version=$("${pkgconf[@]}" --modversion kubeclient)
read -r -a pc_cflags <<<"$("${pkgconf[@]}" --cflags kubeclient)"
read -r -a pc_libs <<<"$("${pkgconf[@]}" --libs kubeclient)"
echo "kubeclient $version: cflags: ${pc_cflags[*]}; libs: ${pc_libs[*]}"
case " ${pc_cflags[*]} " in *" -I$prefix/"*) ;; *) die "pkg-config --cflags does not point into $prefix" ;; esac
case " ${pc_libs[*]} " in *" -L$prefix/"*) ;; *) die "pkg-config --libs does not point into $prefix" ;; esac
run_logged "$tmp/cc.log" "$CC" -std=c99 -Wall -Wextra -Werror "${san_flags[@]}" \
	"${pc_cflags[@]}" -o "$tmp/consumer-pc" "$src/consumer.c" "${pc_libs[@]}"
check_loaded_from_prefix "$tmp/consumer-pc" "LD_LIBRARY_PATH=$libdir"
LD_LIBRARY_PATH=$libdir "$tmp/consumer-pc" >"$tmp/out-pc" 2>&1 || {
	cat "$tmp/out-pc"
	die "consumer built with pkg-config failed"
}
check_output "$tmp/out-pc" "$version"

# ---------------------------------------------------------------------------
cmake_consumer() { # <name> [cmake -D args...]
	local name=$1
	shift
	local flags=""
	[ "${#san_flags[@]}" -eq 0 ] || flags="${san_flags[*]}"
	run_logged "$tmp/$name-configure.log" "$CMAKE" -S "$src" -B "$tmp/build-$name" \
		-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$CC" \
		-DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
		-DKUBECLIENT_VERSION="$version" "$@"
	run_logged "$tmp/$name-build.log" "$CMAKE" --build "$tmp/build-$name"
}

step "(b) CMake find_package(kubeclient $version) -> kubeclient::kubeclient"
cmake_consumer shared
check_loaded_from_prefix "$tmp/build-shared/consumer"
# No LD_LIBRARY_PATH: the imported target's location gives the build RPATH.
"$tmp/build-shared/consumer" >"$tmp/out-shared" 2>&1 || {
	cat "$tmp/out-shared"
	die "consumer built with find_package failed"
}
check_output "$tmp/out-shared" "$version"

step "(c) CMake find_package(kubeclient) -> kubeclient::kubeclient_static"
cmake_consumer static -DCONSUMER_STATIC=ON
if ldd "$tmp/build-static/consumer" | grep -q 'libkubeclient\.so'; then
	die "the static consumer still loads libkubeclient.so"
fi
"$tmp/build-static/consumer" >"$tmp/out-static" 2>&1 || {
	cat "$tmp/out-static"
	die "consumer linked statically failed"
}
check_output "$tmp/out-static" "$version"

echo
echo "install test: ok"
