#!/usr/bin/env bash
# Make this checkout runnable: a local virtualenv with the project and its test tools, and
# the Debian packages the agents and tests use (installed only when missing, and only as root).
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(mosquitto espeak-ng)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages: ${missing[*]} (not root, skipping)" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing the project and its tools into .venv (log: .venv/pip.log)" >&2
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -e '.[test,demo]'; } > .venv/pip.log 2>&1; then
    tail -n 30 .venv/pip.log >&2
    echo "setup: pip install failed (full log: .venv/pip.log)" >&2
    exit 1
  fi
  rm -f .venv/.installed-* && touch "$stamp"
fi
