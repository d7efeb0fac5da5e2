#!/usr/bin/env bash
# Build and run a real Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager) on 127.0.0.1 for libkubeclient's end-to-end tests.
#
#   scripts/control-plane.sh build
#   scripts/control-plane.sh start   <statedir>
#   scripts/control-plane.sh stop    <statedir>
#   scripts/control-plane.sh compact <statedir>
#   scripts/control-plane.sh openapi <statedir> <outdir>
#   scripts/control-plane.sh run     <cmd> [args...]
#
# See docs/control-plane.md for the environment variables and the state dir
# layout. Binaries are build outputs: they live in a cache folder outside the
# repository and are never committed.
# shellcheck disable=SC2317 # trap handlers are called indirectly
set -euo pipefail

K8S_VERSION=${KUBE_E2E_K8S_VERSION:-v1.34.4}
ETCD_VERSION=${KUBE_E2E_ETCD_VERSION:-v3.6.4}
TESTBIN_ROOT=${KUBE_TESTBIN:-${HOME:-/tmp}/.cache/libkubeclient/testbin}
BIN_DIR=$TESTBIN_ROOT/$K8S_VERSION-$ETCD_VERSION
START_TIMEOUT=${KUBE_E2E_START_TIMEOUT:-120}
PROG=${0##*/}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Milliseconds since the epoch (GNU date).
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------
# tools
# ---------------------------------------------------------------------------

APT_UPDATED=0
# ensure_cmd CMD DEBIAN-PACKAGE: install the package with apt-get when CMD is
# missing (fresh Debian machine); does nothing when CMD is already there.
ensure_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	log "installing $2 (for $1) with apt-get"
	if [ "$APT_UPDATED" -eq 0 ]; then
		$sudo apt-get update -qq >&2 || die "apt-get update failed"
		APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" >&2 ||
		die "apt-get install $2 failed"
	command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing $2"
}

find_go() {
	if [ -n "${KUBE_E2E_GO:-}" ]; then
		GO=$KUBE_E2E_GO
	elif [ -x /usr/local/go/bin/go ]; then
		GO=/usr/local/go/bin/go
	elif command -v go >/dev/null 2>&1; then
		GO=$(command -v go)
	else
		die "Go not found (install it at /usr/local/go or set KUBE_E2E_GO)"
	fi
}

have_bins() {
	local b
	for b in etcd kube-apiserver kube-controller-manager; do
		[ -x "$BIN_DIR/$b" ] || return 1
	done
}

# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

# go.mod of k8s.io/kubernetes@K8S_VERSION from the module cache (downloads it).
k8s_gomod() {
	"$GO" mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
		sed -n 's/^[[:space:]]*"GoMod":[[:space:]]*"\(.*\)",\{0,1\}$/\1/p'
}

