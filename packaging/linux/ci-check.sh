#!/usr/bin/env bash
# Builds the Linux bundle and proves it runs, headless, then prints its size and
# start-up time beside a baseline measured in the same run. .ci/run calls it after
# the tests; run it yourself the same way:
#
#   VENV=.venv packaging/linux/ci-check.sh         # build with that venv, then check
#   SKIP_BUILD=1 VENV=.venv packaging/linux/ci-check.sh   # check dist/qqdesk as it is
#
# What it checks (any failure exits non-zero):
#   - the bundle's contents (tests/resources/test_packaging.py with QQDESK_BUNDLE set):
#     resources, translations, Qt plugins there; unused Qt and other bindings not;
#   - `qqdesk --self-check` exits 0 with QT_QPA_PLATFORM=offscreen and, when
#     xvfb-run exists, under Xvfb with xcb;
#     (the self-check opens a main window and a chat window on the built-in server,
#     after loading the artwork and both catalogues);
#   - under Xvfb with xcb, `qqdesk --demo --lang zh_CN` opens its windows, signs in,
#     logs no warning and exits 0 on SIGTERM;
#   - without a network (unshare -n, where allowed) the self-check fails and says so.
# Every run gets its own HOME, XDG_* folders and TMPDIR under a temporary folder and
# no D-Bus session, so it never touches the user's data, keyring or running qqdesk.
#
# Environment: VENV (default .venv; its `qqdesk` is the source baseline), RUNS
# (timed runs of each, default 5), BUILD_TIMEOUT (seconds, default 300).
set -euo pipefail
shopt -s inherit_errexit
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
root=$(cd "$(dirname "$0")/../.." && pwd)

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
# "median 0.55 s (0.52-0.61)" of the numbers given.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "median %.2f s (%.2f-%.2f, %d runs)", m, v[1], v[NR], NR }'
}

# sandbox DIR: make a fresh home under DIR and set ENVV to a clean environment using it.
sandbox() {
  local dir=$1
  rm -rf "$dir"
  mkdir -p "$dir"/{home,data,config,state,cache,tmp,runtime}
  chmod 700 "$dir/runtime"
  ENVV=(env -i PATH="$PATH" LANG=C.UTF-8 HOME="$dir/home" TMPDIR="$dir/tmp"
    XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state"
    XDG_CACHE_HOME="$dir/cache" XDG_RUNTIME_DIR="$dir/runtime")
  [ -z "${DISPLAY:-}" ] || ENVV+=(DISPLAY="$DISPLAY")
  [ -z "${XAUTHORITY:-}" ] || ENVV+=(XAUTHORITY="$XAUTHORITY")
}

# demo_once EXE DIR: start EXE --demo on xcb (inside Xvfb), wait until the demo account
# is signed in, SIGTERM it; prints the seconds to sign-in, fails on any problem.
demo_once() {
  local exe=$1 dir=$2 log pid started signed_in="" rc=0
  sandbox "$dir"
  log=$dir/state/qqdesk/log/qqdesk.log
  started=$(now)
  (cd "$dir" && exec "${ENVV[@]}" QT_QPA_PLATFORM=xcb "$exe" --demo --lang zh_CN \
    >"$dir/out" 2>&1) &
  pid=$!
  for _ in $(seq 600); do  # 60 s
    if [ -f "$log" ] && grep -q "10001: connected" "$log"; then
      signed_in=$(since "$started")
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$signed_in" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" || true
    echo "FAILED: $exe --demo on xcb did not sign in within 60 s" >&2
    cat "$dir/out" >&2
    tail -n 40 "$log" >&2 2>/dev/null || true
    return 1
  fi
  kill -TERM "$pid"
  timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ] || ! grep -q "10001: stopped logged out" "$log" \
    || grep -E " (WARNING|ERROR|CRITICAL) " "$log" >&2; then
    echo "FAILED: $exe --demo on xcb: exit $rc after SIGTERM, or a warning above" >&2
    cat "$dir/out" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
  if [ -s "$dir/out" ]; then
    echo "  (it printed:)" >&2
    sed 's/^/  | /' "$dir/out" >&2
  fi
  echo "$signed_in"
}

# Inside xvfb-run: the self-check and the demo on xcb; prints the figures.
if [ "${1:-}" = _xcb ]; then
  bundle=$2 source=$3 work=$4 runs=$5
  sandbox "$work/xcb-selfcheck"
  (cd "$work/xcb-selfcheck" && "${ENVV[@]}" QT_QPA_PLATFORM=xcb timeout 60 "$bundle" --self-check)
  echo "bundle --self-check on xcb: exit 0"
  bundle_times=() source_times=()
  for i in $(seq "$runs"); do
    bundle_times+=("$(demo_once "$bundle" "$work/xcb-demo-bundle-$i")")
    [ -z "$source" ] || source_times+=("$(demo_once "$source" "$work/xcb-demo-source-$i")")
  done
  echo "demo on xcb, start to signed in:  bundle $(median "${bundle_times[@]}")"
  [ -z "$source" ] || echo "                                  source $(median "${source_times[@]}")"
  exit 0
