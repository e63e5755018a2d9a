#!/bin/bash
# Runs INSIDE the real-share VM: every scenario of scenarios.sh, each on a fresh folder of the
# share, with the sizes given (defaults sized for CI under TCG emulation: a few minutes a mode).
#   suite.sh BIN [PROCS TRANSFERS RACE_ROUNDS KILL_ROUNDS]
set -u
export VL_BIN=$1
P=${2:-8}; N=${3:-10}; R=${4:-4}; K=${5:-2}
here=$(dirname "$0")
A0=$SHARE_A; B0=$SHARE_B
for s in "transfers $P $N" "race $R" "kill $K"; do
  name=${s%% *}
  mkdir -p "$A0/$name"
  # let the other mount see the new folder (its directory cache may lag for a moment)
  for i in $(seq 1 50); do [ -d "$B0/$name" ] && break; sleep 0.1; done
  echo "SCENARIO $name ($s) on $SHARE_MODE"
  SHARE_A=$A0/$name SHARE_B=$B0/$name bash "$here/scenarios.sh" $s
done
# the cost of one durable small write here (pwrite + fdatasync of 64 bytes), for docs/SHARES.md
python3 - "$A0" <<'PY'
import os, sys, time
p = os.path.join(sys.argv[1], "fsync-probe.bin")
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o666)
ts = []
for i in range(20):
    t = time.perf_counter(); os.pwrite(fd, os.urandom(64), 0); os.fdatasync(fd); ts.append(time.perf_counter() - t)
os.close(fd); os.unlink(p); ts.sort()
print("RESULT durable_write_ms_min=%.2f durable_write_ms_median=%.2f" % (ts[0] * 1000, ts[len(ts) // 2] * 1000))
PY
