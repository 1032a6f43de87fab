#!/usr/bin/env bash
# Lists the http(s) hosts named in the vendored files (with counts), and the
# files that the project's before-stop hook would flag as public-CDN
# references. A URL string is not a fetch: README.md in this folder says which
# ones a browser really asks for and how the pages turn them off. Report only
# (exit 0); run by build.sh, or alone: bash scripts/frontend/check-origins.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
dirs=(grader/web/static/vendor tests/browser/vendor)
# Same pattern as the hook (it greps grader/ and worker/).
cdn='(https?:)?//(cdn\.|unpkg\.com|cdnjs\.|fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr)'

echo "== hosts named in vendored .js/.css files (count host)"
find "${dirs[@]}" -type f \( -name '*.js' -o -name '*.css' \) | LC_ALL=C sort | while read -r f; do
  hosts="$(grep -oE 'https?://[A-Za-z0-9.$`{}-]+' "$f" | LC_ALL=C sort | uniq -c | LC_ALL=C sort -k1,1nr -k2 || true)"
  echo "-- $f"
  if [ -n "$hosts" ]; then echo "$hosts"; else echo "   (none)"; fi
done
echo "== files the hook would flag (public CDN pattern)"
grep -rlIE "$cdn" "${dirs[@]}" | LC_ALL=C sort | while read -r f; do
  echo "-- $f: $(grep -oE "${cdn}[^\"'\`) ]*" "$f" | LC_ALL=C sort -u | tr '\n' ' ')"
done
