#!/bin/sh
# Renders the icon's PNG sizes from assets/ventalibre.svg (needs rsvg-convert: apt-get install
# librsvg2-bin). The PNGs are committed; run this after changing the SVG.
set -eu
cd "$(dirname "$0")/../assets"
for s in 16 32 48 64 128 256 512; do
  rsvg-convert -w "$s" -h "$s" ventalibre.svg -o "ventalibre-$s.png"
done
