#!/usr/bin/env bash
# Starts a private Kubernetes control plane on loopback whose whole state lives under DIR: etcd, kube-apiserver
# (RBAC, bearer tokens from a file), kube-controller-manager (job, garbage collector, namespace and TTL controllers)
# and kube-scheduler. There is no kubelet: tests bring their own node agent. Prints the variables the tests read.
#
#   eng/kubernetes/start.sh DIR [BIN]      (BIN: the folder eng/kubernetes/build.sh printed; built when missing)
#   eng/kubernetes/stop.sh DIR
#
# DIR/admin.kubeconfig is a cluster admin (group system:masters); DIR/worker.kubeconfig (user reeve-worker) and
# DIR/narrow.kubeconfig (user reeve-narrow) have no permission until a Role is bound to them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:?usage: eng/kubernetes/start.sh DIR [BIN]}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
bin="${2:-}"
[ -n "$bin" ] || bin="$("$here/build.sh")"
log() { echo "[kubernetes] $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

if [ -f "$dir/env" ] && [ -f "$dir/kube-apiserver.pid" ] && kill -0 "$(cat "$dir/kube-apiserver.pid")" 2>/dev/null; then
  cat "$dir/env"
  exit 0
fi

mkdir -p "$dir/certs" "$dir/etcd" "$dir/logs"
etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"

# Bearer tokens: an admin for the tests, the control plane's controllers and the node agent; two users without rights.
token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
admin_token="$(token)"; worker_token="$(token)"; narrow_token="$(token)"
cat >"$dir/tokens.csv" <<TOKENS
$admin_token,reeve-admin,reeve-admin,"system:masters"
$worker_token,reeve-worker,reeve-worker
$narrow_token,reeve-narrow,reeve-narrow
TOKENS
chmod 600 "$dir/tokens.csv"
openssl genrsa -out "$dir/certs/service-account.key" 2048 2>/dev/null
openssl rsa -in "$dir/certs/service-account.key" -pubout -out "$dir/certs/service-account.pub" 2>/dev/null

start() { # name, then the command
  local name="$1"; shift
  nohup "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

start etcd etcd --name reeve --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "reeve=http://127.0.0.1:$peer_port" --unsafe-no-fsync
for _ in $(seq 1 100); do
  ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$etcd_port" endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done

# The ServiceAccount admission plugin is off: pods need no token (the node agent mounts none).
start kube-apiserver "$bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --cert-dir "$dir/certs" \
  --token-auth-file "$dir/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-key-file "$dir/certs/service-account.pub" \
  --service-account-signing-key-file "$dir/certs/service-account.key" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-cluster-ip-range 10.0.0.0/24 \
  --disable-admission-plugins ServiceAccount \
  --kubelet-preferred-address-types InternalIP \
  --feature-gates TTLAfterFinished=true \
  --allow-privileged=true

cacert="$dir/certs/apiserver.crt"
for _ in $(seq 1 300); do
  [ -f "$cacert" ] && curl -fsS --cacert "$cacert" -H "Authorization: Bearer $admin_token" "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break
  if ! kill -0 "$(cat "$dir/kube-apiserver.pid")" 2>/dev/null; then
    tail -20 "$dir/logs/kube-apiserver.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS --cacert "$cacert" -H "Authorization: Bearer $admin_token" "https://127.0.0.1:$api_port/readyz" >/dev/null \
  || { log "the API server did not become ready"; tail -20 "$dir/logs/kube-apiserver.log" >&2; exit 1; }

kubeconfig() { # file, user, token
  cat >"$1" <<CONFIG
apiVersion: v1
kind: Config
clusters:
- name: reeve-test
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority-data: $(base64 -w0 <"$cacert")
users:
- name: $2
  user:
    token: $3
contexts:
- name: reeve-test
  context:
    cluster: reeve-test
    user: $2
current-context: reeve-test
CONFIG
  chmod 600 "$1"
}
kubeconfig "$dir/admin.kubeconfig" reeve-admin "$admin_token"
kubeconfig "$dir/worker.kubeconfig" reeve-worker "$worker_token"
kubeconfig "$dir/narrow.kubeconfig" reeve-narrow "$narrow_token"

# The token controller fills Secrets of type service-account-token (what `reeve work-pool create --provision-infra`
# makes for a kubernetes:push pool's account), as in any cluster.
start kube-controller-manager "$bin/kube-controller-manager" \
  --kubeconfig "$dir/admin.kubeconfig" \
  --controllers job,garbagecollector,namespace,ttl-after-finished,serviceaccount-token \
  --service-account-private-key-file "$dir/certs/service-account.key" \
  --root-ca-file "$cacert" \
  --feature-gates TTLAfterFinished=true \
  --leader-elect=false --port 0 --secure-port 0
start kube-scheduler "$bin/kube-scheduler" \
  --kubeconfig "$dir/admin.kubeconfig" \
  --leader-elect=false --port 0 --secure-port 0

sleep 1
for p in kube-controller-manager kube-scheduler; do
  kill -0 "$(cat "$dir/$p.pid")" 2>/dev/null || { log "$p exited"; tail -20 "$dir/logs/$p.log" >&2; exit 1; }
done

cat >"$dir/env" <<ENV
export REEVE_TEST_KUBECONFIG=$dir/admin.kubeconfig
export REEVE_TEST_KUBECONFIG_WORKER=$dir/worker.kubeconfig
export REEVE_TEST_KUBECONFIG_NARROW=$dir/narrow.kubeconfig
ENV
log "API server on https://127.0.0.1:$api_port"
cat "$dir/env"