cmd_build() {
	if have_bins; then
		log "using cached binaries in $BIN_DIR"
		return 0
	fi
	find_go
	mkdir -p "$TESTBIN_ROOT"
	# One build at a time per cache folder (two test runs may start together).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$TESTBIN_ROOT/.build.lock"
		flock 9
		if have_bins; then
			exec 9>&-
			log "using cached binaries in $BIN_DIR (built by another process)"
			return 0
		fi
	fi

	# Leftovers of an interrupted build (we hold the lock, so none is running).
	rm -rf "$TESTBIN_ROOT"/.tmp-*

	local t0 t1
	t0=$(date +%s)
	log "building kube-apiserver, kube-controller-manager $K8S_VERSION and etcd $ETCD_VERSION with $("$GO" version)"
	log "this takes a while on a cold cache; binaries go to $BIN_DIR"

	export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
	export GOFLAGS="-mod=mod -buildvcs=false"
	export GOCACHE=$TESTBIN_ROOT/go-build
	# GOMODCACHE stays Go's default so downloaded modules are shared.

	local work=$TESTBIN_ROOT/work/$K8S_VERSION-$ETCD_VERSION
	local out=$TESTBIN_ROOT/.tmp-$K8S_VERSION-$ETCD_VERSION.$$
	rm -rf "$work" "$out"
	mkdir -p "$work/k8s" "$out"

	# -- consumer module for k8s.io/kubernetes --------------------------------
	# k8s.io/kubernetes requires all its staging modules at the fake version
	# v0.0.0 (mapped by directory replaces a dependent module does not see), so
	# the consumer replaces each one with the matching v0.X.Y tag. The list is
	# read from the release's own go.mod, since it changes between minors.
	(
		cd "$work/k8s"
		"$GO" mod init example.invalid/libkubeclient-testbin >/dev/null 2>&1
		local kmod staging goline godebug etcd_pinned
		kmod=$(k8s_gomod)
		[ -f "$kmod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
		staging=v0.${K8S_VERSION#v1.}
		local -a edits=()
		local m
		while read -r m; do
			edits+=("-replace=$m=$m@$staging")
		done < <(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" { print $1 }' "$kmod" | sort -u)
		[ "${#edits[@]}" -gt 0 ] || die "no staging modules found in $kmod"
		goline=$(awk '$1 == "go" { print $2; exit }' "$kmod")
		godebug=$(sed -n 's/^godebug[[:space:]]\{1,\}\([^([:space:]]\{1,\}\)[[:space:]]*$/\1/p' "$kmod" | sed -n 1p)
		[ -n "$goline" ] && edits+=("-go=$goline")
		[ -n "$godebug" ] && edits+=("-godebug=$godebug")
		"$GO" mod edit "${edits[@]}"

		# etcd: k8s.io/kubernetes already requires go.etcd.io/etcd/server/v3 (the
		# apiserver links parts of it). When the wanted etcd is that very version it
		# joins this module at no cost to the apiserver's dependency versions, and
		# one `go build` compiles everything (shared packages once, both cores busy
		# all the time). Another etcd version gets its own module below, so that MVS
		# does not move the apiserver's dependencies.
		etcd_pinned=$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' "$kmod")
		local -a pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
		local -a gets=("k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kube-controller-manager@$K8S_VERSION")
		if [ "$etcd_pinned" = "$ETCD_VERSION" ]; then
			pkgs+=(go.etcd.io/etcd/server/v3)
			gets+=("go.etcd.io/etcd/server/v3@$ETCD_VERSION")
			: >"$out/.etcd-in-k8s-module"
		else
			log "k8s.io/kubernetes@$K8S_VERSION pins etcd ${etcd_pinned:-(none)}; etcd $ETCD_VERSION gets its own module"
		fi
		local ts
		ts=$(date +%s)
		log "resolving modules (go get, log in $work/go-get.log)"
		"$GO" get "${gets[@]}" >"$work/go-get.log" 2>&1 || {
			tail -n 40 "$work/go-get.log" >&2
			die "go get failed"
		}

		local minor=${K8S_VERSION#v1.}
		minor=${minor%%.*}
		local date ld p
		date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
		ld="-s -w"
		for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
			ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
			ld="$ld -X $p.gitTreeState=clean -X $p.buildDate=$date"
		done
		log "modules resolved in $(($(date +%s) - ts)) s; compiling ${pkgs[*]}"
		ts=$(date +%s)
		"$GO" build -trimpath -ldflags "$ld" -o "$out/" "${pkgs[@]}"
		log "compiled in $(($(date +%s) - ts)) s"
		if [ -e "$out/server" ]; then mv "$out/server" "$out/etcd"; fi
	)

	# -- own module for another etcd version ---------------------------------
	if [ ! -e "$out/.etcd-in-k8s-module" ]; then
		mkdir -p "$work/etcd"
		(
			cd "$work/etcd"
			"$GO" mod init example.invalid/libkubeclient-etcd >/dev/null 2>&1
			log "resolving etcd $ETCD_VERSION in its own module"
			"$GO" get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >"$work/go-get-etcd.log" 2>&1 || {
				tail -n 40 "$work/go-get-etcd.log" >&2
				die "go get (etcd) failed"
			}
			log "compiling etcd"
			"$GO" build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
		)
	fi
	rm -f "$out/.etcd-in-k8s-module"

	local b
	for b in etcd kube-apiserver kube-controller-manager; do
		[ -x "$out/$b" ] || die "build produced no $b"
	done
	t1=$(date +%s)
	{
		echo "k8s $K8S_VERSION etcd $ETCD_VERSION"
		echo "go $("$GO" env GOVERSION)"
		echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((t1 - t0)) s"
		"$out/kube-apiserver" --version
		"$out/etcd" --version | sed -n 1p
	} >"$out/VERSION"
	rm -rf "$BIN_DIR"
	mv "$out" "$BIN_DIR"
	log "build took $((t1 - t0)) s ($(((t1 - t0) / 60)) min $(((t1 - t0) % 60)) s)"
	du -h "$BIN_DIR"/etcd "$BIN_DIR"/kube-apiserver "$BIN_DIR"/kube-controller-manager >&2
	exec 9>&- # release the build lock (daemons must not inherit it)
}

# ---------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------

# is_alive PID NAME: PID is running (not a zombie) and is the NAME binary
# (guards against a recycled PID).
is_alive() {
	local pid=$1 name=$2 stat arg0
	[ -r "/proc/$pid/stat" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	arg0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 1p) || return 1
	[ "${arg0##*/}" = "$name" ]
}

# wait_gone PID NAME TENTHS: wait up to TENTHS/10 s for PID to exit.
wait_gone() {
	local pid=$1 name=$2 n=$3
	while [ "$n" -gt 0 ]; do
		is_alive "$pid" "$name" || {
			wait "$pid" 2>/dev/null || true # reap it if it is our child
			return 0
		}
		sleep 0.1
		n=$((n - 1))
	done
	! is_alive "$pid" "$name"
}

# stop_dir STATEDIR: stop every process recorded in STATEDIR/pids, newest
# first: SIGTERM, wait, SIGKILL; then check they are gone.
stop_dir() {
	local dir=$1 pidfile=$1/pids
	local -a pids=() names=()
	local pid name i failed=0
	if [ -f "$pidfile" ]; then
		while read -r pid name; do
			[ -n "$pid" ] || continue
			pids+=("$pid")
			names+=("$name")
		done <"$pidfile"
	fi
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		pid=${pids[i]} name=${names[i]}
		is_alive "$pid" "$name" || continue
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" "$name" 150; then
			log "$name ($pid) ignored SIGTERM for 15 s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			wait_gone "$pid" "$name" 50 || true
		fi
	done
	for ((i = 0; i < ${#pids[@]}; i++)); do
		if is_alive "${pids[i]}" "${names[i]}"; then
			log "error: ${names[i]} (${pids[i]}) is still running"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ] || return 1
	[ ! -f "$pidfile" ] || mv -f "$pidfile" "$dir/pids.stopped"
	# etcd's data dir may be on tmpfs (memory): free it.
	if [ -L "$dir/etcd-data" ]; then
		local target
		target=$(readlink "$dir/etcd-data")
		case $target in
		/dev/shm/libkubeclient-etcd.*) rm -rf "$target" ;;
		esac
		rm -f "$dir/etcd-data"
	fi
	return 0
}

# spawn STATEDIR NAME ARGS...: start a daemon in its own session, logging to
# STATEDIR/NAME.log, and record its PID in STATEDIR/pids at once.
SPAWNED_PID=
spawn() {
	local dir=$1 name=$2
	shift 2
	local pf=$dir/.$name.pid
	rm -f "$pf"
	local -a pre=()
	command -v setsid >/dev/null 2>&1 && pre=(setsid)
	# shellcheck disable=SC2016 # $$ and $@ are for the inner shell
	"${pre[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$pf" "$@" </dev/null >"$dir/$name.log" 2>&1 &
	local n=50
	while [ ! -s "$pf" ] && [ "$n" -gt 0 ]; do
		sleep 0.02
		n=$((n - 1))
	done
	[ -s "$pf" ] || die "could not start $name"
	SPAWNED_PID=$(cat "$pf")
	rm -f "$pf"
	echo "$SPAWNED_PID $name" >>"$dir/pids"
	# The PID is written just before `exec`: wait until it is the binary.
	n=100
	while ! is_alive "$SPAWNED_PID" "$name" && [ -e "/proc/$SPAWNED_PID" ] && [ "$n" -gt 0 ]; do
		sleep 0.01
		n=$((n - 1))
	done
}

# Ports listening on this machine (from /proc, no extra tool needed).
listening_ports() {
	local f
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' "$f"
	done | while read -r hex; do echo $((16#$hex)); done
}

# pick_port: set PORT to a free TCP port in 20000-31999 (below the ephemeral
# range), not yet handed out by this run.
PICKED_PORTS=" "
PORT=
pick_port() {
	local used p n=200
	used=" $(listening_ports | tr '\n' ' ') "
	while [ "$n" -gt 0 ]; do
		p=$((20000 + RANDOM % 12000))
		case "$used$PICKED_PORTS" in
		*" $p "*) ;;
		*)
			PICKED_PORTS="$PICKED_PORTS$p "
			PORT=$p
			return 0
			;;
		esac
		n=$((n - 1))
	done
	die "no free port found"
}

# wait_url NAME PID TIMEOUT-S EXPECT URL CURL-ARGS...: poll URL until it
# answers 2xx with a body containing EXPECT; fail early when the process dies.
wait_url() {
	local name=$1 pid=$2 timeout=$3 expect=$4 url=$5
	shift 5
	local deadline body
	deadline=$(($(date +%s) + timeout))
	while :; do
		if ! is_alive "$pid" "$name"; then
			log "error: $name exited during start-up"
			return 1
		fi
		body=$(curl -fsS --max-time 5 "$@" "$url" 2>&1) || body="${body:-no answer}"
		case $body in "no answer" | curl:*) ;; *"$expect"*) return 0 ;; esac
		if [ "$(date +%s)" -ge "$deadline" ]; then
			log "error: $name not ready after $timeout s ($url: $body)"
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
# PKI and kubeconfigs
# ---------------------------------------------------------------------------

gen_pki() {
	local p=$1
	mkdir -p "$p"
	(
		cd "$p"
		umask 077
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
			-subj "/CN=libkubeclient-e2e-ca" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>>openssl.log
		cat >server.ext <<-'EOF'
			basicConstraints=CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=serverAuth
			subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
		EOF
		cat >client.ext <<-'EOF'
			basicConstraints=CA:FALSE
			keyUsage=critical,digitalSignature,keyEncipherment
			extendedKeyUsage=clientAuth
		EOF
		# name subject extfile
		local spec name subj ext
		for spec in \
			"apiserver|/CN=kube-apiserver|server.ext" \
			"admin|/O=system:masters/CN=admin|client.ext" \
			"kube-controller-manager|/CN=system:kube-controller-manager|client.ext"; do
			IFS='|' read -r name subj ext <<<"$spec"
			openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" \
				-subj "$subj" 2>>openssl.log
			openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
				-out "$name.crt" -days 3650 -extfile "$ext" 2>>openssl.log
			rm -f "$name.csr"
		done
		# service-account token signing key pair
		openssl genrsa -out sa.key 2048 2>>openssl.log
		openssl rsa -in sa.key -pubout -out sa.pub 2>>openssl.log
		# static tokens: token,user,uid,"groups"
		ADMIN_TOKEN=$(openssl rand -hex 24)
		NOBODY_TOKEN=$(openssl rand -hex 24)
		printf '%s,token-admin,token-admin-uid,"system:masters"\n%s,nobody,nobody-uid\n' \
			"$ADMIN_TOKEN" "$NOBODY_TOKEN" >tokens.csv
		chmod 644 ca.crt apiserver.crt admin.crt kube-controller-manager.crt sa.pub
		rm -f openssl.log # only kept (and shown) on failure
	)
	ADMIN_TOKEN=$(sed -n '1s/,.*//p' "$p/tokens.csv")
	NOBODY_TOKEN=$(sed -n '2s/,.*//p' "$p/tokens.csv")
}

b64() { base64 <"$1" | tr -d '\n'; }

# write_kubeconfig FILE SERVER CA USERNAME USER-YAML-LINES
write_kubeconfig() {
	local file=$1 server=$2 ca=$3 user=$4 creds=$5
	(
		umask 077
		cat >"$file" <<-EOF
			apiVersion: v1
			kind: Config
			clusters:
			- name: libkubeclient-e2e
			  cluster:
			    server: $server
			    certificate-authority-data: $(b64 "$ca")
			contexts:
			- name: $user@libkubeclient-e2e
			  context:
			    cluster: libkubeclient-e2e
			    user: $user
			    namespace: default
			current-context: $user@libkubeclient-e2e
			users:
			- name: $user
			  user:
			$creds
			preferences: {}
		EOF
	)
}

write_kubeconfigs() {
	local d=$1 server=$2 p=$1/pki
	write_kubeconfig "$d/admin.kubeconfig" "$server" "$p/ca.crt" admin \
		"    client-certificate-data: $(b64 "$p/admin.crt")
    client-key-data: $(b64 "$p/admin.key")"
	write_kubeconfig "$d/token.kubeconfig" "$server" "$p/ca.crt" token-admin \
		"    token: $ADMIN_TOKEN"
	write_kubeconfig "$d/nobody.kubeconfig" "$server" "$p/ca.crt" nobody \
		"    token: $NOBODY_TOKEN"
	write_kubeconfig "$p/kube-controller-manager.kubeconfig" "$server" "$p/ca.crt" \
		system:kube-controller-manager \
		"    client-certificate-data: $(b64 "$p/kube-controller-manager.crt")
    client-key-data: $(b64 "$p/kube-controller-manager.key")"
	# Same admin identity, with file references relative to the kubeconfig's
	# folder (to test a client's path handling).
	(
		umask 077
		cat >"$d/admin-paths.kubeconfig" <<-EOF
			apiVersion: v1
			kind: Config
			clusters:
			- name: libkubeclient-e2e
			  cluster:
			    server: $server
			    certificate-authority: pki/ca.crt
			contexts:
			- name: admin@libkubeclient-e2e
			  context:
			    cluster: libkubeclient-e2e
			    user: admin
			current-context: admin@libkubeclient-e2e
			users:
			- name: admin
			  user:
			    client-certificate: pki/admin.crt
			    client-key: pki/admin.key
		EOF
	)
}

# ---------------------------------------------------------------------------
# start / stop
# ---------------------------------------------------------------------------

# Statedir that the EXIT trap must stop (set while start runs, and for `run`
# until the command is done).
CLEANUP_DIR=
CHILD_PID=
STARTING=0
INTERRUPTED=0
RUN_KEEP=0

print_logs() {
	local dir=$1 f
	for f in pki/openssl etcd kube-apiserver kube-controller-manager; do
		[ -s "$dir/$f.log" ] || continue
		printf '\n===== last lines of %s =====\n' "$dir/$f.log" >&2
		tail -n 40 "$dir/$f.log" >&2
	done
}

on_exit() {
	local rc=$?
	set +e
	trap - INT TERM HUP
	if [ -n "$CHILD_PID" ]; then
		# the command of `run` is still going (we got a signal): end its group
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || kill -TERM "$CHILD_PID" 2>/dev/null
		local n=100
		while kill -0 "$CHILD_PID" 2>/dev/null && [ "$n" -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		kill -KILL -- "-$CHILD_PID" 2>/dev/null || kill -KILL "$CHILD_PID" 2>/dev/null
		wait "$CHILD_PID" 2>/dev/null
	fi
	if [ -n "$CLEANUP_DIR" ]; then
		[ "$rc" -eq 0 ] || [ "$STARTING" -eq 0 ] || [ "$INTERRUPTED" -eq 1 ] || print_logs "$CLEANUP_DIR"
		stop_dir "$CLEANUP_DIR" || { [ "$rc" -ne 0 ] || rc=1; }
		if [ -n "${RUN_TMPDIR:-}" ]; then
			if [ "$rc" -eq 0 ] && [ "$RUN_KEEP" -eq 0 ]; then
				rm -rf "$RUN_TMPDIR"
			elif [ "$RUN_KEEP" -eq 0 ]; then
				# kept for its logs after a failure: no credentials stay behind
				rm -rf "$RUN_TMPDIR"/pki "$RUN_TMPDIR"/kcm-certs "$RUN_TMPDIR"/apiserver-certs \
					"$RUN_TMPDIR"/*.kubeconfig "$RUN_TMPDIR"/*token*
				log "logs kept in $RUN_TMPDIR (credentials removed)"
			else
				log "state and logs kept in $RUN_TMPDIR"
			fi
		fi
	fi
	exit "$rc"
}

on_signal() {
	INTERRUPTED=1
	log "got SIG$1, stopping"
	case $1 in INT) exit 130 ;; TERM) exit 143 ;; *) exit 129 ;; esac
}

install_traps() {
	trap on_exit EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
}

# env_line KEY VALUE: KEY=VALUE, quoted only when needed.
env_line() {
	case $2 in
	*[!A-Za-z0-9_./:@%+=,-]*) printf '%s=%q\n' "$1" "$2" ;;
	*) printf '%s=%s\n' "$1" "$2" ;;
	esac
}

start_dir() {
	local dir=$1
	if ! have_bins; then cmd_build; fi
	ensure_cmd openssl openssl
	ensure_cmd curl curl
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/pids" ]; then
		local pid name
		while read -r pid name; do
			if [ -n "$pid" ] && is_alive "$pid" "$name"; then
				die "$dir is in use ($name $pid is running): stop it first"
			fi
		done <"$dir/pids"
	fi
	# Remove what an earlier start left here (the folder itself may hold more).
	[ ! -L "$dir/etcd-data" ] || stop_dir "$dir"
	rm -rf "$dir/pki" "$dir/etcd-data" "$dir/apiserver-certs" "$dir/kcm-certs" \
		"$dir/pids" "$dir/pids.stopped" "$dir/env" "$dir"/*.kubeconfig "$dir"/*.log
	CLEANUP_DIR=$dir
	STARTING=1
	: >"$dir/pids"

	local t0 t_etcd t_api t_kcm
	t0=$(now_ms)
	gen_pki "$dir/pki"
	local p=$dir/pki

	# etcd data on tmpfs when there is one: faster, and no disk wear.
	if [ -d /dev/shm ] && [ -w /dev/shm ] && [ -z "${KUBE_E2E_ETCD_ON_DISK:-}" ]; then
		ln -s "$(mktemp -d /dev/shm/libkubeclient-etcd.XXXXXX)" "$dir/etcd-data"
	else
		mkdir -p "$dir/etcd-data"
	fi

	local etcd_port etcd_peer_port api_port kcm_port
	pick_port
	etcd_port=$PORT
	pick_port
	etcd_peer_port=$PORT
	pick_port
	api_port=$PORT
	pick_port
	kcm_port=$PORT
	local etcd_url=http://127.0.0.1:$etcd_port server=https://127.0.0.1:$api_port

	# shellcheck disable=SC2086 # KUBE_E2E_*_ARGS are word-split on purpose
	spawn "$dir" etcd "$BIN_DIR/etcd" \
		--name=e2e \
		--data-dir="$dir/etcd-data" \
		--listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
		--listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
		--initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
		--initial-cluster="e2e=http://127.0.0.1:$etcd_peer_port" \
		--unsafe-no-fsync=true \
		--logger=zap --log-level=warn \
		${KUBE_E2E_ETCD_ARGS:-}
	local etcd_pid=$SPAWNED_PID
	wait_url etcd "$etcd_pid" 30 '"health":"true"' "$etcd_url/health" || return 1
	t_etcd=$(now_ms)

	local -a api_args=(
		--etcd-servers="$etcd_url"
		--etcd-compaction-interval="${KUBE_E2E_ETCD_COMPACTION_INTERVAL:-1h}"
		--bind-address=127.0.0.1 --secure-port="$api_port"
		--cert-dir="$dir/apiserver-certs"
		--tls-cert-file="$p/apiserver.crt" --tls-private-key-file="$p/apiserver.key"
		--client-ca-file="$p/ca.crt"
		--token-auth-file="$p/tokens.csv"
		--authorization-mode=RBAC
		--service-account-issuer=https://kubernetes.default.svc.cluster.local
		--service-account-key-file="$p/sa.pub"
		--service-account-signing-key-file="$p/sa.key"
		--service-cluster-ip-range=10.0.0.0/24
		--allow-privileged=true
		--v="${KUBE_E2E_APISERVER_V:-1}"
	)
	[ -z "${KUBE_E2E_RUNTIME_CONFIG-api/all=true}" ] ||
		api_args+=(--runtime-config="${KUBE_E2E_RUNTIME_CONFIG-api/all=true}")
	[ -z "${KUBE_E2E_FEATURE_GATES:-}" ] || api_args+=(--feature-gates="$KUBE_E2E_FEATURE_GATES")
	# Without a controller manager nobody creates the `default` ServiceAccount.
	[ -z "${KUBE_E2E_NO_CONTROLLER_MANAGER:-}" ] ||
		api_args+=(--disable-admission-plugins=ServiceAccount)
	# The apiserver needs an address to advertise; with no default route it
	# cannot pick one. Nothing ever connects to it.
	if ! awk 'NR > 1 && $2 == "00000000" { found = 1 } END { exit !found }' /proc/net/route 2>/dev/null; then
		api_args+=(--advertise-address=192.0.2.1)
	fi
	# shellcheck disable=SC2086
	spawn "$dir" kube-apiserver "$BIN_DIR/kube-apiserver" "${api_args[@]}" ${KUBE_E2E_APISERVER_ARGS:-}
	local api_pid=$SPAWNED_PID
	write_kubeconfigs "$dir" "$server"
	local -a admin_curl=(--cacert "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key")
	wait_url kube-apiserver "$api_pid" "$START_TIMEOUT" ok "$server/readyz" "${admin_curl[@]}" || return 1
	t_api=$(now_ms)

	local kcm_pid=
	if [ -z "${KUBE_E2E_NO_CONTROLLER_MANAGER:-}" ]; then
		local k=$p/kube-controller-manager.kubeconfig
		# /readyz can be ok before the RBAC authorizer sees the bootstrap role
		# binding that lets the controller manager read the authentication
		# ConfigMap, and the controller manager exits on that error: wait for it.
		wait_url kube-apiserver "$api_pid" "$START_TIMEOUT" '' \
			"$server/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication" \
			--cacert "$p/ca.crt" --cert "$p/kube-controller-manager.crt" --key "$p/kube-controller-manager.key" ||
			return 1
		# shellcheck disable=SC2086
		spawn "$dir" kube-controller-manager "$BIN_DIR/kube-controller-manager" \
			--kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k" \
			--bind-address=127.0.0.1 --secure-port="$kcm_port" --cert-dir="$dir/kcm-certs" \
			--leader-elect=false \
			--service-account-private-key-file="$p/sa.key" --root-ca-file="$p/ca.crt" \
			--cluster-signing-cert-file="$p/ca.crt" --cluster-signing-key-file="$p/ca.key" \
			--service-cluster-ip-range=10.0.0.0/24 \
			--use-service-account-credentials=true \
			--v="${KUBE_E2E_KCM_V:-1}" \
			${KUBE_E2E_KCM_ARGS:-}
		kcm_pid=$SPAWNED_PID
		wait_url kube-controller-manager "$kcm_pid" "$START_TIMEOUT" ok \
			"https://127.0.0.1:$kcm_port/healthz" -k || return 1
		# Functional readiness: the ServiceAccount controller has made the
		# `default` ServiceAccount (pods need it).
		wait_url kube-controller-manager "$kcm_pid" "$START_TIMEOUT" '' \
			"$server/api/v1/namespaces/default/serviceaccounts/default" "${admin_curl[@]}" || return 1
	fi
	t_kcm=$(now_ms)

	{
		env_line KUBE_E2E_STATEDIR "$dir"
		env_line KUBE_E2E_KUBECONFIG "$dir/admin.kubeconfig"
		env_line KUBE_E2E_TOKEN_KUBECONFIG "$dir/token.kubeconfig"
		env_line KUBE_E2E_NOBODY_KUBECONFIG "$dir/nobody.kubeconfig"
		env_line KUBE_E2E_PATHS_KUBECONFIG "$dir/admin-paths.kubeconfig"
		env_line KUBE_E2E_SERVER "$server"
		env_line KUBE_E2E_CA_FILE "$p/ca.crt"
		env_line KUBE_E2E_ADMIN_TOKEN "$ADMIN_TOKEN"
		env_line KUBE_E2E_NOBODY_TOKEN "$NOBODY_TOKEN"
		env_line KUBE_E2E_ETCD_URL "$etcd_url"
		env_line KUBE_E2E_APISERVER_PORT "$api_port"
		env_line KUBE_E2E_ETCD_PORT "$etcd_port"
		env_line KUBE_E2E_ETCD_PEER_PORT "$etcd_peer_port"
		env_line KUBE_E2E_KCM_PORT "${kcm_pid:+$kcm_port}"
		env_line KUBE_E2E_ETCD_PID "$etcd_pid"
		env_line KUBE_E2E_APISERVER_PID "$api_pid"
		env_line KUBE_E2E_KCM_PID "$kcm_pid"
		env_line KUBE_E2E_K8S_VERSION "$K8S_VERSION"
		env_line KUBE_E2E_ETCD_VERSION "$ETCD_VERSION"
		env_line KUBE_E2E_BIN_DIR "$BIN_DIR"
	} >"$dir/env"

	local ms_etcd=$((t_etcd - t0)) ms_api=$((t_api - t0)) ms_all=$((t_kcm - t0))
	log "$(printf 'ready in %d.%03d s (etcd %d.%03d s, kube-apiserver /readyz %d.%03d s)' \
		$((ms_all / 1000)) $((ms_all % 1000)) $((ms_etcd / 1000)) $((ms_etcd % 1000)) \
		$((ms_api / 1000)) $((ms_api % 1000)))"
	log "server $server; kubeconfig $dir/admin.kubeconfig; env $dir/env"
	STARTING=0
	return 0
}

cmd_start() {
	[ $# -eq 1 ] || die "usage: $PROG start <statedir>"
	install_traps
	# On failure (set -e) the EXIT trap prints the logs and stops what started.
	start_dir "$1"
	CLEANUP_DIR= # success: leave it running
}

cmd_stop() {
	[ $# -eq 1 ] || die "usage: $PROG stop <statedir>"
	[ -d "$1" ] || die "no such folder: $1"
	stop_dir "$1" || die "some processes of $1 are still running"
	log "stopped $1"
}

# ---------------------------------------------------------------------------
# compact / openapi
# ---------------------------------------------------------------------------

load_env() {
	local dir=$1
	[ -f "$dir/env" ] || die "$dir/env not found: is a control plane running there?"
	# shellcheck disable=SC1091
	. "$dir/env"
}

# etcd_post PATH JSON: POST to etcd's v3 HTTP/JSON gateway, print the answer.
etcd_post() {
	curl -sS -X POST -H 'Content-Type: application/json' "$KUBE_E2E_ETCD_URL$1" -d "$2"
}

# header_revision JSON: the header's revision of an etcd gateway answer.
header_revision() {
	printf '%s' "$1" | sed -n 's/.*"header"[^}]*"revision"[[:space:]]*:[[:space:]]*"\{0,1\}\([0-9][0-9]*\).*/\1/p'
}

# put_compact_rev REV: store REV under compact_rev_key; print the put's revision.
put_compact_rev() {
	local k v body rev
	k=$(printf 'compact_rev_key' | base64 | tr -d '\n')
	v=$(printf '%s' "$1" | base64 | tr -d '\n')
	body=$(etcd_post /v3/kv/put "{\"key\":\"$k\",\"value\":\"$v\"}") || die "etcd put failed"
	rev=$(header_revision "$body")
	[ -n "$rev" ] || die "etcd put compact_rev_key failed: $body"
	echo "$rev"
}

cmd_compact() {
	[ $# -eq 1 ] || die "usage: $PROG compact <statedir>"
	ensure_cmd curl curl
	load_env "$1"
	local body cur rev
	# Any range answer carries the store's current revision in its header.
	body=$(etcd_post /v3/kv/range '{"key":"AA==","limit":1}') || die "etcd range request failed"
	cur=$(header_revision "$body")
	[ -n "$cur" ] || die "no revision in etcd's answer: $body"
	# kube-apiserver learns about compactions the way its own compactor tells
	# it: it watches the key compact_rev_key (value: the compacted revision) and
	# then, within about 15 s, drops the watch-cache snapshots older than that,
	# so LISTs at an older resourceVersion get 410 from etcd. The compaction is
	# at the revision of this put, one past every object's resourceVersion: a
	# watch from the newest resourceVersion (R) stays valid, and one from an
	# older RV gets 410 (compacting at R itself would make a watch from R-1
	# start at R with the previous value gone: a 500 "PrevKv=nil" instead).
	rev=$(put_compact_rev "$cur")
	body=$(etcd_post /v3/kv/compaction "{\"revision\":\"$rev\",\"physical\":true}") ||
		die "etcd compaction request failed"
	case $body in *'"error"'* | *'"code"'*) die "compaction failed: $body" ;; esac
	put_compact_rev "$rev" >/dev/null
	log "compacted etcd at revision $rev: resourceVersions below $cur now get 410 Gone"
	echo "$rev"
}

cmd_openapi() {
	local tree=0
	if [ "${1:-}" = --tree ]; then
		tree=1
		shift
	fi
	[ $# -eq 2 ] || die "usage: $PROG openapi [--tree] <statedir> <outdir>"
	ensure_cmd curl curl
	load_env "$1"
	local out=$2 p=$KUBE_E2E_STATEDIR/pki
	mkdir -p "$out"
	local -a c=(curl -fsS --cacert "$p/ca.crt" --cert "$p/admin.crt" --key "$p/admin.key")
	local index url path file n=0
	index=$("${c[@]}" "$KUBE_E2E_SERVER/openapi/v3") || die "GET /openapi/v3 failed"
	[ "$tree" -eq 1 ] || printf '%s\n' "$index" >"$out/openapi_v3_index.json"
	for url in $(printf '%s' "$index" | grep -o '"serverRelativeURL"[[:space:]]*:[[:space:]]*"[^"]*"' |
		sed 's/.*"\([^"]*\)"$/\1/'); do
		path=${url%%\?*}
		path=${path#/openapi/v3/}
		if [ "$tree" -eq 1 ]; then
			# same layout as shared/openapi/k8s-*: api/v1.json, apis/<group>/<version>.json
			case $path in
			api/* | apis/*/*) file=$out/$path.json ;;
			*) continue ;;
			esac
			mkdir -p "${file%/*}"
		else
			file=$out/${path//\//__}_openapi.json
		fi
		"${c[@]}" -o "$file" "$KUBE_E2E_SERVER$url" || die "GET $url failed"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no documents listed by /openapi/v3"
	log "wrote $n OpenAPI v3 documents to $out"
}

# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------

RUN_TMPDIR=
cmd_run() {
	[ $# -ge 1 ] || die "usage: $PROG run <cmd> [args...]"
	[ -z "${KUBE_E2E_KEEP_STATEDIR:-}" ] || RUN_KEEP=1
	install_traps
	cmd_build
	RUN_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/libkubeclient-e2e.XXXXXX")
	start_dir "$RUN_TMPDIR"
	# Exports KUBE_E2E_KUBECONFIG, KUBE_E2E_TOKEN_KUBECONFIG,
	# KUBE_E2E_NOBODY_KUBECONFIG, KUBE_E2E_STATEDIR and the rest of the env file.
	set -a
	load_env "$RUN_TMPDIR"
	set +a
	# The command gets its own process group (job control), so that an
	# interrupt can end all of it; it keeps this script's stdin.
	local rc=0
	set -m
	"$@" <&0 &
	CHILD_PID=$!
	set +m
	wait "$CHILD_PID" || rc=$?
	# Whatever the command left running in its process group goes too.
	if kill -0 -- "-$CHILD_PID" 2>/dev/null; then
		log "ending processes left behind by the command"
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
		sleep 1
		kill -KILL -- "-$CHILD_PID" 2>/dev/null || true
	fi
	CHILD_PID=
	exit "$rc"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

main() {
	[ $# -ge 1 ] || usage
	local cmd=$1
	shift
	case $cmd in
	build) cmd_build "$@" ;;
	start) cmd_start "$@" ;;
	stop) cmd_stop "$@" ;;
	compact) cmd_compact "$@" ;;
	openapi) cmd_openapi "$@" ;;
	run) cmd_run "$@" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"; exit $? # one line: bash has read it all before running it
