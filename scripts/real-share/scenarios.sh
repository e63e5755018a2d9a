#!/bin/bash
# Runs INSIDE the real-share VM (scripts/real-share-vm.sh): the multi-terminal scenarios of issue
# 10 against two kernel client mounts of one real share, SHARE_A and SHARE_B.
#
#   scenarios.sh transfers PROCS TRANSFERS   PROCS processes (half through each mount), each
#                                            doing TRANSFERS random wallet transfers among 4 users
#                                            who deposited 100.00 each; then the balances are
#                                            summed and `check` runs through both mounts
#   scenarios.sh race ROUNDS                 two buyers, one through each mount, race for the same
#                                            article ROUNDS times: exactly one must win
#   scenarios.sh kill ROUNDS                 a writer through SHARE_A is SIGKILLed mid-transaction;
#                                            the next write and `check` go through SHARE_B
#
# Prints "RESULT key=value ..." lines that the host side (tests/real_shares.rs) asserts on, and
# keeps every failing command's stderr in $OUT.
set -u
BIN=${VL_BIN:?VL_BIN: the ventalibre binary to test}
A=${SHARE_A:?}; B=${SHARE_B:?}
OUTD=${OUT:-/tmp}/vl-$1; rm -rf "$OUTD"; mkdir -p "$OUTD"
export VENTALIBRE_KDF_ROUNDS=1000 VENTALIBRE_PASSWORD=clave-de-prueba
# The VM emulates its CPU (TCG): a command that takes milliseconds on hardware takes 1.5-2.5 s
# here, so eight writers queued behind one lock outlast the 10-second default at the tail of the
# queue whatever the locking does. The scenario scales the wait (VENTALIBRE_BUSY_TIMEOUT, also
# an administrator's knob for slow shares) so that "Busy" measures fairness — does every writer
# get its turn? — rather than the emulator's speed. VL_BUSY_TIMEOUT=10 measures the default.
export VENTALIBRE_BUSY_TIMEOUT=${VL_BUSY_TIMEOUT:-60}
vl() { "$BIN" "$@"; }
now_ms() { date +%s%3N; }

setup_users() { # setup_users N
  vl --share "$A" init >/dev/null || { echo "RESULT setup=failed-init"; exit 1; }
  local i
  for ((i = 1; i <= $1; i++)); do
    vl --share "$A" register --email "u$i@vl.test" --name "Usuario, Número $i" --address "Calle $i" \
      --province 1 >/dev/null || { echo "RESULT setup=failed-register"; exit 1; }
    VENTALIBRE_TERMINAL=setup vl --share "$A" --user "u$i@vl.test" wallet deposit 100.00 >/dev/null ||
      { echo "RESULT setup=failed-deposit"; exit 1; }
  done
}

balance_cents() { # balance_cents SHARE EMAIL -> prints the balance in cents
  vl --share "$1" --json --user "$2" wallet | python3 -c '
import json, sys, re
d = json.load(sys.stdin)
b = d.get("balance_cents", d.get("balance"))
if isinstance(b, int): print(b)
else:
    s = re.sub(r"[^0-9,.-]", "", str(b))
    if "," in s: s = s.replace(".", "").replace(",", ".")
    print(round(float(s) * 100))'
}

check_both() {
  local ca cb
  vl --share "$A" check >"$OUTD/check-a.txt" 2>&1; ca=$?
  vl --share "$B" check >"$OUTD/check-b.txt" 2>&1; cb=$?
  echo "RESULT check_a=$ca check_b=$cb"
  [ $ca = 0 ] || sed 's/^/  check A: /' "$OUTD/check-a.txt" | head -20
  [ $cb = 0 ] || sed 's/^/  check B: /' "$OUTD/check-b.txt" | head -20
}

