#!/usr/bin/env bash
# Copies KaTeX's stylesheet and fonts into theme/, so the book renders offline.
#
# The version must be the one the `katex` crate renders with (see its KATEX-VERSION file);
# HTML pre-rendered by one KaTeX version is not guaranteed to match another version's CSS.
# Run by hand when that version changes; the result is committed.
set -euo pipefail
version="${1:-0.16.4}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "katex@${version}" >/dev/null && tar -xzf "katex-${version}.tgz")
dist="$work/package/dist"
rm -rf "$root/theme/fonts" && mkdir -p "$root/theme/fonts"
# Only the woff2 files: every browser that runs mdBook's JavaScript reads woff2.
cp "$dist"/fonts/*.woff2 "$root/theme/fonts/"
cp "$work/package/LICENSE" "$root/theme/KATEX-LICENSE"
# mdBook copies theme/fonts/* to fonts/ in the output and may rename each file with a content
# hash; `{{ resource "…" }}` in a CSS file is replaced by the final, relative path.
sed -E \
  -e 's#url\(fonts/([A-Za-z0-9_-]+)\.woff2\) format\("woff2"\),url\(fonts/[A-Za-z0-9_-]+\.woff\) format\("woff"\),url\(fonts/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)#url({{ resource "fonts/\1.woff2" }}) format("woff2")#g' \
  "$dist/katex.min.css" > "$root/theme/katex.min.css"
if grep -q 'url(fonts/' "$root/theme/katex.min.css"; then
  echo "vendor-katex: some font URLs were not rewritten; the CSS format changed" >&2
  exit 1
fi
echo "KaTeX ${version}: $(ls "$root/theme/fonts" | wc -l) fonts and katex.min.css in theme/"
