#!/usr/bin/env bash
# Header hygiene (libgit2 tests/headertest):
#
#   headertest.sh <cc> <c++ or ""> <source include dir> <build include dir> [extra cflags]
#
# - kube.h, and every public header on its own (self-contained), compiled as
#   C99 with -pedantic -Wall -Wextra -Werror, twice in a row (include guards);
# - the same as C++11 (skipped with exit code 77 when no C++ compiler exists);
# - under C++, every KUBE_EXTERN function keeps C linkage (no mangled name);
# - every KUBE_*_INIT macro initialises its struct without warnings, in C and
#   in C++ (-Wextra includes -Wmissing-field-initializers).
set -euo pipefail

CC=${1:?usage: headertest.sh <cc> <c++> <src include> <build include> [cflags]}
CXX=${2:-}
SRC_INC=${3:?}
BIN_INC=${4:?}
# CMake passes lists with ';'
read -r -a EXTRA <<<"${5//;/ }"
NM=${NM:-nm}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kube-headertest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

# Public headers, including the generated kube/version.h of the build tree.
mapfile -t headers < <({ cd "$SRC_INC" && find . -name '*.h'; cd "$BIN_INC" && find . -name '*.h'; } |
	sed 's|^\./||' | LC_ALL=C sort -u)
[ "${#headers[@]}" -gt 0 ] || { echo "no headers under $SRC_INC"; exit 1; }

# Names of all KUBE_EXTERN functions, and of all KUBE_*_INIT macros with the
# struct they initialise (KUBE_FOO_OPTIONS_INIT -> kube_foo_options).
alltext=$(find "$SRC_INC" -name '*.h' -print0 | xargs -0 cat | tr '\n' ' ')
mapfile -t functions < <(grep -oE 'KUBE_EXTERN\(([^()]|\([^()]*\))*\)[[:space:]]*(\*[[:space:]]*)*kube_[A-Za-z0-9_]+' <<<"$alltext" |
	grep -oE 'kube_[A-Za-z0-9_]+$' | sort -u)
mapfile -t inits < <(find "$SRC_INC" -name '*.h' -exec grep -ohE '^#[[:space:]]*define[[:space:]]+KUBE_[A-Z0-9_]+_INIT\b' {} + |
	awk '{ print $NF }' | sort -u)

gen_init_uses() { # <lang c|cxx>
	local i=0 m type
	for m in "${inits[@]}"; do
		type=${m%_INIT}
		type=${type,,}
		if ! grep -qE "\b$type\b" <<<"$alltext"; then
			echo "/* $m: no type $type */"
			continue
		fi
		printf '    { %s v%d = %s; (void)v%d; }\n' "$type" "$i" "$m" "$i"
		i=$((i + 1))
	done
}

compile() { # <label> <compiler> <std flags...> -- <source file>
	local label=$1 cc=$2
	shift 2
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	local src=$2
	if ! "$cc" "${flags[@]}" -pedantic -Wall -Wextra -Werror \
		-I"$SRC_INC" -I"$BIN_INC" "${EXTRA[@]}" -c "$src" -o "$src.o" >"$src.log" 2>&1; then
		echo "FAIL: $label"
		sed 's/^/    /' "$src.log"
		fail=1
		return 1
	fi
	echo "ok:   $label"
}

run_lang() { # <c|cxx> <compiler> <std flags...>
	local lang=$1 cc=$2 ext
	shift 2
	[ "$lang" = c ] && ext=c || ext=cpp
	local h n=0
	for h in "${headers[@]}"; do
		n=$((n + 1))
		printf '#include <%s>\n#include <%s>\nint main(void) { return 0; }\n' "$h" "$h" \
			>"$tmp/self$n.$ext"
		compile "$lang $* <$h>" "$cc" "$@" -- "$tmp/self$n.$ext" || true
	done

	# Every function referenced (C linkage check) and every INIT macro used.
	{
		echo '#include <kube.h>'
		# headers kube.h does not pull in (generated API, workqueue, cache)
		for h in "${headers[@]}"; do echo "#include <$h>"; done
		if [ "$lang" = cxx ]; then
			echo 'typedef void (*kube_fn)();'
			echo 'static const kube_fn kube_all_functions[] = {'
			local f
			for f in "${functions[@]}"; do
				echo "    reinterpret_cast<kube_fn>(&$f),"
			done
			echo '    0 };'
			echo 'int main() {'
			echo '    (void)kube_all_functions;'
		else
			echo 'int main(void) {'
		fi
		gen_init_uses
		echo '    return 0;'
		echo '}'
	} >"$tmp/all.$ext"
	if compile "$lang $* functions and KUBE_*_INIT macros" "$cc" "$@" -- "$tmp/all.$ext" &&
		[ "$lang" = cxx ]; then
		local mangled
		mangled=$("$NM" -u "$tmp/all.$ext.o" | awk '{ print $NF }' | grep -E '^_Z.*kube_' || true)
		if [ -n "$mangled" ]; then
			echo "FAIL: functions without C linkage under C++ (missing KUBE_BEGIN_DECL?):"
			sed 's/^/    /' <<<"$mangled"
			fail=1
		else
			echo "ok:   c++ linkage of ${#functions[@]} functions"
		fi
	fi
}

echo "== C ($CC)"
run_lang c "$CC" -std=c99 -x c

cxx_missing=0
if [ -n "$CXX" ] && command -v "$CXX" >/dev/null 2>&1; then
	echo "== C++ ($CXX)"
	run_lang cxx "$CXX" -std=c++11 -x c++
else
	echo "SKIP: no C++ compiler (install g++): the C++ half of the header test did not run"
	cxx_missing=1
fi

if [ "$fail" -ne 0 ]; then
	echo "headertest: FAILED"
	exit 1
fi
if [ "$cxx_missing" -ne 0 ]; then
	exit 77
fi
echo "headertest: ok (${#headers[@]} headers, ${#functions[@]} functions, ${#inits[@]} INIT macros)"
