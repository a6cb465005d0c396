#!/usr/bin/env bash
# What the browser tests need: Debian's Chromium and playwright-core (pinned in
# tests/browser/package-lock.json; no browser download). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
# A small CJK font so that screenshots show the Chinese text rather than empty boxes.
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi\|Noto Sans CJK" || need+=(fonts-wqy-microhei)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
echo "browser deps: $(chromium --version 2>/dev/null | head -1), playwright-core $(node -p 'require("./tests/browser/node_modules/playwright-core/package.json").version')"
