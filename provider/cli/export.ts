/**
 * `defender-rbac export`: every role and assignment of a tenant, as JSON or as a Pulumi TypeScript
 * program that adopts them (dynamic resources cannot be `pulumi import`ed, so each resource carries
 * `adopt: "<id>"` and the first `pulumi up` takes the objects over without changing them).
 *
 * Read-only by construction: the graph backend only GETs here (RoleManagement.Read.Defender is
 * enough), and a local store is opened only if it already exists and is then only read.
 *
 *   defender-rbac export --backend graph --format ts > index.ts
 *   defender-rbac export --backend local --store .defender-rbac/tenant.db --format json
 * The graph backend reads the same settings as the provider (DEFENDER_RBAC_GRAPH_URL,
 * DEFENDER_RBAC_GRAPH_TOKEN, ARM_* / AZURE_* variables), and the options below. Secrets are never
 * taken on the command line: use the environment (ARM_CLIENT_SECRET) or another credential.
 */
import { Option } from "commander";
import type { Backend } from "../backend/backend";
import { CATALOGUE_VERSION, atomForKey, isUnpublishedKey } from "../core/catalogue";
import { normalizeKeys } from "../core/normalise";
import {
  DataSourceScope,
  appScopeIdsToScope,
  canonicalAppScopes,
  sameAppScopes,
  scopeToAppScopeIds,
} from "../core/scope";
import { labelsFor } from "../core/labels";
import { emit, type Io, type Register } from "./io";
import { TenantOptions, openTenant, withTenantOptions } from "./tenant";

export interface ExportedRole {
  id: string;
  displayName: string;
  description: string;
  isBuiltIn: boolean;
  actions: string[];
  permissions: string[];
}

export interface ExportedAssignment {
  id: string;
  displayName: string;
  roleDefinitionId: string;
  principalIds: string[];
  appScopeIds: string[];
}

export interface ExportData {
  roles: ExportedRole[];
  assignments: ExportedAssignment[];
}

/** Reads every role and assignment (the backends follow every page). */
export async function readTenant(backend: Backend): Promise<ExportData> {
  const [roles, assignments] = await Promise.all([backend.listRoles(), backend.listAssignments()]);
  return {
    roles: roles
      .map((r) => {
        const actions = normalizeKeys(r.actions);
        return {
          id: r.id,
          displayName: r.displayName,
          description: r.description,
          isBuiltIn: r.isBuiltIn,
          actions,
          permissions: labelsFor(actions),
        };
      })
      .sort(
        (a, b) =>
          Number(b.isBuiltIn) - Number(a.isBuiltIn) ||
          a.displayName.localeCompare(b.displayName) ||
          a.id.localeCompare(b.id),
      ),
    assignments: assignments
      .map((a) => ({
        id: a.id,
        displayName: a.displayName,
        roleDefinitionId: a.roleDefinitionId,
        principalIds: [...a.principalIds],
        appScopeIds: canonicalAppScopes(a.appScopeIds),
      }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id)),
  };
}

export function toJson(data: ExportData): string {
  return JSON.stringify(data, null, 2);
}

// ---- TypeScript program ------------------------------------------------------------------------------

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private " +
    "protected public static yield any boolean constructor declare get module require number set string symbol type from of await async " +
    "UnifiedRole RoleAssignment undefined NaN Infinity arguments eval"
  ).split(" "),
);

/** A string literal that is valid TypeScript whatever the input (JSON escapes, plus the two JS line separators). */
const lit = (s: string) =>
  JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

/** Text safe inside a `//` comment. */
const comment = (s: string) =>
  s
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();