case "$1" in
transfers)
  P=${2:-8}; N=${3:-30}
  setup_users 4
  t0=$(now_ms)
  for ((p = 1; p <= P; p++)); do
    if ((p % 2)); then S=$A; T=terminal-a; else S=$B; T=terminal-b; fi
    (
      RANDOM=$((p * 7919))
      for ((t = 1; t <= N; t++)); do
        from=$((RANDOM % 4 + 1)); to=$(((from + RANDOM % 3) % 4 + 1)); amt=$((RANDOM % 900 + 1))
        VENTALIBRE_TERMINAL=$T vl --share "$S" --user "u$from@vl.test" wallet transfer \
          --to "u$to@vl.test" "$((amt / 100)).$(printf %02d $((amt % 100)))" >/dev/null 2>"$OUTD/err.$p.$t"
        rc=$?
        echo "$rc" >>"$OUTD/rc.$p"
        [ $rc = 0 ] && rm -f "$OUTD/err.$p.$t"
      done
    ) &
  done
  wait
  t1=$(now_ms)
  all=$(cat "$OUTD"/rc.* | wc -l)
  ok=$(cat "$OUTD"/rc.* | grep -c '^0$')
  refused=$(cat "$OUTD"/rc.* | grep -c '^1$')
  busy=$(cat "$OUTD"/rc.* | grep -c '^3$')
  damaged=$(cat "$OUTD"/rc.* | grep -c '^4$')
  sum=0
  for i in 1 2 3 4; do c=$(balance_cents "$B" "u$i@vl.test") || c=X; sum=$((sum + ${c:-0})); done
  echo "RESULT ops=$all ok=$ok refused=$refused busy=$busy damaged=$damaged sum_cents=$sum expected_cents=40000 wall_ms=$((t1 - t0))"
  for f in "$OUTD"/err.*; do [ -s "$f" ] && echo "  error $(basename "$f"): $(head -c 300 "$f")"; done | sort | uniq -c -f2 | head -20
  check_both
  ;;
race)
  R=${2:-5}
  setup_users 3
  wins_total=0; bad=0; sold_msgs=0
  for ((r = 1; r <= R; r++)); do
    id=$(vl --share "$A" --json --user u1@vl.test publish --category 1 --title "Bicicleta rodado 26 número $r" \
      --description "En buen estado" --price 1.00 --kind used --closes 2099-12-31 |
      python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("id", d.get("publication", "")))')
    VENTALIBRE_TERMINAL=terminal-a vl --share "$A" --user u2@vl.test buy "$id" >"$OUTD/race-a.$r" 2>&1 &
    pa=$!
    VENTALIBRE_TERMINAL=terminal-b vl --share "$B" --user u3@vl.test buy "$id" >"$OUTD/race-b.$r" 2>&1 &
    pb=$!
    wait $pa; ra=$?; wait $pb; rb=$?
    wins=0; [ $ra = 0 ] && wins=$((wins + 1)); [ $rb = 0 ] && wins=$((wins + 1))
    wins_total=$((wins_total + wins))
    if [ $wins != 1 ]; then bad=$((bad + 1)); fi
    for side in a b; do
      f="$OUTD/race-$side.$r"
      if [ "$side" = a ]; then rc=$ra; else rc=$rb; fi
      if [ $rc != 0 ]; then
        if [ $rc = 1 ] && grep -qi 'vendid' "$f"; then sold_msgs=$((sold_msgs + 1)); else echo "  round $r buyer $side exit $rc: $(head -c 300 "$f")"; fi
      fi
    done
  done
  echo "RESULT rounds=$R bad_rounds=$bad winners=$wins_total losers_told_sold=$sold_msgs"
  check_both
  ;;
kill)
  R=${2:-3}
  setup_users 2
  killed=0; after_fail=0
  for ((r = 1; r <= R; r++)); do
    ( for ((t = 1; t <= 40; t++)); do
        VENTALIBRE_TERMINAL=terminal-a vl --share "$A" --user u1@vl.test wallet transfer --to u2@vl.test 0.01 >/dev/null 2>&1
      done ) &
    loop=$!
    sleep "$(python3 -c "import random; print(1.5 + random.random() * 2)")"
    # SIGKILL the transfer running right now (a writer mid-transaction, most of the time)
    pkill -KILL -P $loop -f "wallet transfer" && killed=$((killed + 1))
    kill -KILL $loop 2>/dev/null; wait $loop 2>/dev/null
    pkill -KILL -f "wallet transfer" 2>/dev/null
    VENTALIBRE_TERMINAL=terminal-b vl --share "$B" --user u2@vl.test wallet transfer --to u1@vl.test 0.01 \
      >"$OUTD/after.$r" 2>&1 || { after_fail=$((after_fail + 1)); echo "  round $r: write through B failed: $(head -c 300 "$OUTD/after.$r")"; }
  done
  s1=$(balance_cents "$B" u1@vl.test); s2=$(balance_cents "$B" u2@vl.test)
  echo "RESULT rounds=$R killed=$killed after_fail=$after_fail sum_cents=$((s1 + s2)) expected_cents=20000"
  check_both
  ;;
*) echo "usage: scenarios.sh transfers|race|kill ..." >&2; exit 2 ;;
esac
