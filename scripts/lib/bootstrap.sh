# Sourced by the README commands. Gives them Node >= 22, pnpm and the workspace's dependencies, on a machine that
# has only Node (20 or newer) and npm. Everything it installs goes under .tools/ in the checkout.
set -euo pipefail

CABC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CABC_TOOLS="$CABC_ROOT/.tools"
CABC_NODE_MAJOR_MIN=22
CABC_NODE_PACKAGE_VERSION=24
# pnpm comes from the npm registry at this version (no packageManager field: pnpm 12 would then insist on recording
# its own binaries in the lockfile, which a frozen install refuses when the registry has none for some platform).
CABC_PNPM_VERSION=12.21.0

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ -x "$CABC_TOOLS/node/bin/node" ]; then export PATH="$CABC_TOOLS/node/bin:$PATH"; fi
  if [ "$(node_major)" -ge "$CABC_NODE_MAJOR_MIN" ]; then return; fi
  command -v npm >/dev/null || { echo "cabc: npm is needed to bootstrap Node $CABC_NODE_PACKAGE_VERSION" >&2; exit 1; }
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "cabc: unsupported OS $(uname -s)" >&2; exit 1 ;; esac
  case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) echo "cabc: unsupported CPU $(uname -m)" >&2; exit 1 ;; esac
  echo "cabc: Node $(node -v 2>/dev/null || echo none) is older than $CABC_NODE_MAJOR_MIN; installing Node $CABC_NODE_PACKAGE_VERSION into .tools/" >&2
  mkdir -p "$CABC_TOOLS/node-package"
  npm install --silent --no-audit --no-fund --prefix "$CABC_TOOLS/node-package" "node-$os-$arch@$CABC_NODE_PACKAGE_VERSION" >&2
  mkdir -p "$CABC_TOOLS/node/bin"
  ln -sf "$CABC_TOOLS/node-package/node_modules/node-$os-$arch/bin/node" "$CABC_TOOLS/node/bin/node"
  export PATH="$CABC_TOOLS/node/bin:$PATH"
}

ensure_pnpm() {
  local wanted="$CABC_PNPM_VERSION"
  if [ -x "$CABC_TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
    export PATH="$CABC_TOOLS/pnpm/node_modules/.bin:$PATH"
  fi
  if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null)" = "$wanted" ]; then return; fi
  # The npm registry's pnpm package; corepack is not shipped with every Node any more.
  echo "cabc: installing pnpm $wanted into .tools/" >&2
  npm install --silent --no-audit --no-fund --prefix "$CABC_TOOLS/pnpm" "pnpm@$wanted" >&2
  export PATH="$CABC_TOOLS/pnpm/node_modules/.bin:$PATH"
}

ensure_dependencies() {
  # Native addons build against the running Node's headers when no prebuilt binary fits.
  export npm_config_nodedir="${npm_config_nodedir:-$(node -p 'require("path").resolve(process.execPath, "../..")')}"
  local stamp="$CABC_ROOT/node_modules/.cabc-lock-stamp"
  if [ ! -f "$stamp" ] || [ "$CABC_ROOT/pnpm-lock.yaml" -nt "$stamp" ]; then
    (cd "$CABC_ROOT" && pnpm install --frozen-lockfile --reporter=append-only) >&2
    touch "$stamp"
  fi
}

cabc_bootstrap() {
  ensure_node
  ensure_pnpm
  ensure_dependencies
}