fi

cd "$root"
venv=${VENV:-.venv}
runs=${RUNS:-5}
bundle=$root/dist/qqdesk/qqdesk
unset QQDESK_RESOURCES DBUS_SESSION_BUS_ADDRESS

build_time="(not built here)"
if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the Linux bundle (time limit ${BUILD_TIMEOUT:-300} s)"
  started=$(now)
  VENV=$venv timeout "${BUILD_TIMEOUT:-300}" bash packaging/linux/build.sh
  build_time="$(since "$started") s"
  echo "build took $build_time"
fi
[ -x "$bundle" ] || { echo "no bundle at $bundle" >&2; exit 1; }

work=$(mktemp -d -t qqdesk-ci-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== the bundle's contents"
QQDESK_BUNDLE=$root/dist/qqdesk "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/resources/test_packaging.py -k built_bundle

echo "== bundle --self-check, offscreen"
sandbox "$work/selfcheck"
(cd "$work/selfcheck" && "${ENVV[@]}" QT_QPA_PLATFORM=offscreen timeout 60 "$bundle" --self-check)
echo "exit 0"

echo "== without a network the self-check has to fail"
if unshare -n true 2>/dev/null; then
  sandbox "$work/broken"
  rc=0
  (cd "$work/broken" && unshare -n "${ENVV[@]}" QT_QPA_PLATFORM=offscreen timeout 60 \
    "$bundle" --self-check) >"$work/broken.out" 2>&1 || rc=$?
  if [ "$rc" = 0 ] || ! grep -q "self-check FAILED" "$work/broken.out"; then
    cat "$work/broken.out" >&2
    echo "FAILED: the self-check passed (or said nothing) without a network" >&2
    exit 1
  fi
  echo "exit $rc: $(grep -m1 "self-check FAILED" "$work/broken.out")"
else
  echo "skipped (unshare -n is not allowed here)"
fi

echo "== start-up time: process start to exit, $runs runs each, interleaved"
source_exe=""
[ ! -x "$venv/bin/qqdesk" ] || source_exe=$(cd "$venv/bin" && pwd)/qqdesk
python_exe=$(cd "$venv/bin" && pwd)/python
timed() {  # timed NAME CMD...: run CMD in a fresh sandbox, print the seconds it took
  local name=$1 started
  shift
  sandbox "$work/time-$name"
  started=$(now)
  (cd "$work/time-$name" && "${ENVV[@]}" QT_QPA_PLATFORM=offscreen timeout 60 "$@") \
    >"$work/time-$name.out" 2>&1 || { cat "$work/time-$name.out" >&2; return 1; }
  since "$started"
}
bundle_t=() source_t=() import_t=()
for _ in $(seq "$runs"); do
  bundle_t+=("$(timed bundle "$bundle" --self-check)")
  [ -z "$source_exe" ] || source_t+=("$(timed source "$source_exe" --self-check)")
  import_t+=("$(timed import "$python_exe" -c "import PySide6.QtWidgets")")
done
startup_bundle="dist/qqdesk/qqdesk --self-check          $(median "${bundle_t[@]}")"
startup_source="$venv/bin/qqdesk: not installed, no source baseline"
[ -z "$source_exe" ] || startup_source="$venv/bin/qqdesk --self-check (source)   $(median "${source_t[@]}")"
startup_import="python -c 'import PySide6.QtWidgets'  $(median "${import_t[@]}")"

xcb="xvfb-run not found: the xcb checks were skipped"
if command -v xvfb-run >/dev/null; then
  echo "== under Xvfb with xcb: --self-check, then --demo --lang zh_CN (3 runs each)"
  xcb=$(xvfb-run -a -s "-screen 0 1280x800x24" bash "$self" _xcb "$bundle" "$source_exe" \
    "$work" 3)
  echo "$xcb"
fi

echo "== size"
size=$(du -sh dist/qqdesk | cut -f1)
files=$(find dist/qqdesk -type f | wc -l)
gz=$(tar -C dist -cf - qqdesk | gzip -6 | wc -c)
echo "largest parts of _internal/:"
du -sh dist/qqdesk/_internal/* | sort -h | tail -6 | sed 's/^/  /'

cat <<EOF

== Linux bundle figures ($(uname -m), Python $("$python_exe" -c 'import platform; print(platform.python_version())'), PySide6 $("$python_exe" -c 'import PySide6; print(PySide6.__version__)'), $(nproc) cores)
build (build.sh, PyInstaller):  $build_time
bundle dist/qqdesk/:            $size on disk, $files files, $(awk -v b="$gz" 'BEGIN { printf "%.0f MB", b / 1e6 }') as .tar.gz (gzip -6)
start-up, offscreen, process start to exit:
  $startup_bundle
  $startup_source
  $startup_import
$xcb
EOF
