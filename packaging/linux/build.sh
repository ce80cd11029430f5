#!/usr/bin/env bash
# Builds the Linux one-folder bundle dist/qqdesk/ with PyInstaller and reports its size.
#
#   packaging/linux/build.sh                  # fresh venv in build/venv-linux
#   VENV=.venv packaging/linux/build.sh       # reuse an existing venv
#   SKIP_INSTALL=1 VENV=.venv packaging/linux/build.sh   # ...as it is
#
# PYTHON picks the interpreter for a new venv (default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

venv=${VENV:-build/venv-linux}
if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
if [ -z "${SKIP_INSTALL:-}" ]; then
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -e ".[package]"
fi

"$venv/bin/python" -m PyInstaller --noconfirm --clean \
  --distpath dist --workpath build/pyinstaller-linux \
  "$here/qqdesk.spec"

bundle=dist/qqdesk
# A smoke test that needs no display: the bundled interpreter, imports and
# argument parsing all have to work for --help to print.
"$bundle/qqdesk" --help >/dev/null
echo "bundle: $root/$bundle"
echo "size:   $(du -sh "$bundle" | cut -f1) ($(find "$bundle" -type f | wc -l) files)"
echo "install for this user: $bundle/_internal/install.sh"
