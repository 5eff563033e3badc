#!/usr/bin/env bash
# Regenerates the README gallery (small, palette-compressed images).
# Run from the repository root: bash docs/gallery/make_gallery.sh
set -euo pipefail
orgsim=${ORGSIM:-.venv/bin/orgsim}
python=${PYTHON:-.venv/bin/python}
gallery=docs/gallery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$orgsim" run scenarios/default.toml --out "$work" --quiet
for plot in gps tradeoff_cards comparison timeseries_authenticity stages; do
  cp "$work/default/plots/$plot.png" "$gallery/$plot.png"
done
"$orgsim" show hub_and_spokes --out "$gallery/org-hub_and_spokes.png"
"$orgsim" show dandelion --out "$gallery/org-dandelion.png"
"$orgsim" animate scenarios/workshop.toml --structure hub_and_spokes --every 2 --size 640 \
  --fps 3 --out "$gallery/animate-hub_and_spokes.gif"

# 8-bit palettes: a third of the size, no visible loss on flat-colour plots
"$python" - "$gallery" <<'PY'
import sys
from pathlib import Path
from PIL import Image
for path in sorted(Path(sys.argv[1]).glob("*.png")):
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=192, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    print(f"{path.name}: {path.stat().st_size // 1024} kB")
PY

# The live dashboard in Debian's chromium (Playwright): served, stepped and recoloured
# through the page's own controls; writes dashboard-three.png and dashboard-one.png.
"$python" docs/gallery/screenshot_dashboard.py --orgsim "$orgsim" --out "$gallery"
