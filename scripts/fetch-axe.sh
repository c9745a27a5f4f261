#!/usr/bin/env bash
# Fetch axe-core (for the accessibility tests) from the npm registry into a git-ignored cache.
set -euo pipefail
VERSION="4.11.0"
CACHE="$(cd "$(dirname "$0")/.." && pwd)/.cache/axe"
if [ -f "$CACHE/axe.min.js" ]; then
  exit 0
fi
mkdir -p "$CACHE"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
cp "$tmp/package/axe.min.js" "$CACHE/axe.min.js"
