#!/bin/sh
# Render amkit's self-contained HTML pages to PNG with headless Chromium, to look at them the way
# a mail client or browser would. Needs the Debian package `chromium` (and fonts-noto-cjk for
# Chinese). Screenshots go OUTSIDE the repository (default: $TMPDIR/amkit-pages).
#
#   scripts/render_pages.sh                     # every page (score card, review, funnel, Pareto,
#                                               # goal progress) of a fresh demo database, en and zh
#   scripts/render_pages.sh -o DIR a.html ...   # just these pages
set -eu

out=${TMPDIR:-/tmp}/amkit-pages
if [ "${1:-}" = "-o" ]; then
    [ $# -ge 2 ] || { echo "usage: $0 [-o DIR] [PAGE.html ...]" >&2; exit 2; }
    out=$2
    shift 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd -P)
out=$(realpath -m "$out")
case "$out/" in "$repo"/*)
    echo "$0: $out is inside the repository; write screenshots elsewhere (-o DIR)" >&2
    exit 2 ;;
esac
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "$0: chromium not found (Debian: apt-get install chromium fonts-noto-cjk)" >&2
    exit 5
fi

shot() {  # shot PAGE.html OUT.png
    "$browser" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --no-first-run --disable-sync \
        --hide-scrollbars --window-size=1100,1600 \
        --screenshot="$2" "file://$1" >/dev/null 2>&1 || true
    [ -s "$2" ] || { echo "$0: chromium wrote no screenshot for $1" >&2; exit 1; }
    echo "$2"
}

if [ $# -gt 0 ]; then
    for page in "$@"; do
        [ -f "$page" ] || { echo "$0: file not found: $page" >&2; exit 3; }
        abs=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
        shot "$abs" "$out/$(basename "${page%.html}").png"
    done
    exit 0
fi

amkit=${AMKIT:-amkit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AMKIT_DB="$work/demo.db" AMKIT_CONFIG="$work/config.toml"
"$amkit" demo >/dev/null
for lang in en zh; do
    export AMKIT_LANG=$lang
    "$amkit" score card -f html -o "$work/scorecard-$lang.html" 2>/dev/null
    "$amkit" review --period "$(date -d 'last month' +%Y-%m 2>/dev/null || date +%Y-%m)" -f html \
        -o "$work/review-$lang.html" 2>/dev/null
    "$amkit" report funnel -f html -o "$work/funnel-$lang.html" 2>/dev/null
    "$amkit" report pareto -f html -o "$work/pareto-$lang.html" 2>/dev/null
    "$amkit" goal progress -f html -o "$work/goals-$lang.html" 2>/dev/null
    for page in scorecard review funnel pareto goals; do
        cp "$work/$page-$lang.html" "$out/"
        shot "$out/$page-$lang.html" "$out/$page-$lang.png"
    done
done
