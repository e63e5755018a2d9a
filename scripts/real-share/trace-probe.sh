#!/usr/bin/env bash
# trace-probe.sh BIN [PROCS TRANSFERS]: PROCS terminals (half on each mount) each make TRANSFERS
# transfers at once with VENTALIBRE_TRACE=1; prints every transaction's phase times, to see
# where a slow share spends them. Run inside the VM: real-share-vm.sh run MODE -- bash
# scripts/real-share/trace-probe.sh /out/ventalibre 4 3
set -u
cp "$1" /tmp/ventalibre && chmod +x /tmp/ventalibre
P=${2:-4}; T=${3:-3}
export VENTALIBRE_KDF_ROUNDS=1000 VENTALIBRE_PASSWORD=clave-de-prueba VENTALIBRE_BUSY_TIMEOUT=60
vl() { /tmp/ventalibre "$@"; }
vl --share "$SHARE_A" init >/dev/null
for i in 1 2; do
  vl --share "$SHARE_A" register --email "u$i@vl.test" --name "Usuario, $i" --address "Calle $i" --province 1 >/dev/null
  vl --share "$SHARE_A" --user "u$i@vl.test" wallet deposit 100.00 >/dev/null
done
export VENTALIBRE_TRACE=1
start=$(date +%s%3N)
for ((p = 1; p <= P; p++)); do
  if ((p % 2)); then S=$SHARE_A; else S=$SHARE_B; fi
  ( for ((t = 1; t <= T; t++)); do
      VENTALIBRE_TERMINAL=t$p vl --share "$S" --user u1@vl.test wallet transfer --to u2@vl.test 0.01 >/dev/null 2>>/tmp/trace.$p || echo "FAIL p$p t$t"
    done ) &
done
wait
echo "WALL_MS $(( $(date +%s%3N) - start ))"
cat /tmp/trace.* | grep vl-trace | awk '{k=$2; for(i=4;i<=NF;i++){split($i,a,"="); if(a[1]=="total"){t[k]+=a[2]; n[k]++} if(a[1]=="bloqueo"){b[k]+=a[2]}}} END {for (k in t) printf "SUM %s n=%d total_ms=%.0f lock_wait_ms=%.0f\n", k, n[k], t[k], b[k]}'
[ -n "${VERBOSE:-}" ] && for ((p = 1; p <= P; p++)); do echo "--- terminal $p"; grep vl-trace /tmp/trace.$p | sed 's/ (acumulado.*//'; done
true
