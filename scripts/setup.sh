#!/usr/bin/env bash
# Install what the service needs on Debian/Ubuntu: system packages (only the missing ones),
# a virtualenv in .venv and the package itself. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=${1:-}
packages=(python3 python3-venv python3-dev build-essential libmagic1 poppler-utils qpdf
          tesseract-ocr tesseract-ocr-eng redis-server antiword catdoc fonts-dejavu-core
          postgresql-client)
if [[ "$want_test" == "--test" ]]; then
  packages+=(postgresql chromium ocrmypdf img2pdf)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing system packages: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${want_test:+-test}
if [[ ! -f "$stamp" ]]; then
  echo "==> installing the package into .venv"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  if [[ "$want_test" == "--test" ]]; then
    .venv/bin/pip install -q -e '.[test]'
  else
    .venv/bin/pip install -q -e .
  fi
  touch "$stamp"
fi
echo "==> setup complete"
