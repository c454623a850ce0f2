#!/usr/bin/env bash
# Installs the one-folder build for the current user: the folder under ~/.local/opt, a
# `deconflict` command in ~/.local/bin, the menu entry and its icon. No root, no Python.
#   packaging/install-linux.sh [DIST_FOLDER]    (default: dist/deconflict next to this script's repo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../dist/deconflict}"
[ -x "$src/deconflict" ] || { echo "no build at $src: run 'make package' first" >&2; exit 1; }
prefix="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/deconflict"
rm -rf "$opt" && mkdir -p "$opt" "$HOME/.local/bin" "$prefix/applications"
cp -a "$src/." "$opt/"
ln -sf "$opt/deconflict" "$HOME/.local/bin/deconflict"
for size in 16 32 48 64 128 256; do
    dir="$prefix/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    cp "$opt/_internal/resources/icons/deconflict-$size.png" "$dir/deconflict.png"
done
sed "s|^Exec=deconflict|Exec=$opt/deconflict|" "$here/deconflict.desktop" > "$prefix/applications/deconflict.desktop"
echo "installed: $opt (command: ~/.local/bin/deconflict; menu: Deconflict)"
