#!/usr/bin/env bash
# ensure-pulumi.sh: make the `pulumi` CLI and the Node.js language host
# `pulumi-language-nodejs` available, and print the directory that holds both
# on the LAST line of stdout (everything else goes to stderr):
#
#   PULUMI_BIN_DIR="$(bash .ci/ensure-pulumi.sh | tail -n1)"
#   export PATH="$PULUMI_BIN_DIR:$PATH"
#
# Order of preference:
#   1. `pulumi` + `pulumi-language-nodejs` already on PATH (skipped when
#      PULUMI_DEFENDER_RBAC_FORCE_BUILD=1).
#   2. A complete cached install/build of PULUMI_VERSION.
#   3. The official installer (get.pulumi.com), when the internet is reachable
#      (skipped when PULUMI_DEFENDER_RBAC_NO_DOWNLOAD=1).
#   4. A build from the Go modules of the pinned release (works with only the
#      Go module proxy reachable).
#
# Environment:
#   PULUMI_DEFENDER_RBAC_CACHE        cache root (default ~/.cache/pulumi-defender-rbac)
#   PULUMI_DEFENDER_RBAC_FORCE_BUILD  1: ignore a pulumi already on PATH
#   PULUMI_DEFENDER_RBAC_NO_DOWNLOAD  1: never try get.pulumi.com
#   GOMODCACHE / GOCACHE / GOTOOLCHAIN / GOPROXY are respected when set.
#
# The Node.js language host normally lives in its own, untagged Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), reached by
# the pseudo-version of the release commit. Where the module proxy does not serve
# that module, the script falls back to the language host as it was last shipped
# inside github.com/pulumi/pulumi/sdk/v3 (LEGACY_NODEJS_HOST_SDK_VERSION). The
# engine talks to the language host over a stable gRPC protocol (newer calls
# degrade gracefully to "unimplemented"), and the Node.js program itself is run
# by the project's own @pulumi/pulumi (node_modules/@pulumi/pulumi/cmd/run).
# Known limitation of that fallback: the Pulumi.yaml runtime options
# `typescript`, `tsconfig` and `nodeargs` are not read (TypeScript support stays
# on; PULUMI_NODEJS_TSCONFIG_PATH / PULUMI_NODEJS_TRANSPILE_ONLY env vars work).

set -euo pipefail

# ---------------------------------------------------------------------------
# Pinned versions
# ---------------------------------------------------------------------------
PULUMI_VERSION="3.259.0"
# Last github.com/pulumi/pulumi/sdk/v3 release that contained
# nodejs/cmd/pulumi-language-nodejs as a package (used only as a fallback).
LEGACY_NODEJS_HOST_SDK_VERSION="3.68.0"

PKG_MOD="github.com/pulumi/pulumi/pkg/v3"
SDK_MOD="github.com/pulumi/pulumi/sdk/v3"
LH_MOD="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
CLI_PKG="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
LEGACY_LH_PKG="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

# All output except the final directory goes to stderr; fd 3 is the real stdout.
exec 3>&1 1>&2

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_ROOT="${PULUMI_DEFENDER_RBAC_CACHE:-${HOME}/.cache/pulumi-defender-rbac}"
mkdir -p "$CACHE_ROOT"
CACHE_ROOT="$(cd "$CACHE_ROOT" && pwd)"
VER_DIR="$CACHE_ROOT/pulumi/$PULUMI_VERSION"
MARKER="$VER_DIR/.complete"
export PULUMI_SKIP_UPDATE_CHECK=true

