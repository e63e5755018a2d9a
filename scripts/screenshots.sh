#!/usr/bin/env bash
# Takes the screenshots of every screen in docs/pantallas/, at 1280×800 and at 800×600, from the
# release binary under Xvfb, on a copy of the embedded share shared_me/ (the share itself is not
# touched). Drives the window with xdotool: there is no window manager, so the window is resized
# with `xdotool windowsize`, and each click is a press and a release with a pause between them
# (a click shorter than a frame can be missed). The positions are those of the layout at each
# size; after changing a screen, run this again and look at every picture.
#
#   cargo build --release && scripts/screenshots.sh [OUT_DIR]
#
# Needs Xvfb, xdotool and ImageMagick's `import` (installed with apt-get when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/pantallas}
bin=${VENTALIBRE_BIN:-target/release/ventalibre}
[ -x "$bin" ] || { echo "screenshots: build first: cargo build --release" >&2; exit 2; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v Xvfb >/dev/null || need+=(xvfb)
  command -v xdotool >/dev/null || need+=(xdotool)
  command -v import >/dev/null || need+=(imagemagick)
  if [ ${#need[@]} -gt 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}") >/dev/null
  fi
fi
mkdir -p "$out"
work=$(mktemp -d)
export XDG_RUNTIME_DIR=$work/xdg
mkdir -p "$XDG_RUNTIME_DIR"
xvfb_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

win() { xdotool search --name VentaLibre | head -1; }
# click X Y [SECONDS to wait after]
click() {
  local w
  w=$(win)
  xdotool mousemove --window "$w" "$1" "$2"
  sleep 0.3
  xdotool mousedown 1
  sleep 0.15
  xdotool mouseup 1
  sleep "${3:-1.5}"
  # The pointer out of the way (no hover highlight in the picture).
  xdotool mousemove --window "$w" 2 $((H - 2))
  sleep 0.3
}
typed() { xdotool type --delay 25 "$1"; }
# shot NAME: the screen as NAME-WxH.png, in 128 colours (a third of the size, text still sharp).
shot() {
  local f="$out/$1-${W}x${H}.png"
  import -window root "$f"
  convert "$f" -colors 128 "PNG8:$f"
  echo "  $f"
}

# start: the program on a fresh copy of the share, at the current size.
start() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  rm -rf "$work/share"
  cp -a shared_me "$work/share"
  "$bin" --carpeta "$work/share" >"$work/app.log" 2>&1 &
  app_pid=$!
  local w=
  for _ in $(seq 60); do
    w=$(win || true)
    [ -n "$w" ] && break
    sleep 0.5
  done
  [ -n "$w" ] || {
    echo "screenshots: the window did not open" >&2
    cat "$work/app.log" >&2
    kill -0 "$xvfb_pid" 2>/dev/null || { echo "screenshots: Xvfb is gone:" >&2; cat "$work/xvfb.log" >&2; }
    exit 1
  }
  xdotool windowsize "$w" "$W" "$H"
  xdotool windowfocus --sync "$w"
  sleep 2.5
  xdotool mousemove --window "$w" 2 $((H - 2))
}

# login EMAIL PASSWORD (from the visitor's screen)
login() {
  click 128 40 0.8
  # Pauses between the text and the keys: the window takes the events of a frame together,
  # and a Tab in the same frame as the last letters would move them to the next field.
  typed "$1"
  sleep 0.5
  xdotool key Tab
  sleep 0.5
  typed "$2"
  sleep 0.5
  xdotool key Return
  sleep 2.5
}

for size in 1280x800 800x600; do
  W=${size%x*}
  H=${size#*x}
  small=$([ "$W" -lt 1000 ] && echo 1 || echo 0)
  echo "screenshots at ${W}×${H}:"
  n=77
  while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 "${W}x${H}x24" -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  export DISPLAY=:$n
  sleep 1.5
  kill -0 "$xvfb_pid" 2>/dev/null || { echo "screenshots: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }

  # A visitor: the listings (the filters take two lines at 800 px), one listing, log-in,
  # registration with every error of an empty form at once.
  start
  shot explorar
  typed taladro
  sleep 0.5
  xdotool key Return
  sleep 1.5
  shot buscar
  first_row=$([ "$small" = 1 ] && echo 222 || echo 199)
  click 114 "$first_row" 2
  shot publicacion-visitante
  click 128 40
  shot iniciar-sesion
  click 228 40
  xdotool key Return
  sleep 1.5
  shot crear-cuenta

  # A buyer and seller of the demo: every tab of theirs, then the purchase dialog.
  start
  login juan.benitez53@demo.com.ar demo1234
  click 145 40
  shot mis-publicaciones
  click 97 102
  shot publicar
  click 257 40
  shot mis-compras
  click 355 40
  click 200 101
  shot mis-facturas
  click 449 40
  shot billetera
  click 536 40
  shot mi-cuenta
  click 41 40
  click 114 "$first_row" 2
  buy_y=$([ "$small" = 1 ] && echo 447 || echo 431)
  click 382 "$buy_y"
  shot comprar
  xdotool key Escape
  sleep 0.5

  # The administrator (one line lower: the warning about the initial password).
  start
  login admin@ventalibre.com.ar newton
  click 116 40
  click 200 122
  shot admin-facturas
  click 385 40
  shot admin-categorias
  # The first category (it has articles: its editor says why it cannot change).
  click 134 "$([ "$small" = 1 ] && echo 331 || echo 285)"
  shot admin-categoria-con-articulos
  click 242 99
  shot admin-usuarios
  click 384 99
  sub=$([ "$small" = 1 ] && echo 154 || echo 131)
  typed taladro
  sleep 0.5
  xdotool key Return
  sleep 1.5
  click 200 $((sub + 132))
  shot admin-bloqueo-publicacion
  if [ "$small" = 1 ]; then click 278 177 2; else click 1060 131 2; fi
  click 346 $((sub + 74)) 2.5
  shot admin-ventas-entre-fechas
  if [ "$small" = 1 ]; then click 557 177 2; else click 78 154 2; fi
  shot admin-cobro-comisiones
  click 560 99 2
  shot admin-eventos
  click 680 99 2.5
  shot admin-arboles
  if [ "$small" = 1 ]; then click 74 122 2.5; else click 798 99 2.5; fi
  shot admin-dispersion
  if [ "$small" = 1 ]; then click 221 122; else click 945 99; fi
  click 68 $((sub + 19)) 4
  shot admin-revision

  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
  xvfb_pid=
done
