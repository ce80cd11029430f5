#!/usr/bin/env bash
# Builds dist/qqdesk.app (a one-folder PyInstaller bundle) and reports its size.
#
#   packaging/macos/build.sh                  # fresh venv in build/venv-macos
#   VENV=.venv packaging/macos/build.sh       # reuse an existing venv
#
# The app is built for the architecture of the Python that runs PyInstaller
# (arm64 or x86_64). It is not signed; for distribution sign and notarize it:
#   codesign --deep --force --options runtime --sign "Developer ID Application: …" dist/qqdesk.app
#   xcrun notarytool submit … && xcrun stapler staple dist/qqdesk.app
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

venv=${VENV:-build/venv-macos}
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
if [ -z "${SKIP_INSTALL:-}" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e ".[package]"
fi

"$venv/bin/python" -m PyInstaller --noconfirm --clean \
  --distpath dist --workpath build/pyinstaller-macos \
  "$here/qqdesk.spec"

app=dist/qqdesk.app
"$app/Contents/MacOS/qqdesk" --help >/dev/null
/usr/bin/plutil -lint "$app/Contents/Info.plist"
echo "bundle: $root/$app"
echo "size:   $(du -sh "$app" | cut -f1)"
echo "zip for download: ditto -c -k --keepParent $app dist/qqdesk-macos.zip"
