#!/bin/sh
# Install everything make-notices needs on Debian 12 (or Ubuntu): LibreOffice, the free CJK
# fonts that stand in for the standard official-document fonts, and the Python package in .venv.
# Safe to run again: it installs only what is missing.
set -eu
cd "$(dirname "$0")"

PACKAGES="python3-venv python3-uno libreoffice-writer-nogui libreoffice-calc-nogui fontconfig poppler-utils
fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai fonts-arphic-ukai fonts-hanazono texlive-lang-chinese"
# --browser: Debian's Chromium too, for the workbench's browser tests (Playwright drives it; it
# cannot download a browser of its own). Running the tool and the workbench do not need it.
for arg in "$@"; do
    case "$arg" in
        --browser) PACKAGES="$PACKAGES chromium" ;;
        *) echo "setup: unknown option $arg (use --browser)" >&2; exit 2 ;;
    esac
done

missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "setup: installing system packages:$missing"
    $SUDO apt-get update -qq
    # texlive-lang-chinese is only for the FandolFang (仿宋) font; no TeX recommends needed.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import pipeline, pytest" 2>/dev/null || [ pyproject.toml -nt .venv/.installed ]; then
    echo "setup: installing make-notices into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
    touch .venv/.installed
fi
echo "setup: ok"
