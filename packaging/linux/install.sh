#!/bin/sh
# Installs this qqdesk bundle for the current user (or, as root, for everyone):
# the folder under .../opt/qqdesk, a `qqdesk` command, the desktop entry, the
# AppStream metainfo and the icon in every hicolor size. Run it from the bundle
# (dist/qqdesk/_internal/install.sh) or pass the bundle folder as $1; set PREFIX
# to install under another prefix instead.
# `install.sh --uninstall` takes it all away again.
set -eu

APP_ID=io.github.qqdesk.Qqdesk
here=$(cd "$(dirname "$0")" && pwd)
bundle=${1:-}
if [ -z "$bundle" ] || [ "$bundle" = --uninstall ]; then
  # The script sits in _internal/; the bundle is the folder above it.
  bundle=$(cd "$here/.." && pwd)
fi

if [ -n "${PREFIX:-}" ]; then
  # A staging or custom prefix (a distribution package, a test): everything under it.
  opt=$PREFIX/opt/qqdesk
  bin=$PREFIX/bin
  share=$PREFIX/share
elif [ "$(id -u)" = 0 ]; then
  opt=/opt/qqdesk
  bin=/usr/local/bin
  share=/usr/local/share
else
  opt=$HOME/.local/opt/qqdesk
  bin=$HOME/.local/bin
  share=${XDG_DATA_HOME:-$HOME/.local/share}
fi

if [ "${1:-}" = --uninstall ] || [ "${2:-}" = --uninstall ]; then
  rm -rf "$opt"
  rm -f "$bin/qqdesk" "$share/applications/$APP_ID.desktop" "$share/metainfo/$APP_ID.metainfo.xml"
  for size in 16 24 32 48 64 128 256 512; do
    rm -f "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
  rm -f "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
  echo "qqdesk removed from $opt"
  exit 0
fi

resources=$bundle/_internal/resources
[ -x "$bundle/qqdesk" ] && [ -d "$resources" ] || { echo "not a qqdesk bundle: $bundle" >&2; exit 1; }

mkdir -p "$opt" "$bin" "$share/applications" "$share/metainfo"
if [ "$bundle" != "$opt" ]; then
  rm -rf "$opt"
  cp -R "$bundle" "$opt"
fi
ln -sf "$opt/qqdesk" "$bin/qqdesk"
# Exec= names the command; point it at the installed copy so menus work even
# when $bin is not on the desktop session's PATH.
sed "s|^Exec=qqdesk|Exec=$opt/qqdesk|" "$resources/linux/$APP_ID.desktop" \
  > "$share/applications/$APP_ID.desktop"
cp "$resources/linux/$APP_ID.metainfo.xml" "$share/metainfo/"
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$share/icons/hicolor/${size}x${size}/apps"
  cp "$resources/icons/qqdesk-$size.png" "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
mkdir -p "$share/icons/hicolor/scalable/apps"
cp "$resources/icons/qqdesk.svg" "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
echo "qqdesk installed in $opt; run it from the menu or with: $bin/qqdesk"
