#!/usr/bin/env bash
# Installs the Debian libraries Qt needs (xcb for a desktop, EGL/fontconfig for offscreen)
# when they are missing, and the tests' other SVG renderers: librsvg's rsvg-convert and
# Chromium (headless; tests/gui/test_brief_svg.py).
# Idempotent and quiet when everything is already there.
set -euo pipefail
pkgs=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libglib2.0-0
      fonts-dejavu-core librsvg2-bin chromium)
command -v dpkg-query >/dev/null || { echo "system-deps: not a Debian system, skipping"; exit 0; }
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