function words(s: string): string[] {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** Hands out unique names: `base`, then `base<sep>2`, `base<sep>3`, … */
class Names {
  private readonly used = new Set<string>();
  constructor(private readonly sep: string) {}
  unique(base: string): string {
    let n = base;
    for (let i = 2; this.used.has(n.toLowerCase()); i++) n = `${base}${this.sep}${i}`;
    this.used.add(n.toLowerCase());
    return n;
  }
}

function identifier(displayName: string, fallback: string): string {
  const w = words(displayName);
  // camelCase; a leading acronym is lower-cased whole ("SOC analyst" → socAnalyst)
  let id = w
    .map((x, i) =>
      i === 0
        ? x === x.toUpperCase()
          ? x.toLowerCase()
          : x.charAt(0).toLowerCase() + x.slice(1)
        : x.charAt(0).toUpperCase() + x.slice(1),
    )
    .join("");
  if (!id) id = fallback;
  if (/^[0-9]/.test(id)) id = `${fallback}${id.charAt(0).toUpperCase()}${id.slice(1)}`;
  if (RESERVED.has(id)) id = `${id}${fallback.charAt(0).toUpperCase()}${fallback.slice(1)}`;
  return id;
}

function slug(displayName: string, fallback: string): string {
  return words(displayName).join("-").toLowerCase() || fallback;
}

/** The spelling of a key the provider resolves back to the same key: action strings as they are, local keys as catalogue ids. */
function permissionRef(key: string): string {
  if (isUnpublishedKey(key)) return atomForKey(key)?.id ?? key;
  return key;
}

function scopeLiteral(scope: DataSourceScope): string {
  const list = (xs: string[]) => `[${xs.map(lit).join(", ")}]`;
  switch (scope.kind) {
    case "all":
      return `{ kind: "all" }`;
    case "workloads":
      return `{ kind: "workloads", workloads: ${list(scope.workloads)} }`;
    default:
      return `{ kind: "scopes", scopes: ${list(scope.scopes)}${scope.workloads ? `, workloads: ${list(scope.workloads)}` : ""} }`;
  }
}

export function toTypeScript(data: ExportData, backendName: string): string {
  const custom = data.roles.filter((r) => !r.isBuiltIn);
  const builtIn = data.roles.filter((r) => r.isBuiltIn);
  const roleById = new Map(data.roles.map((r) => [r.id.toLowerCase(), r]));
  const referenced = new Set(data.assignments.map((a) => a.roleDefinitionId.toLowerCase()));
  const idents = new Names("");
  const resourceNames = new Names("-");
  const varOf = new Map<string, string>();
  const out: string[] = [];

  out.push(
    "/**",
    ` * Defender XDR Unified RBAC, exported by \`defender-rbac export\` from the ${comment(backendName)} backend (catalogue ${CATALOGUE_VERSION}).`,
    ` * ${custom.length} custom role(s) and ${data.assignments.length} assignment(s); built-in roles are not managed and are referenced by id.`,
    " *",
    " * Every resource carries `adopt` with its id in the tenant, so the first `pulumi up` takes the existing",
    " * objects over without changing them. Permissions are spelled as the tenant stores them (action strings),",
    " * with their readable names in comments.",
    " */",
  );
  const used = [custom.length ? "UnifiedRole" : "", data.assignments.length ? "RoleAssignment" : ""].filter(Boolean);
  out.push(
    used.length
      ? `import { ${used.join(", ")} } from "pulumi-defender-rbac";`
      : "// The tenant holds no custom roles or assignments yet.",
    "",
  );
  if (builtIn.length) {
    out.push("// Built-in roles (not managed here; assignments refer to them by id):");
    for (const r of builtIn) out.push(`//   ${comment(r.displayName)}: ${comment(r.id)}`);
    out.push("");
  }

  for (const r of custom) {
    const name = resourceNames.unique(slug(r.displayName, "role"));
    const isRef = referenced.has(r.id.toLowerCase());
    const head = isRef
      ? `const ${varOf.set(r.id.toLowerCase(), idents.unique(identifier(r.displayName, "role"))).get(r.id.toLowerCase())} = new UnifiedRole(`
      : "new UnifiedRole(";
    if (r.actions.length === 0)
      out.push(
        "// NOTE: this role holds no permissions in the tenant; UnifiedRole needs at least one, so add one before `pulumi up`.",
      );
    out.push(`${head}${lit(name)}, {`);
    out.push(`    displayName: ${lit(r.displayName)},`);
    out.push(`    description: ${lit(r.description)},`);
    out.push("    permissions: [");
    const labels = new Map(r.actions.map((k) => [k, labelsFor([k])[0]]));
    for (const k of r.actions) {
      const ref = permissionRef(k);
      const label = labels.get(k) ?? "";
      out.push(`        ${lit(ref)},${label && label !== ref ? ` // ${comment(label)}` : ""}`);
    }
    out.push("    ],");
    out.push(`    adopt: ${lit(r.id)},`);
    out.push("});", "");
  }

  for (const a of data.assignments) {
    const name = resourceNames.unique(slug(a.displayName, "assignment"));
    const v = varOf.get(a.roleDefinitionId.toLowerCase());
    const role = roleById.get(a.roleDefinitionId.toLowerCase());
    const roleRef = v ? `${v}.id` : lit(a.roleDefinitionId);
    const roleNote = v
      ? ""
      : role
        ? ` // ${comment(role.displayName)} (built-in)`
        : " // NOTE: no role with this id was found in the tenant";
    const scope = appScopeIdsToScope(a.appScopeIds);
    const back = scopeToAppScopeIds(scope);
    if (!back.ok || !sameAppScopes(back.value, a.appScopeIds)) {
      out.push(
        `// NOTE: the tenant's appScopeIds ${comment(JSON.stringify(a.appScopeIds))} have no exact scope form; check this scope before \`pulumi up\`.`,
      );
    }
    out.push(`new RoleAssignment(${lit(name)}, {`);
    out.push(`    roleId: ${roleRef},${roleNote}`);
    out.push(`    displayName: ${lit(a.displayName)},`);
    out.push(`    principals: [${a.principalIds.map((p) => lit(p.toLowerCase())).join(", ")}],`);
    out.push(`    scope: ${scopeLiteral(scope)},`);
    out.push(`    adopt: ${lit(a.id)},`);
    out.push("});", "");
  }
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}

// ---- the command -------------------------------------------------------------------------------------

export interface ExportOptions extends TenantOptions {
  format: string;
  output?: string;
}

export async function exportCommand(opts: ExportOptions, io: Io): Promise<number> {
  if (!["ts", "json"].includes(opts.format)) {
    io.err(`defender-rbac export: --format must be "ts" or "json" (got "${opts.format}")`);
    return 2;
  }
  let backend: Backend | undefined;
  try {
    backend = await openTenant(opts);
    const data = await readTenant(backend);
    const text = opts.format === "json" ? toJson(data) : toTypeScript(data, backend.name);
    emit(
      io,
      text,
      opts.output,
      `defender-rbac export: wrote ${data.roles.length} role(s) and ${data.assignments.length} assignment(s) to ${opts.output}`,
    );
    return 0;
  } catch (e) {
    io.err(`defender-rbac export: ${(e as Error).message}`);
    return 1;
  } finally {
    await backend?.close?.().catch(() => undefined);
  }
}

export const register: Register = (program, io, setExit) => {
  withTenantOptions(program.command("export"), "local")
    .description(
      "Print every role and assignment of a tenant as JSON, or as a Pulumi TypeScript program that adopts them. Read-only.",
    )
    .addOption(new Option("--format <format>", "ts (a Pulumi program) or json").choices(["ts", "json"]).default("ts"))
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action(async (opts: ExportOptions) => setExit(await exportCommand(opts, io)));
};
