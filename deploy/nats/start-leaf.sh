#!/usr/bin/env bash
# Starts a bridge's leaf node from leaf.conf.in: clients on PORT (default
# 4230), JetStream domain DOMAIN (default bridge1), connected to the hub's leaf
# ports HUB_LEAF_URLS (default those of start-cluster.sh 4222:
# nats-leaf://127.0.0.1:7222,...). Data and log under DIR. Stop it with
#   kill $(cat DIR/leaf.pid)
set -euo pipefail
port="${1:-4230}"
domain="${2:-bridge1}"
hub="${3:-nats-leaf://127.0.0.1:7222, nats-leaf://127.0.0.1:7223, nats-leaf://127.0.0.1:7224}"
dir="${4:-/tmp/packtwin-leaf}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v nats-server > /dev/null || PATH="$PATH:/usr/sbin"   # Debian installs it there
mkdir -p "$dir"
urls=""
IFS=',' read -ra parts <<< "$hub"
for url in "${parts[@]}"; do urls+="${urls:+, }\"$(echo "$url" | xargs)\""; done
sed -e "s|@NAME@|leaf-$domain|" -e "s|@CLIENT_PORT@|$port|" -e "s|@STORE_DIR@|$dir/store|" -e "s|@DOMAIN@|$domain|" \
    -e "s|@HUB_URLS@|$urls|" "$here/leaf.conf.in" > "$dir/leaf.conf"
nats-server -c "$dir/leaf.conf" > "$dir/leaf.log" 2>&1 &
echo $! > "$dir/leaf.pid"
for _ in $(seq 1 100); do
  if grep -q "Server is ready" "$dir/leaf.log" 2>/dev/null; then
    echo "leaf node ready: nats://127.0.0.1:$port (JetStream domain $domain)"
    exit 0
  fi
  sleep 0.1
done
echo "leaf node did not start in 10 s; see $dir/leaf.log" >&2
exit 1
