#!/bin/bash
# Runs INSIDE the real-share VM: benches/market.rs (VentaLibre next to SQLite, same mount) on the
# mounted share with a network delay added to the loopback the servers and clients talk over
# (netem 0.25 ms each way: a 0.5 ms round trip, a LAN's), for docs/PERFORMANCE.md.
#   latency.sh MARKET_BENCH_BIN [SIZES [RUNS [DELAY]]]
# MARKET_BENCH_BIN is the benchmark's executable (target/release/deps/market-*). Set
# VENTALIBRE_BENCH_CACHE (exported into the VM by the command line, e.g. a folder of /project
# filled by a run on the host) to copy generated data instead of generating it under TCG.
# From the host, for example:
#   scripts/real-share-vm.sh run smb --project /tmp/vl-latency -- \
#       bash scripts/real-share/latency.sh /project/market 1000,10000 3
set -u
BIN=$1; SIZES=${2:-1000}; RUNS=${3:-3}; DELAY=${4:-0.25ms}
# Run from the VM's own memory (9p pages the binary in slowly under TCG).
cp -p "$BIN" /tmp/market && chmod +x /tmp/market
modprobe sch_netem 2>/dev/null || true
tc qdisc add dev lo root netem delay "$DELAY" || { echo "tc netem failed"; exit 125; }
echo "LATENCY lo: $(tc qdisc show dev lo)"
command -v ping >/dev/null && ping -c 5 -q 127.0.0.1 | tail -1
echo "MOUNTS"; grep -E " $SHARE_A | $SHARE_B " /proc/mounts
mkdir -p "$SHARE_A/bench"
for i in $(seq 1 50); do [ -d "$SHARE_B/bench" ] && break; sleep 0.1; done
# SQLite's default POSIX locks fail on this cifs mount ("database is locked" at the first
# write, even with one connection); there it locks with a dot-file (unix-dotfile VFS) instead.
VFS=
grep -qE " $SHARE_A cifs " /proc/mounts && VFS=unix-dotfile
echo "SQLITE VFS: ${VFS:-default}"
VENTALIBRE_BENCH_SQLITE_VFS=$VFS \
VENTALIBRE_BENCH_DIR=$SHARE_A/bench VENTALIBRE_BENCH_DIR_B=$SHARE_B/bench \
VENTALIBRE_BENCH_SIZES=$SIZES VENTALIBRE_BENCH_RUNS=$RUNS \
  /tmp/market --bench
