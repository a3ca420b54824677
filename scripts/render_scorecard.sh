#!/bin/sh
# Render a `score card -f html` report to a PNG with headless Chromium, to look at it the way
# a mail client or browser would. Needs the Debian package `chromium`; CI does not run this.
#
#   amkit score card --period 2026Q4 -f html -o scorecard.html
#   scripts/render_scorecard.sh scorecard.html [scorecard.png]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 REPORT.html [OUT.png]" >&2
    exit 2
fi
html=$1
png=${2:-${html%.html}.png}
if [ ! -f "$html" ]; then
    echo "$0: file not found: $html" >&2
    exit 3
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "$0: chromium not found (Debian: apt-get install chromium)" >&2
    exit 5
fi
abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
case $png in /*) abs_png=$png ;; *) abs_png=$(pwd)/$png ;; esac

"$browser" --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --no-first-run --disable-sync \
    --hide-scrollbars --window-size=1200,800 \
    --screenshot="$abs_png" "file://$abs_html" >/dev/null 2>&1
[ -s "$abs_png" ] || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
echo "$abs_png"
