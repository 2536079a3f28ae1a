#!/usr/bin/env bash
# Starts a 3-node NATS JetStream cluster on 127.0.0.1 from node.conf.in:
# clients on ports BASE, BASE+1, BASE+2 (default 4222), routes on BASE+2000...,
# leaf nodes on BASE+3000...
# Data and logs under DIR (default /tmp/packtwin-nats). Stop it with
#   kill $(cat DIR/*.pid)
set -euo pipefail
base="${1:-4222}"
dir="${2:-/tmp/packtwin-nats}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v nats-server > /dev/null || PATH="$PATH:/usr/sbin"   # Debian installs it there
mkdir -p "$dir"
routes=""
for i in 0 1 2; do routes+="${routes:+, }nats-route://127.0.0.1:$((base + 2000 + i))"; done
for i in 0 1 2; do
  name="n$((i + 1))"
  sed -e "s|@NAME@|$name|" -e "s|@CLIENT_PORT@|$((base + i))|" -e "s|@CLUSTER_PORT@|$((base + 2000 + i))|" \
      -e "s|@LEAF_PORT@|$((base + 3000 + i))|" \
      -e "s|@STORE_DIR@|$dir/$name|" -e "s|@ROUTES@|$routes|" "$here/node.conf.in" > "$dir/$name.conf"
  nats-server -c "$dir/$name.conf" > "$dir/$name.log" 2>&1 &
  echo $! > "$dir/$name.pid"
done
# Ready when the cluster has elected its JetStream meta leader.
for _ in $(seq 1 100); do
  if grep -q "JetStream cluster new metadata leader" "$dir"/n*.log 2>/dev/null; then
    echo "nats cluster ready: nats://127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
    exit 0
  fi
  sleep 0.1
done
echo "nats cluster did not elect a leader in 10 s; see $dir/n*.log" >&2
exit 1
