#!/usr/bin/env bash
# Exported-symbol hygiene (jansson check-exports, curl test1167).
#
#   check-symbols.sh <libkubeclient.so> [<libkubeclient.a>] [<include dir>]
#
# 1. `nm -D --defined-only` on the shared library lists only kube_* functions
#    and data (plus the version node and linker-made symbols), never a
#    kube__* internal.
# 2. With the include dir: every exported kube_* function is declared with
#    KUBE_EXTERN in a public header, every exported kube_* data object (the
#    generated type descriptors and scheme entries) with KUBE_EXTERN_DATA, and
#    every declared function and data object is exported (a declaration
#    without a definition is a link error for users).
# 3. With the static archive: every global symbol it defines starts with
#    kube_ (internals are kube__*), so static linking pollutes no namespace.
set -euo pipefail

so=${1:?usage: check-symbols.sh <libkubeclient.so> [<libkubeclient.a>] [<include dir>]}
ar=${2:-}
inc=${3:-}
NM=${NM:-nm}
fail=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kube-symbols.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Symbols the toolchain adds by itself.
linker_made='^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_|__dso_handle|_IO_stdin_used)$'
# Sanitizer instrumentation (KUBE_SANITIZE builds).
sanitizer_made='^(__odr_asan|__asan_|___asan|__ubsan_|__tsan_|__sancov_)'

# --- 1. the shared library ---------------------------------------------------
"$NM" -D --defined-only "$so" >"$tmp/nm.out"
# "<addr> <type> <name>[@[@]VERSION]"
awk 'NF >= 3 { print $2, $3 } NF == 2 { print $1, $2 }' "$tmp/nm.out" |
	while read -r type name; do
		name=${name%%@*}
		printf '%s %s\n' "$type" "$name"
	done | sort -u -k2 >"$tmp/exported"

: >"$tmp/exported_kube"
: >"$tmp/exported_func"
: >"$tmp/exported_data"
while read -r type name; do
	if [[ $type == A && $name =~ ^KUBE_[0-9A-Z_.]*$ ]]; then
		continue # version node (cmake/kubeclient.map)
	elif [[ $name =~ $linker_made || $name =~ $sanitizer_made ]]; then
		continue
	elif [[ $name == kube__* ]]; then
		echo "FAIL: internal symbol exported: $name ($type)"
		fail=1
	elif [[ $name =~ ^kube_[a-z0-9_]+$ ]]; then
		echo "$name" >>"$tmp/exported_kube"
		# nm types of data objects: read-only, initialised, bss, small, weak object, unique
		if [[ $type =~ ^[RDBGSVu]$ ]]; then
			echo "$name" >>"$tmp/exported_data"
		else
			echo "$name" >>"$tmp/exported_func"
		fi
	else
		echo "FAIL: non-kube_ symbol exported: $name ($type)"
		fail=1
	fi
done <"$tmp/exported"
sort -u -o "$tmp/exported_kube" "$tmp/exported_kube"
sort -u -o "$tmp/exported_func" "$tmp/exported_func"
sort -u -o "$tmp/exported_data" "$tmp/exported_data"
nexp=$(wc -l <"$tmp/exported_kube")
if [ "$nexp" -eq 0 ]; then
	echo "FAIL: $so exports no kube_* symbol at all"
	fail=1
fi
echo "$so: $nexp kube_* symbols exported"

# --- 2. exported == declared -----------------------------------------------
if [ -n "$inc" ]; then
	# KUBE_EXTERN(<type>) kube_name(   -- the name may follow on the next line
	find "$inc" -name '*.h' -print0 | xargs -0 cat |
		tr '\n' ' ' |
		grep -oE 'KUBE_EXTERN\(([^()]|\([^()]*\))*\)[[:space:]]*(\*[[:space:]]*)*kube_[A-Za-z0-9_]+' |
		grep -oE 'kube_[A-Za-z0-9_]+$' | sort -u >"$tmp/declared" || true
	# KUBE_EXTERN_DATA(<type>) kube_name;
	find "$inc" -name '*.h' -print0 | xargs -0 cat |
		tr '\n' ' ' |
		grep -oE 'KUBE_EXTERN_DATA\(([^()]|\([^()]*\))*\)[[:space:]]*kube_[A-Za-z0-9_]+' |
		grep -oE 'kube_[A-Za-z0-9_]+$' | sort -u >"$tmp/declared_data" || true
	ndecl=$(wc -l <"$tmp/declared")
	ndata=$(wc -l <"$tmp/declared_data")
	echo "$inc: $ndecl functions declared with KUBE_EXTERN, $ndata data objects with KUBE_EXTERN_DATA"
	while read -r name; do
		echo "FAIL: exported function not declared with KUBE_EXTERN in a public header: $name"
		fail=1
	done < <(comm -23 "$tmp/exported_func" "$tmp/declared")
	while read -r name; do
		echo "FAIL: exported data not declared with KUBE_EXTERN_DATA in a public header: $name"
		fail=1
	done < <(comm -23 "$tmp/exported_data" "$tmp/declared_data")
	while read -r name; do
		echo "FAIL: declared in a public header but not exported (no definition?): $name"
		fail=1
	done < <(comm -13 "$tmp/exported_func" "$tmp/declared")
	while read -r name; do
		echo "FAIL: data declared in a public header but not exported (no definition?): $name"
		fail=1
	done < <(comm -13 "$tmp/exported_data" "$tmp/declared_data")
fi

# --- 3. the static archive -------------------------------------------------
if [ -n "$ar" ]; then
	"$NM" -g --defined-only "$ar" 2>/dev/null |
		awk 'NF >= 3 { print $3 }' | sort -u >"$tmp/static"
	while read -r name; do
		if [[ $name == kube_* || $name =~ $linker_made || $name =~ $sanitizer_made ]]; then
			continue
		fi
		echo "FAIL: $ar defines a global symbol outside the kube_ namespace: $name"
		fail=1
	done <"$tmp/static"
fi

if [ "$fail" -ne 0 ]; then
	echo "symbol hygiene: FAILED"
	exit 1
fi
echo "symbol hygiene: ok"