log() { printf '[ensure-pulumi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

emit() {
  # Print the bin dir as the last line of stdout and exit successfully.
  printf '%s\n' "$1" >&3
  exit 0
}

# version_ge A B: true when version A >= version B (dotted numbers, no "v").
version_ge() {
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

# verify_bin_dir DIR [EXPECTED_VERSION]: both binaries run (and pulumi reports
# the expected version, when given).
verify_bin_dir() {
  local dir="$1" expected="${2:-}" out
  [ -x "$dir/pulumi" ] && [ -x "$dir/pulumi-language-nodejs" ] || return 1
  if ! out="$("$dir/pulumi" version 2>&1)"; then
    log "'$dir/pulumi version' failed: $out"
    return 1
  fi
  out="$(printf '%s\n' "$out" | tail -n1 | tr -d '[:space:]')"
  if [ -n "$expected" ] && [ "$out" != "v$expected" ]; then
    log "'$dir/pulumi version' printed '$out', expected 'v$expected'"
    return 1
  fi
  if ! timeout 30 "$dir/pulumi-language-nodejs" --help >/dev/null 2>&1; then
    log "'$dir/pulumi-language-nodejs --help' failed"
    return 1
  fi
  log "pulumi $out and pulumi-language-nodejs OK in $dir"
  return 0
}

# install_file SRC DEST: atomically copy SRC to DEST (executable) if different.
install_file() {
  local src="$1" dest="$2"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    return 0
  fi
  cp "$src" "$dest.tmp.$$"
  chmod 0755 "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  log "installed $(basename "$dest") from $src"
}

# The policy launcher. Releases ship `pulumi-analyzer-policy`, a small script the
# engine starts in a Node.js policy pack's directory with `<engine address> .`; it
# runs @pulumi/pulumi's policy-pack runner (resolved from that directory) with
# node. A build from Go modules lacks it, and more: since 3.2xx the CLI starts a
# `runtime: nodejs` pack through the Node.js language host (RunPlugin), which the
# 3.68 host built here does not implement. The CLI still uses the launcher
# `pulumi-analyzer-policy-<runtime>` for a pack whose runtime has no language
# host, so the launcher is also written as `pulumi-analyzer-policy-$POLICY_LAUNCHER_RUNTIME`:
# a pack whose PulumiPolicy.yaml says `runtime: $POLICY_LAUNCHER_RUNTIME` runs through it
# with any CLI this script provides (the test suite does that with the shipped pack).
POLICY_LAUNCHER_RUNTIME="nodejs-launcher"
POLICY_LAUNCHERS="pulumi-analyzer-policy pulumi-analyzer-policy-$POLICY_LAUNCHER_RUNTIME"

# write_analyzer_launcher DEST: writes the launcher script to DEST.
write_analyzer_launcher() {
  local dest="$1" tmp
  tmp="$(mktemp)"
  cat >"$tmp" <<'LAUNCHER'
#!/bin/sh
# Starts a Node.js policy pack for the pulumi engine (written by .ci/ensure-pulumi.sh).
runner="$(node -e "try { console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack')) } catch (e) { console.error(e.message) }")"
if [ -n "$runner" ]; then
  exec node "$runner" "$@"
fi
exit 1
LAUNCHER
  install_file "$tmp" "$dest"
  rm -f "$tmp"
}

# install_policy_launchers BIN_DIR: both launcher names, unless already there.
install_policy_launchers() {
  local name
  for name in $POLICY_LAUNCHERS; do
    [ -x "$1/$name" ] || write_analyzer_launcher "$1/$name"
  done
}

# install_node_plugins BIN_DIR [SDK_SOURCE_DIR]: put the plugin shell scripts
# the engine looks for next to the pulumi binary (bundled plugins are found
# there, or on PATH). The project's own node_modules copy wins.
install_node_plugins() {
  local bin="$1" sdk_dir="${2:-}" name src
  for name in pulumi-resource-pulumi-nodejs pulumi-analyzer-policy; do
    for src in \
      "$REPO_ROOT/node_modules/@pulumi/pulumi/$name" \
      "$REPO_ROOT/node_modules/@pulumi/policy/$name" \
      ${sdk_dir:+"$sdk_dir/nodejs/dist/$name"}; do
      if [ -f "$src" ]; then
        install_file "$src" "$bin/$name"
        break
      fi
    done
  done
  install_policy_launchers "$bin"
}

# marker_get KEY: read a value from the marker file.
marker_get() {
  sed -n "s/^$1=//p" "$MARKER" 2>/dev/null | head -n1
}

try_cached() {
  [ -f "$MARKER" ] || return 1
  local bin
  bin="$(marker_get bin_dir)"
  [ -n "$bin" ] || return 1
  if verify_bin_dir "$bin" "$PULUMI_VERSION"; then
    if [ "$(marker_get method)" = "go-build" ]; then
      install_node_plugins "$bin"
    else
      install_policy_launchers "$bin"
    fi
    log "using cached pulumi $PULUMI_VERSION ($(marker_get method)) from $bin"
    return 0
  fi
  log "cached install in $bin failed verification; rebuilding"
  return 1
}

write_marker() {
  # write_marker BIN_DIR METHOD LANGUAGE_HOST_DESCRIPTION
  {
    printf 'pulumi_version=%s\n' "$PULUMI_VERSION"
    printf 'bin_dir=%s\n' "$1"
    printf 'method=%s\n' "$2"
    printf 'nodejs_language_host=%s\n' "$3"
    printf 'created=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$MARKER.tmp"
  mv -f "$MARKER.tmp" "$MARKER"
}

# ---------------------------------------------------------------------------
# 1. Already on PATH
# ---------------------------------------------------------------------------
if [ "${PULUMI_DEFENDER_RBAC_FORCE_BUILD:-0}" != "1" ]; then
  if p="$(command -v pulumi 2>/dev/null)" && l="$(command -v pulumi-language-nodejs 2>/dev/null)"; then
    if pv="$(pulumi version 2>/dev/null)"; then
      pdir="$(cd "$(dirname "$p")" && pwd)"
      ldir="$(cd "$(dirname "$l")" && pwd)"
      if [ "$pdir" != "$ldir" ]; then
        log "note: pulumi is in $pdir but pulumi-language-nodejs is in $ldir (both on PATH)"
      fi
      log "using pulumi $pv already on PATH ($pdir); set PULUMI_DEFENDER_RBAC_FORCE_BUILD=1 to ignore it"
      if [ -x "$pdir/pulumi-analyzer-policy-$POLICY_LAUNCHER_RUNTIME" ]; then
        emit "$pdir"
      fi
      # A directory of links to that CLI, plus the policy launchers (nothing is written beside it).
      shim="$CACHE_ROOT/pulumi-on-path"
      mkdir -p "$shim"
      ln -sf "$p" "$shim/pulumi"
      ln -sf "$l" "$shim/pulumi-language-nodejs"
      for name in pulumi-resource-pulumi-nodejs pulumi-analyzer-policy; do
        if [ -x "$pdir/$name" ]; then ln -sf "$pdir/$name" "$shim/$name"; fi
      done
      install_policy_launchers "$shim"
      log "using $shim: links to that CLI, plus the policy launchers"
      emit "$shim"
    fi
  fi
fi

# ---------------------------------------------------------------------------
# 2. Cached (no lock needed for the fast path)
# ---------------------------------------------------------------------------
mkdir -p "$VER_DIR"
if try_cached; then
  emit "$(marker_get bin_dir)"
fi

# Serialise installs/builds of this version across concurrent runs.
exec 9>"$VER_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for lock $VER_DIR/.lock"
  flock -w 7200 9 || die "could not get lock $VER_DIR/.lock"
else
  log "warning: flock not found; concurrent runs may build twice"
fi
# Someone else may have finished while we waited.
if try_cached; then
  emit "$(marker_get bin_dir)"
fi
rm -f "$MARKER"

# ---------------------------------------------------------------------------
# 3. Official installer, when the internet is reachable
# ---------------------------------------------------------------------------
internet_reachable() {
  # Any HTTP answer at all (even a redirect or an error page) means reachable.
  local code
  command -v curl >/dev/null 2>&1 || return 1
  code="$(curl -s -o /dev/null -w '%{http_code}' --connect-timeout 5 --max-time 5 https://get.pulumi.com/ 2>/dev/null || true)"
  [ -n "$code" ] && [ "$code" != "000" ]
}
if [ "${PULUMI_DEFENDER_RBAC_NO_DOWNLOAD:-0}" != "1" ] && internet_reachable; then
  log "get.pulumi.com is reachable; installing pulumi $PULUMI_VERSION with the official installer"
  official_root="$VER_DIR/official"
  installer="$(mktemp)"
  if curl -fsSL --max-time 60 -o "$installer" https://get.pulumi.com/install.sh &&
    rm -rf "$official_root" &&
    sh "$installer" --version "$PULUMI_VERSION" --install-root "$official_root" --no-edit-path; then
    rm -f "$installer"
    if verify_bin_dir "$official_root/bin" "$PULUMI_VERSION"; then
      install_policy_launchers "$official_root/bin"
      write_marker "$official_root/bin" official "bundled with the official release"
      emit "$official_root/bin"
    fi
    log "official install did not provide both binaries in $official_root/bin; building from Go modules instead"
  else
    rm -f "$installer"
    log "official installer failed; building from Go modules instead"
  fi
else
  log "get.pulumi.com not reachable (or downloads disabled); building pulumi $PULUMI_VERSION from Go modules"
fi

# ---------------------------------------------------------------------------
# 4. Build from the Go modules of the pinned release
# ---------------------------------------------------------------------------
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH" # the usual install location, when a non-login shell lacks it on PATH
fi
command -v go >/dev/null 2>&1 || die "go is not installed; cannot build pulumi $PULUMI_VERSION"

build_start="$(date +%s)"
export GOMODCACHE="${GOMODCACHE:-$CACHE_ROOT/go/mod}"
export GOCACHE="${GOCACHE:-$CACHE_ROOT/go/build}"
export GOFLAGS="-mod=mod -modcacherw -buildvcs=false"
export GO111MODULE=on
caller_toolchain="${GOTOOLCHAIN:-}"
# Plain module downloads/queries work with the local toolchain whatever the go.mod says.
export GOTOOLCHAIN=local

BUILD_DIR="$VER_DIR/build"
BIN_DIR="$VER_DIR/bin"
rm -rf "$BUILD_DIR" "$BIN_DIR"
mkdir -p "$BUILD_DIR/cli" "$BIN_DIR"
cd "$BUILD_DIR"

# gomod_field JSON_TEXT FIELD: first "FIELD": "value" in go's JSON output.
gomod_field() {
  printf '%s\n' "$1" | sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}$/\1/p" | head -n1
}

# download MODULE@VERSION: prints the JSON from `go mod download -json`.
download() {
  local out
  if ! out="$(go mod download -json "$1" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "go mod download $1 failed (see go's error above)"
  fi
  printf '%s\n' "$out"
}

# go_directive GOMOD_FILE: the `go` version of a go.mod file.
go_directive() {
  sed -n 's/^go[[:space:]]\{1,\}\([0-9.]*\).*/\1/p' "$1" | head -n1
}

# apply_replaces GOMOD_FILE: repeat its non-local replace directives in the
# module in the current directory (local "../" replaces are dropped).
apply_replaces() {
  local file="$1" line left right old new
  while IFS= read -r line; do
    line="${line%%//*}"
    line="$(printf '%s' "$line" | sed -e 's/^[[:space:]]*replace[[:space:]]*//' -e 's/[[:space:]]*$//')"
    case "$line" in *"=>"*) ;; *) continue ;; esac
    left="$(printf '%s' "${line%%=>*}" | xargs)"
    right="$(printf '%s' "${line#*=>}" | xargs)"
    # shellcheck disable=SC2086
    set -- $right
    if [ "$#" -lt 2 ]; then
      log "  dropping local replace from $(basename "$file"): $left => $right"
      continue
    fi
    new="$1@$2"
    # shellcheck disable=SC2086
    set -- $left
    old="$1${2:+@$2}"
    log "  replace $old => $new (from $file)"
    go mod edit -replace="$old=$new"
  done < <(grep '=>' "$file" || true)
}

# tidy_or_die: go mod tidy, retried with -e, with go's own error on failure.
tidy_or_die() {
  if ! go mod tidy; then
    log "go mod tidy failed; retrying with -e"
    go mod tidy -e || die "go mod tidy failed in $(pwd) (see go's error above)"
  fi
}

log "downloading $PKG_MOD@v$PULUMI_VERSION and $SDK_MOD@v$PULUMI_VERSION"
pkg_json="$(download "$PKG_MOD@v$PULUMI_VERSION")"
sdk_json="$(download "$SDK_MOD@v$PULUMI_VERSION")"
pkg_gomod="$(gomod_field "$pkg_json" GoMod)"
sdk_gomod="$(gomod_field "$sdk_json" GoMod)"
sdk_dir="$(gomod_field "$sdk_json" Dir)"
if [ ! -f "$pkg_gomod" ] || [ ! -f "$sdk_gomod" ]; then
  die "could not locate the go.mod files of the downloaded modules"
fi

# Go version the release needs.
need_go="$(go_directive "$pkg_gomod")"
sdk_go="$(go_directive "$sdk_gomod")"
if [ -n "$sdk_go" ] && { [ -z "$need_go" ] || ! version_ge "$need_go" "$sdk_go"; }; then need_go="$sdk_go"; fi
local_go="$(go env GOVERSION | sed 's/^go//')"
if [ -n "$caller_toolchain" ]; then
  build_toolchain="$caller_toolchain"
elif version_ge "${local_go%%[!0-9.]*}" "$need_go"; then
  build_toolchain=local
else
  build_toolchain=auto
  log "local go $local_go is older than the required go $need_go; letting go fetch a toolchain"
fi

# Find the release commit, to reach the untagged language host module.
release_hash=""
for m in "$PKG_MOD" "$SDK_MOD"; do
  if info="$(go list -m -json "$m@v$PULUMI_VERSION" 2>/dev/null)"; then
    release_hash="$(gomod_field "$info" Hash)"
    [ -n "$release_hash" ] && break
  fi
done

lh_version=""
if [ -n "$release_hash" ]; then
  log "release commit of v$PULUMI_VERSION: $release_hash"
  if lh_info="$(go list -m -json "$LH_MOD@$release_hash" 2>&1)"; then
    lh_version="$(gomod_field "$lh_info" Version)"
  else
    log "the module proxy does not serve $LH_MOD@$release_hash:"
    printf '%s\n' "$lh_info" | sed 's/^/    /' >&2
  fi
else
  log "could not determine the release commit of v$PULUMI_VERSION from the module proxy"
fi

# --- the CLI (and, when available, the language host of the same commit) ---
cd "$BUILD_DIR/cli"
{
  printf 'module pulumi-defender-rbac/pulumi-cli-build\n\ngo %s\n\nrequire (\n' "$need_go"
  printf '\t%s v%s\n' "$PKG_MOD" "$PULUMI_VERSION" "$SDK_MOD" "$PULUMI_VERSION"
  [ -n "$lh_version" ] && printf '\t%s %s\n' "$LH_MOD" "$lh_version"
  printf ')\n'
} >go.mod
{
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "%s"\n' "$CLI_PKG"
  [ -n "$lh_version" ] && printf '\t_ "%s"\n' "$LH_MOD"
  printf ')\n'
} >tools.go
apply_replaces "$pkg_gomod"
apply_replaces "$sdk_gomod"
if [ -n "$lh_version" ]; then
  lh_json="$(download "$LH_MOD@$lh_version")"
  apply_replaces "$(gomod_field "$lh_json" GoMod)"
fi

export GOTOOLCHAIN="$build_toolchain"
log "resolving dependencies (go mod tidy, GOTOOLCHAIN=$GOTOOLCHAIN)"
tidy_or_die
log "building pulumi v$PULUMI_VERSION (this takes several minutes on a cold cache)"
go build -o "$BIN_DIR/pulumi" -ldflags "-X $VERSION_VAR=v$PULUMI_VERSION" "$CLI_PKG" ||
  die "go build $CLI_PKG failed (see go's error above)"

if [ -n "$lh_version" ]; then
  log "building pulumi-language-nodejs from $LH_MOD@$lh_version"
  go build -o "$BIN_DIR/pulumi-language-nodejs" -ldflags "-X $VERSION_VAR=v$PULUMI_VERSION" "$LH_MOD" ||
    die "go build $LH_MOD failed (see go's error above)"
  lh_desc="$LH_MOD@$lh_version"
else
  # --- fallback: the language host as last shipped inside sdk/v3 ---
  log "falling back to the Node.js language host from $SDK_MOD@v$LEGACY_NODEJS_HOST_SDK_VERSION"
  mkdir -p "$BUILD_DIR/langhost"
  cd "$BUILD_DIR/langhost"
  export GOTOOLCHAIN=local
  legacy_json="$(download "$SDK_MOD@v$LEGACY_NODEJS_HOST_SDK_VERSION")"
  legacy_gomod="$(gomod_field "$legacy_json" GoMod)"
  legacy_go="$(go_directive "$legacy_gomod")"
  if [ -n "$caller_toolchain" ]; then
    GOTOOLCHAIN="$caller_toolchain"
  elif ! version_ge "${local_go%%[!0-9.]*}" "${legacy_go:-1.0}"; then
    GOTOOLCHAIN=auto
  fi
  printf 'module pulumi-defender-rbac/pulumi-langhost-build\n\ngo %s\n\nrequire %s v%s\n' \
    "${legacy_go:-1.18}" "$SDK_MOD" "$LEGACY_NODEJS_HOST_SDK_VERSION" >go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$LEGACY_LH_PKG" >tools.go
  apply_replaces "$legacy_gomod"
  tidy_or_die
  go build -o "$BIN_DIR/pulumi-language-nodejs" \
    -ldflags "-X $VERSION_VAR=v$LEGACY_NODEJS_HOST_SDK_VERSION" "$LEGACY_LH_PKG" ||
    die "go build $LEGACY_LH_PKG failed (see go's error above)"
  lh_desc="$LEGACY_LH_PKG@v$LEGACY_NODEJS_HOST_SDK_VERSION (fallback: $LH_MOD not served for v$PULUMI_VERSION)"
fi

install_node_plugins "$BIN_DIR" "$sdk_dir"

# ---------------------------------------------------------------------------
# 5. Verify, then mark the cache complete
# ---------------------------------------------------------------------------
verify_bin_dir "$BIN_DIR" "$PULUMI_VERSION" || die "the freshly built binaries in $BIN_DIR do not work"

build_secs=$(($(date +%s) - build_start))
log "pulumi CLI build: $build_secs s"
printf '%s pulumi=%s seconds=%s go=%s host=%s cores=%s language_host=%s\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PULUMI_VERSION" "$build_secs" "$(go env GOVERSION)" \
  "$(uname -m)" "$(nproc 2>/dev/null || echo '?')" "${lh_version:-legacy-sdk-v$LEGACY_NODEJS_HOST_SDK_VERSION}" \
  >>"$VER_DIR/build-time.txt"
write_marker "$BIN_DIR" go-build "$lh_desc"
emit "$BIN_DIR"
