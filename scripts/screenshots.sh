#!/usr/bin/env bash
# Takes the screenshots of every screen in docs/pantallas/, at 1280×800 and at 800×600, from the
# release binary under Xvfb, on a demo shop made for the run (the same as the one the program
# makes in shared_me/ on first start; shared_me/ itself is not touched). Drives the window with
# xdotool: there is no window manager, so the window is resized with `xdotool windowsize`, and
# each click is a press and a release with a pause between them (a click shorter than a frame
# can be missed). The positions are those of the layout at each size; after changing a screen,
# run this again and look at every picture.
#
# «Elegir foto…» opens the system's file dialog: with no desktop portal (as here) rfd runs
# `zenity`, GTK's file chooser, which the script drives as a person would: Ctrl+L, the path of a
# photo, Enter (pictures `dialogo-foto-*` and `*-foto-elegida`).
#
#   cargo build --release && scripts/screenshots.sh [OUT_DIR]
#
# Needs Xvfb, xdotool, zenity and ImageMagick's `import` (installed with apt-get when run as
# root).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/pantallas}
bin=$(realpath "${VENTALIBRE_BIN:-target/release/ventalibre}")
[ -x "$bin" ] || { echo "screenshots: build first: cargo build --release" >&2; exit 2; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v Xvfb >/dev/null || need+=(xvfb)
  command -v xdotool >/dev/null || need+=(xdotool)
  command -v zenity >/dev/null || need+=(zenity)
  command -v import >/dev/null || need+=(imagemagick)
  if [ ${#need[@]} -gt 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-remove "${need[@]}") >/dev/null
  fi
fi
mkdir -p "$out"
work=$(mktemp -d)
export XDG_RUNTIME_DIR=$work/xdg
# The program's (and the file dialog's) home: the Documents folder the export proposes, the
# photos the dialog picks.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
# The file dialog in Spanish (GTK's translations need no generated locale through LANGUAGE).
export LANG=C.UTF-8 LANGUAGE=es
unset WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
mkdir -p "$XDG_RUNTIME_DIR" "$HOME/Fotos"
xvfb_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The demo shop, once (about 30 s); each part of the run starts on a fresh copy of it.
echo "screenshots: making the demo shop"
mkdir -p "$work/template"
"$bin" --carpeta "$work/template" demo --usuarios 60 --publicaciones 300 --semilla 2026 >/dev/null
# Photos to choose in the dialog: two of the shop's own.
n=0
for f in "$work"/template/FOTOS/*; do
  case $f in *.png) continue ;; esac
  n=$((n + 1))
  cp "$f" "$HOME/Fotos/foto-$n.jpg"
  [ $n -ge 2 ] && break
done
# The console, acting on the share of the current part (VENTALIBRE_PASSWORD for the user).
vl() { "$bin" --carpeta "$work/share" "$@" >/dev/null; }

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
# wheel N: scrolls N notches down (up when negative) in the middle of the window.
wheel() {
  local w b=5 k=$1
  w=$(win)
  [ "$k" -lt 0 ] && b=4 && k=$((-k))
  xdotool mousemove --window "$w" $((W / 2)) $((H / 2))
  xdotool click --repeat "$k" --delay 60 "$b"
  sleep 1
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

# start: the program on a fresh copy of the shop, at the current size.
start() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  rm -rf "$work/share"
  cp -a "$work/template" "$work/share"
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
  # Found by name before it is mapped, the window refuses the focus for a moment.
  for _ in $(seq 20); do
    xdotool windowsize "$w" "$W" "$H" 2>/dev/null && xdotool windowfocus --sync "$w" 2>/dev/null && break
    sleep 0.5
  done
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

# search WORDS: Explorar's search (the field at X Y), Enter.
search() {
  click "$1" "$2" 0.5
  xdotool key ctrl+a
  typed "$3"
  sleep 0.5
  xdotool key Return
  sleep 2
}

# dialog NAME PHOTO: the system's file dialog that «Elegir foto…» just opened (zenity): a
# picture of it with the photo's path typed in its location field (Ctrl+L), then Enter.
dialog() {
  local d=
  for _ in $(seq 60); do
    d=$(xdotool search --onlyvisible --class zenity 2>/dev/null | tail -1 || true)
    [ -n "$d" ] && break
    sleep 0.5
  done
  [ -n "$d" ] || { echo "screenshots: the system's file dialog (zenity) did not open" >&2; cat "$work/app.log" >&2; exit 1; }
  sleep 1.5
  # No window manager: the dialog opens in the corner, taller than a small screen.
  xdotool windowsize "$d" $((W * 3 / 4)) $((H * 3 / 4))
  xdotool windowmove "$d" $((W / 8)) $((H / 8))
  sleep 0.8
  xdotool windowfocus --sync "$d"
  xdotool key ctrl+l
  sleep 0.6
  # The folder first (the list shows its photos), then the name.
  typed "$HOME/Fotos/"
  sleep 1.5
  typed "$(basename "$2")"
  sleep 1
  shot "$1"
  xdotool key Return
  sleep 2.5
  # With no window manager the keyboard focus does not come back by itself.
  xdotool windowfocus --sync "$(win)"
  sleep 0.5
}

# SIZES and PARTS (visitor, user, admin) pick a part of the run, when working on one screen.
part() { [[ " ${PARTS:-visitor user admin} " == *" $1 "* ]]; }
for size in ${SIZES:-1280x800 800x600}; do
  W=${size%x*}
  H=${size#*x}
  small=$([ "$W" -lt 1000 ] && echo 1 || echo 0)
  # A user's tabs take two lines at 800 px: what is under them is this much lower.
  dy=$([ "$small" = 1 ] && echo 23 || echo 0)
  echo "screenshots at ${W}×${H}:"
  n=77
  while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 "${W}x${H}x24" -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  export DISPLAY=:$n
  sleep 1.5
  kill -0 "$xvfb_pid" 2>/dev/null || { echo "screenshots: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }

  if part visitor; then
  # ---- A visitor: the listings with their thumbnails (the filters take two lines at 800 px),
  # a search, a listing with its gallery and public questions, the seller's page, log-in,
  # registration with every error of an empty form at once.
  start
  shot explorar
  typed taladro
  sleep 0.5
  xdotool key Return
  sleep 1.5
  shot buscar
  first_row=$([ "$small" = 1 ] && echo 245 || echo 199)
  # A listing with three photos and a question answered.
  search 335 "$([ "$small" = 1 ] && echo 124 || echo 101)" "Bosch S4"
  click 114 "$first_row" 2.5
  shot publicacion-visitante
  if [ "$small" = 1 ]; then
    # The questions are under the fold at 800 px.
    wheel 10
    shot publicacion-preguntas
    wheel -10
  fi
  # The seller's name on their card.
  click 440 "$([ "$small" = 1 ] && echo 412 || echo 381)" 2.5
  shot vendedor
  click 128 40
  shot iniciar-sesion
  click 228 40
  xdotool key Return
  sleep 1.5
  shot crear-cuenta
  fi

  if part user; then
  # ---- A buyer and seller of the demo (Sebastián Flores: listings, purchases, 30 news).
  # Tabs, first line: Explorar 41, Mis publicaciones 143, Novedades (30) 266, Mis favoritos
  # 375, Búsquedas guardadas 503, Mis compras 631, Mis facturas 729; at 1280 px then Mi
  # billetera 822 and Mi cuenta 910, at 800 px those two on the second line (49 and 137, y 63).
  start
  login sebastian.flores2@demo.com.ar demo1234
  shot explorar-usuario
  # Mis publicaciones, the questions received folded away: the table and its actions.
  click 143 40
  click 130 $((133 + dy)) 1.5
  shot mis-publicaciones
  # «Fotos» of the Notebook HP (sixth row): the gallery editor, the system's dialog, the
  # photo added.
  click 164 $((466 + dy)) 2.5
  shot editor-fotos
  # «Elegir foto…» under the three photos.
  click 489 $((323 + dy)) 1
  dialog dialogo-foto-galeria "$HOME/Fotos/foto-1.jpg"
  shot editor-fotos-elegida
  # Mis publicaciones again: the publish form, the dialog, the photo in the form.
  click 143 40
  click 94 $((102 + dy)) 1.5
  shot publicar
  click 585 $((332 + dy)) 1
  dialog dialogo-foto "$HOME/Fotos/foto-2.jpg"
  shot publicar-foto-elegida
  click 120 $((463 + dy)) 1

  # Two favourites from Explorar (the first and third rows), then the first one's seller
  # lowers the price from the console: «Mis favoritos» says so.
  urow=$([ "$small" = 1 ] && echo 268 || echo 199)
  usearch=$([ "$small" = 1 ] && echo 147 || echo 101)
  click 41 40
  click 114 "$urow" 2
  click 441 $((171 + dy)) 1.5
  click 40 $((78 + dy))
  click 114 $((urow + 94)) 2
  # At 800 px its title takes two lines.
  click 441 $((171 + dy + $([ "$small" = 1 ] && echo 29 || echo 0))) 1.5
  shot publicacion-favorita
  click 40 $((78 + dy))
  VENTALIBRE_PASSWORD=demo1234 vl --usuario pablo.benitez53@demo.com.ar publicacion modificar 300 --precio 34.900
  click 375 40 2.5
  shot favoritos

  # A saved search: Explorar, «bicicleta», «Guardar esta búsqueda»; another user publishes one.
  click 41 40
  search 335 "$usearch" bicicleta
  # «Guardar esta búsqueda» (after «Quitar filtros»).
  if [ "$small" = 1 ]; then click 571 170 1.5; else click 1037 101 1.5; fi
  VENTALIBRE_PASSWORD=demo1234 vl --usuario martina.ramirez3@demo.com.ar publicar --categoria 6 \
    --titulo "Bicicleta de paseo rodado 26 con canasto" \
    --descripcion "Seis cambios, frenos nuevos. Retiro en Córdoba capital." --precio 185.000 \
    --tipo usado --cierre "$(date -d '+30 days' +%d/%m/%Y)"
  click 503 40 2.5
  shot busquedas-guardadas
  # «Ver resultados»: the search opened in Explorar (its words in the field, a page at a time).
  click 356 $((111 + dy)) 2.5
  shot busquedas-guardadas-resultados

  click 631 40
  shot mis-compras
  click 729 40
  click 200 $((101 + dy))
  shot mis-facturas
  if [ "$small" = 1 ]; then click 49 63; else click 822 40; fi
  shot billetera
  if [ "$small" = 1 ]; then click 137 63; else click 910 40; fi
  shot mi-cuenta
  # Novedades last (opening it marks them seen, and the tabs after it move).
  click 266 40 2
  shot novedades
  # The purchase dialog of the battery (the balance does not cover it).
  click 41 40
  search 335 "$usearch" "Bosch S4"
  click 114 "$urow" 2.5
  wheel 3
  click 382 "$([ "$small" = 1 ] && echo 368 || echo 532)" 1.5
  shot comprar
  xdotool key Escape
  sleep 0.5
  fi

  if part admin; then
  # ---- The administrator: with the initial password only «Mi cuenta» (issue 11), so first
  # the password is changed there, then every tab.
  start
  login admin@ventalibre.com.ar newton
  shot admin-clave-inicial
  click 280 531 0.5
  typed newton
  sleep 0.5
  xdotool key Tab
  sleep 0.4
  typed clave-de-la-administracion
  sleep 0.5
  xdotool key Tab
  sleep 0.4
  typed clave-de-la-administracion
  sleep 0.5
  xdotool key Return
  sleep 3
  click 116 40
  shot admin-facturas
  click 385 40
  shot admin-categorias
  # The first category (it has articles: its editor says why it cannot change).
  click 134 "$([ "$small" = 1 ] && echo 310 || echo 264)"
  shot admin-categoria-con-articulos
  click 242 78
  shot admin-usuarios
  click 384 78
  sub=$([ "$small" = 1 ] && echo 133 || echo 110)
  typed taladro
  sleep 0.5
  xdotool key Return
  sleep 1.5
  click 200 $((sub + 132))
  shot admin-bloqueo-publicacion
  if [ "$small" = 1 ]; then click 278 156 2; else click 1060 110 2; fi
  click 346 $((sub + 74)) 2.5
  shot admin-ventas-entre-fechas
  if [ "$small" = 1 ]; then click 557 156 2; else click 78 133 2; fi
  shot admin-cobro-comisiones
  click 560 78 2
  shot admin-eventos
  click 680 78 2.5
  shot admin-arboles
  if [ "$small" = 1 ]; then click 74 101 2.5; else click 798 78 2.5; fi
  shot admin-dispersion
  if [ "$small" = 1 ]; then click 221 101; else click 945 78; fi
  # «Revisar la carpeta» (under a description of two lines at 800 px).
  click 68 $((sub + 19 + $([ "$small" = 1 ] && echo 13 || echo 0))) 4
  shot admin-revision
  fi

  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
  xvfb_pid=
done
