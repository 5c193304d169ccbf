#!/usr/bin/env bash
# Chromium for the browser tests (test/support/browser.ts drives it with playwright-core over CDP).
# From Debian's packages: tools that download a browser build of their own cannot reach their hosts here,
# and playwright-core never tries. chromedriver is not installed: playwright talks CDP, not WebDriver.
# Fonts: Debian's chromium pulls no font in; fonts-liberation gives screenshots readable text.
# Idempotent: a second run only checks that the packages are installed.
set -euo pipefail
PACKAGES=(chromium fonts-liberation)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "chromium: missing Debian packages ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Package lists go stale or may be absent on a fresh machine: refresh once, then install.
# Another apt-get (a parallel set-up on a shared machine) may hold the dpkg lock: wait for it.
APT=(apt-get -o DPkg::Lock::Timeout=600)
$SUDO "${APT[@]}" update -qq
$SUDO "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}"
echo "chromium installed: $(/usr/bin/chromium --version)"
