#!/usr/bin/env bash
# Make a headless browser available for the browser tests (tests/browser): Debian's Chromium,
# its driver and a font, installed if /usr/bin/chromium is missing. Playwright drives that
# executable; it never downloads a browser of its own (`playwright install` is not used).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "installing chromium chromium-driver fonts-dejavu-core" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >&2
