#!/usr/bin/env bash
# Lints every GitHub Actions workflow of the repository (.github/workflows) and of the GitOps example
# (examples/gitops/workflows) with actionlint, built from its Go module at a pinned version (cached
# under ~/.cache/pulumi-defender-rbac, so only the first run builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION="v1.7.12"
CACHE_ROOT="${PULUMI_DEFENDER_RBAC_CACHE:-${HOME}/.cache/pulumi-defender-rbac}"
BIN_DIR="$CACHE_ROOT/actionlint/$ACTIONLINT_VERSION"
if [ ! -x "$BIN_DIR/actionlint" ]; then
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go >/dev/null 2>&1 || { echo "actionlint.sh: go is not installed; cannot build actionlint" >&2; exit 1; }
  echo "building actionlint $ACTIONLINT_VERSION from its Go module into $BIN_DIR" >&2
  mkdir -p "$BIN_DIR"
  GOBIN="$BIN_DIR" GOMODCACHE="${GOMODCACHE:-$CACHE_ROOT/go/mod}" GOCACHE="${GOCACHE:-$CACHE_ROOT/go/build}" \
    GOFLAGS="-modcacherw" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml examples/gitops/workflows/*.yml)
[ "${#workflows[@]}" -gt 0 ] || { echo "actionlint.sh: no workflow files found" >&2; exit 1; }
"$BIN_DIR/actionlint" "${workflows[@]}"
echo "actionlint $ACTIONLINT_VERSION: ${#workflows[@]} workflows OK"
