#!/usr/bin/env bash
# Refreshes the console's vendored browser libraries from npm: pinned versions, minified dist files and their
# licences, copied into this folder. Run by hand when upgrading (needs Node's npm); nothing runs it at build or run time.
#   bash src/CityTwin.Api/wwwroot/vendor/refresh.sh            # the pinned versions below
#   LEAFLET=1.9.4 UPLOT=1.6.32 bash …/refresh.sh               # other versions (then update the pins here and in VERSIONS)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
LEAFLET="${LEAFLET:-1.9.4}"
UPLOT="${UPLOT:-1.6.32}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$LEAFLET" "uplot@$UPLOT" >/dev/null
for f in leaflet-"$LEAFLET".tgz uplot-"$UPLOT".tgz; do mkdir -p "${f%.tgz}"; tar -xzf "$f" -C "${f%.tgz}"; done

rm -rf "$here/leaflet" "$here/uplot"; mkdir -p "$here/leaflet/images" "$here/uplot"
L="leaflet-$LEAFLET/package"
cp "$L/dist/leaflet.js" "$L/dist/leaflet.css" "$here/leaflet/"
cp "$L"/dist/images/*.png "$here/leaflet/images/"
cp "$L/LICENSE" "$here/leaflet/LICENSE.txt"
U="uplot-$UPLOT/package"
cp "$U/dist/uPlot.iife.min.js" "$U/dist/uPlot.min.css" "$here/uplot/"
cp "$U/LICENSE" "$here/uplot/LICENSE.txt"
printf 'leaflet %s\nuplot %s\n' "$LEAFLET" "$UPLOT" > "$here/VERSIONS"
( cd "$here" && find leaflet uplot -type f | sort | xargs sha256sum > SHA256SUMS )
echo "vendored leaflet $LEAFLET and uplot $UPLOT into $here"
