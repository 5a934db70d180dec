#!/usr/bin/env bash
# The quickstart: a real `pulumi up` of the root Pulumi.yaml (the program in examples/quickstart) on a
# file:// state backend inside the project and the embedded local tenant, then a summary of what exists.
# Run it again: nothing changes.
# Usage: npm run quickstart   (from the repository root, after npm ci)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# 1. The package, built, and resolvable as `pulumi-defender-rbac` from the example (as users install it).
#    The build is skipped when dist/ is current: nothing under provider/ (files, or a directory whose entries
#    changed), the tsconfig files or package.json is newer than the stamp taken when the last build started.
STAMP="dist/.quickstart-build-stamp"
if [ ! -e "$STAMP" ] || [ ! -e dist/provider/index.js ] ||
  [ -n "$(find provider tsconfig.json tsconfig.build.json package.json -newer "$STAMP" -print -quit)" ]; then
  started="$(mktemp)"
  npm run --silent build
  mkdir -p dist && mv "$started" "$STAMP"
fi
if [ ! -e node_modules/pulumi-defender-rbac ]; then ln -s .. node_modules/pulumi-defender-rbac; fi

# 2. The Pulumi CLI and the Node.js language host (found on PATH, downloaded, or built from Go modules).
PULUMI_BIN_DIR="$(bash .ci/ensure-pulumi.sh | tail -n1)"
export PATH="$PULUMI_BIN_DIR:$ROOT/node_modules/@pulumi/pulumi:$PATH"  # the dynamic-provider plugin ships in @pulumi/pulumi

# 3. Hermetic Pulumi settings: state in .pulumi-state/, a fixed passphrase for this demo stack only.
export PULUMI_BACKEND_URL="file://$ROOT/.pulumi-state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-quickstart}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
mkdir -p "$ROOT/.pulumi-state"

pulumi stack select --create dev --non-interactive >/dev/null
pulumi up --yes --non-interactive --diff

echo
echo "In the local tenant ($ROOT/examples/quickstart/.defender-rbac/tenant.db, beside the program):"
pulumi stack output created --json --non-interactive | node -e '
  const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const r of c.roles) {
    console.log(`  role "${r.displayName}"${r.imported ? " (imported)" : ""}`);
    for (const p of r.permissions) console.log(`    - ${p}`);
  }
  for (const a of c.assignments) console.log(`  assignment "${a.displayName}": role "${a.role}" to ${a.principals.join(", ")} over ${a.appScopeIds.join(", ")}`);
'
