#!/usr/bin/env bash
# One entry point that sets everything up on its own, then does what it was asked:
#   bash dev.sh run  [ARGS]   start the application
#   bash dev.sh test [ARGS]   layer contracts, lint, then the whole test suite
#   bash dev.sh bench         the speed benchmarks in bench/
#   bash dev.sh soak [ACTIONS] [SEED]   drive the window at random by keys and clicks
# Set-up is idempotent and quick once done: Debian libraries Qt needs (installed
# when run as root, otherwise named), a virtual environment in .venv, the package.
set -euo pipefail
cd "$(dirname "$0")"

# Libraries Qt loads even offscreen, plus fonts (without them every label is a box).
QT_OFFSCREEN_DEBS="libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 fonts-dejavu-core"
# What a real X display needs on top of those.
QT_X11_DEBS="libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0"
VENV=.venv

say() { printf 'dev.sh: %s\n' "$*" >&2; }

missing_debs() {
    command -v dpkg-query >/dev/null || return 0 # not Debian: nothing we can check
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || printf '%s ' "$pkg"
    done
}

ensure_debs() {
    local missing
    missing=$(missing_debs "$@")
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "installing Debian packages: $missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        say "missing Debian packages: $missing"
        say "install them with: sudo apt-get install $missing"
        exit 1
    fi
}

find_python() {
    local py
    for py in python3 python3.13 python3.12 python3.11; do
        if command -v "$py" >/dev/null &&
            "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$py"
            return
        fi
    done
    say "Python 3.11 or newer is needed (Debian: apt-get install python3)"
    exit 1
}

quiet_pip() {
    # pip warns of every index folder its configuration names and the machine lacks:
    # dozens of lines that would bury what matters (CI keeps only the start of a log).
    grep -v "is ignored: it is neither a file nor a directory" >&2 || true
}

ensure_venv() {
    local py stamp want
    if [ ! -x "$VENV/bin/python" ]; then
        py=$(find_python)
        if ! "$py" -c 'import ensurepip, venv' 2>/dev/null; then
            ensure_debs python3-venv
        fi
        say "creating the virtual environment in $VENV"
        "$py" -m venv "$VENV"
    fi
    # Reinstall only when the dependencies changed: a second run is quick.
    stamp="$VENV/.orbita-installed"
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing orbita-gui and its test tools into $VENV"
        "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | quiet_pip
        "$VENV/bin/python" -m pip install -q -e '.[test]' 2>&1 | quiet_pip
        echo "$want" >"$stamp"
    fi
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
run)
    ensure_debs $QT_OFFSCREEN_DEBS $QT_X11_DEBS
    ensure_venv
    exec "$VENV/bin/python" -m orbita_gui "$@"
    ;;
test)
    ensure_debs $QT_OFFSCREEN_DEBS
    ensure_venv
    contracts=$("$VENV/bin/lint-imports" --no-cache 2>&1) || {
        printf '%s\n' "$contracts"
        exit 1
    }
    say "import contracts kept"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    exec "$VENV/bin/python" -m pytest -q "$@" # a line per 72 tests: a short log
    ;;
bench)
    ensure_debs $QT_OFFSCREEN_DEBS
    ensure_venv
    exec "$VENV/bin/python" -m bench "$@"
    ;;
soak)
    ensure_debs $QT_OFFSCREEN_DEBS
    ensure_venv
    exec "$VENV/bin/python" -m bench.soak "$@"
    ;;
*)
    say "usage: bash dev.sh run|test|bench|soak [ARGS]"
    exit 2
    ;;
esac
