#!/usr/bin/env bash
# Rebuilds every vendored front-end file from the versions pinned in
# scripts/frontend/package.json + package-lock.json (see README.md here):
#   grader/web/static/vendor/{swagger-ui,htmx,codemirror}/, VENDORED.md
#   tests/browser/vendor/axe-core/   (accessibility tests only, never served)
# Needs Node.js + npm and the npm registry; the service and its tests need neither.
# Idempotent: the same lockfile gives byte-identical files.
set -euo pipefail
umask 022

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
static="$repo/grader/web/static/vendor"
testvendor="$repo/tests/browser/vendor"
nm="$here/node_modules"

cd "$here"
# --ignore-scripts: no install scripts run; esbuild's binary comes from its
# platform package (an optional dependency), which needs none.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Bundle the CodeMirror editor: one self-contained ES module.
"$nm/.bin/esbuild" editor.js --bundle --format=esm --minify --target=es2020 \
  --legal-comments=none --charset=utf8 --log-level=warning \
  --banner:js='/* CodeMirror 6 editor bundle for interview-grader, built by scripts/frontend/build.sh from scripts/frontend/editor.js. Licences: LICENSES.txt beside this file. */' \
  --metafile="$work/meta.json" --outfile="$work/editor.bundle.js"

# What to copy: "package|file inside the package (or @work/ for a built file)|destination directory".
files=(
  "swagger-ui-dist|swagger-ui-bundle.js|$static/swagger-ui"
  "swagger-ui-dist|swagger-ui-bundle.js.LICENSE.txt|$static/swagger-ui"
  "swagger-ui-dist|swagger-ui.css|$static/swagger-ui"
  "swagger-ui-dist|favicon-32x32.png|$static/swagger-ui"
  "swagger-ui-dist|LICENSE|$static/swagger-ui"
  "swagger-ui-dist|NOTICE|$static/swagger-ui"
  "htmx.org|dist/htmx.min.js|$static/htmx"
  "htmx.org|LICENSE|$static/htmx"
  "codemirror|@work/editor.bundle.js|$static/codemirror"
  "axe-core|axe.min.js|$testvendor/axe-core"
  "axe-core|LICENSE|$testvendor/axe-core"
  "axe-core|LICENSE-3RD-PARTY.txt|$testvendor/axe-core"
)

# Start from empty directories so files dropped by an upgrade do not linger.
rm -rf "$static/swagger-ui" "$static/htmx" "$static/codemirror" \
       "$static/VENDORED.md" "$testvendor/axe-core"

: > "$work/manifest.tsv"
for entry in "${files[@]}"; do
  IFS='|' read -r pkg file dest <<<"$entry"
  case "$file" in
    @work/*) src="$work/${file#@work/}" ;;
    *) src="$nm/$pkg/$file" ;;
  esac
  out="$dest/$(basename "$file")"
  mkdir -p "$dest"
  case "$out" in
    *.js|*.css)
      # Drop trailing source-map comments: the maps are not vendored, and a
      # browser (with dev tools open) would ask for them.
      sed -E -e 's#^//[#@] sourceMappingURL=[^[:space:]]*$##' \
             -e 's#/\*[#@] sourceMappingURL=[^*[:space:]]*[[:space:]]*\*/$##' "$src" > "$out"
      if grep -qE '^//[#@] sourceMappingURL=|/\*[#@] sourceMappingURL=[^*]*\*/$' "$out"; then
        echo "build.sh: a sourceMappingURL comment is left in $out" >&2
        exit 1
      fi
      ;;
    *) cp "$src" "$out"; chmod 0644 "$out" ;;
  esac
  printf '%s\t%s\n' "$pkg" "${out#"$repo"/}" >> "$work/manifest.tsv"
done

# Licences of the packages inside editor.bundle.js, and VENDORED.md.
node "$here/vendor-meta.mjs" "$repo" "$work/meta.json" "$work/manifest.tsv"

# External origins a browser could be sent to (report only; see README.md).
bash "$here/check-origins.sh"
