#!/usr/bin/env bash
# Installs every Debian package packtwin needs to build, test and benchmark.
# Idempotent and non-interactive: safe to run on every CI run and every checkout.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # chosen libraries
  libsqlite3-dev sqlite3 protobuf-compiler libprotobuf-dev nlohmann-json3-dev
  libfmt-dev libgtest-dev libgmock-dev googletest libbenchmark-dev
  # CLI11: argument parsing with subcommands, --help and typed options
  libcli11-dev
  # zlib: inflating the containers of Vector BLF files on import
  zlib1g-dev
  # libcrypto: SHA-256 for the event hash chain
  libssl-dev
  # the fleet: NATS JetStream server (tests start their own cluster) and its C client
  nats-server libnats-dev
  # the bridge: MQTT broker (tests start their own), its C client, and the app side in tests
  mosquitto mosquitto-clients libmosquitto-dev python3-paho-mqtt
  # openssl: the fleet tests make a CA and a server certificate for TLS
  openssl
  # real peers used by the integration tests
  can-utils python3-can python3-pymodbus python3-serial-asyncio python3-serial libmodbus-dev
  # the browser view: its HTTP server, the plot library it serves, and a real browser for its tests
  libcpp-httplib-dev libjs-chart.js chromium chromium-driver python3-selenium
  # interop peers: Wireshark's dissectors (pcapng export), a DBC decoder, a terminal for the live monitor
  tshark python3-canmatrix tmux
  # firmware cross build (Cortex-M4, newlib-nano)
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
  # runs the Cortex-M4 image to check its state digest matches the host build
  qemu-system-arm
  # coverage report
  gcovr
  # sanitizer build and libFuzzer harnesses (scripts/sanitize.sh, scripts/fuzz.sh)
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
