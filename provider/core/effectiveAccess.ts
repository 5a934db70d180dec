/**
 * The effective-access engine (pure): who can do what, in which workload, and why.
 *
 * From the tenant's Unified RBAC roles and assignments, the directory (users, groups, transitive group
 * membership, Entra role holders), the activation state of each workload and the legacy roles of the
 * workloads not yet active, `effectiveAccess` computes every (principal, workload, permission) grant with
 * its provenance: the assignment and role, the Entra role or the legacy role that gives it, and the groups
 * it comes through. The model, and the source of each rule (see docs/effective-access.md):
 *
 *  - A Unified RBAC assignment takes effect in a workload only while that workload is active
 *    ("until a workload is activated, Defender keeps honouring its old RBAC model", documented). It
 *    reaches the workloads of its appScopeIds: "/" every workload, "Mde" etc. that workload; a specific
 *    `/CloudSet/<id>` scope part of Defender for Cloud (community); any other specific scope is not
 *    attributed to a workload and is reported in `notes`, never silently dropped.
 *  - A legacy role (MDE permissions role, MDO/EOP role group or role, MDI role group) takes effect only
 *    while its own workload is not active; its permissions are those of Microsoft's mapping tables.
 *  - An Entra role gives the default Unified RBAC permissions of the mapping page's Entra table in every
 *    workload ("for all workloads" column), plus that workload's "workload specific" cells, whether the
 *    workload is active or not ("Entra global roles keep working either way", documented), except that
 *    Security reader and Global reader see Defender for Endpoint data only once it is active (the page's
 *    note: "by activating … users with Security reader and Global reader roles will have access to
 *    Defender for Endpoint data").
 *  - A group's grants reach its members, transitively (nested groups, cycles tolerated).
 *  - A permission is a catalogue atom (e.g. `configuration.-.authorization:manage`); a key covers the
 *    atoms the service's coverage rule says it covers (normalise.ts: wildcards, manage covers read). A
 *    key that covers no catalogue atom (a live-catalogue action) is its own permission.
 *
 * Used by `defender-rbac access`, `review` and `activation-plan`, and usable for invariants such as
 * "after the change someone holds Authorization (manage) in each active workload" (`holders`).
 */
import { ATOMS, atomKey, getAtom, isPrivilegedAction } from "./catalogue";
import { atomLabel } from "./labels";
import type { LegacyEntry } from "./legacy";
import { findLegacyEntry, mapLegacyRoles } from "./mapping";
import { keyCovers } from "./normalise";
import { canonicalAppScopes } from "./scope";
import { workloadByAppScope, workloadOfLegacy } from "./workloads";
import {
  ACCESS_WORKLOADS,
  AccessGrant,
  AccessInput,
  AccessPrincipal,
  AccessReport,
  AccessWorkload,
  GrantSource,
  comparePlace,
  sourceText,
} from "./access";
import { EMPTY_DIRECTORY } from "./directory";

/** Entra roles that gain Defender for Endpoint data only once Mde is active (the mapping page's note). */
const MDE_ON_ACTIVATION = new Set(["Security reader", "Global reader"]);

interface Perm {
  permission: string;
  label: string;
  privileged: boolean;
  /** The key that covers it. */
  key: string;
}

/** The permissions a key set grants: catalogue atoms covered by some key, plus keys covering no atom. */
export function permissionsOfKeys(keys: readonly string[]): Perm[] {
  const out: Perm[] = [];
  const used = new Set<string>();
  for (const atom of ATOMS) {
    const k = atomKey(atom);
    const by = keys.find((x) => keyCovers(x, k));
    if (by === undefined) continue;
    used.add(by.toLowerCase());
    out.push({ permission: atom.id, label: atomLabel(atom), privileged: isPrivilegedAction(k), key: by });
  }
  for (const key of keys) {
    const k = key.toLowerCase();
    if (used.has(k) || out.some((p) => p.permission === k)) continue;
    if (ATOMS.some((a) => keyCovers(k, atomKey(a)))) continue;
    out.push({ permission: k, label: k, privileged: isPrivilegedAction(k), key: k });
  }
  return out;
}

const atomsToKeys = (ids: readonly string[]) => ids.map((id) => atomKey(getAtom(id)!));

/** Groups containing `id`, transitively, each with the chain of groups from `id` outwards. */
function ancestors(id: string, memberOf: Map<string, string[]>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const queue: [string, string[]][] = [[id, []]];
  while (queue.length) {
    const [cur, chain] = queue.shift()!;
    for (const g of memberOf.get(cur) ?? []) {
      if (g === id || out.has(g)) continue;
      const next = [...chain, g];
      out.set(g, next);
      queue.push([g, next]);
    }
  }
  return out;
}

type DirectGrant = { workload: AccessWorkload; perm: Perm; partial: boolean; source: GrantSource };

const lc = (s: string) => s.toLowerCase();

/** Computes every grant of every principal (see the module comment for the rules). */
export function effectiveAccess(input: AccessInput): AccessReport {
  const directory = input.directory ?? EMPTY_DIRECTORY;
  const active = new Map<AccessWorkload, boolean>(ACCESS_WORKLOADS.map((w) => [w, false]));
  for (const s of input.activation)
    if (active.has(s.workload as AccessWorkload)) active.set(s.workload as AccessWorkload, s.active);
  const notes: string[] = [];

  // Direct grants, by holder id.
  const direct = new Map<string, DirectGrant[]>();
  const give = (holder: string, g: DirectGrant) => {
    const h = lc(holder);
    const list = direct.get(h) ?? [];
    list.push(g);
    direct.set(h, list);
  };

  // 1. Unified RBAC assignments, in active workloads.
  const roles = new Map(input.roles.map((r) => [lc(r.id), r]));
  const rolePerms = new Map<string, Perm[]>();
  for (const a of input.assignments) {
    const role = roles.get(lc(a.roleDefinitionId));
    if (!role) {
      notes.push(`assignment "${a.displayName}" (${a.id}) names role ${a.roleDefinitionId}, which does not exist`);
      continue;
    }
    let perms = rolePerms.get(role.id);
    if (!perms) rolePerms.set(role.id, (perms = permissionsOfKeys(role.actions)));
    const reach: { workload: AccessWorkload; scope: string; partial: boolean }[] = [];
    for (const scope of canonicalAppScopes(a.appScopeIds)) {
      if (scope === "/") for (const w of ACCESS_WORKLOADS) reach.push({ workload: w, scope, partial: false });
      else if ((ACCESS_WORKLOADS as readonly string[]).includes(scope))
        reach.push({ workload: scope as AccessWorkload, scope, partial: false });
      else if (/^\/cloudset\//i.test(scope)) reach.push({ workload: "Mdc", scope, partial: true });
      else notes.push(`assignment "${a.displayName}" (${a.id}): scope ${scope} is not attributed to a workload`);
    }
    const dormant = [...new Set(reach.filter((r) => !active.get(r.workload)).map((r) => r.workload))];
    if (dormant.length && dormant.length === new Set(reach.map((r) => r.workload)).size)
      notes.push(
        `assignment "${a.displayName}" (${a.id}) is not in effect: Unified RBAC is not active in ${dormant.join(", ")}`,
      );
    for (const r of reach) {
      if (!active.get(r.workload)) continue;
      for (const perm of perms)
        for (const p of a.principalIds)
          give(p, {
            workload: r.workload,
            perm,
            partial: r.partial,
            source: {
              kind: "assignment",
              assignmentId: a.id,
              assignment: a.displayName,
              roleId: role.id,
              role: role.displayName,
              key: perm.key,
              scope: r.scope,
              via: [],
            },
          });
    }
  }

  // 2. Entra roles: the Entra table's defaults, in every workload.
  const entraPerms = new Map<string, Perm[]>();
  for (const h of directory.entraRoles) {
    const entry = findLegacyEntry("entra", h.role);
    if (!entry) {
      notes.push(`Entra role "${h.role}" of ${h.principalId} has no default Unified RBAC permissions`);
      continue;
    }
    for (const w of ACCESS_WORKLOADS) {
      if (w === "Mde" && !active.get("Mde") && MDE_ON_ACTIVATION.has(entry.name)) continue;
      const tw = workloadByAppScope(w)?.legacy ?? undefined; // the Entra table's workload-specific column
      const ids = [...entry.grants, ...((tw && entry.workloadGrants?.[tw]) || [])];
      const cacheKey = `${entry.name}|${tw ?? "-"}`;
      let perms = entraPerms.get(cacheKey);
      if (!perms) entraPerms.set(cacheKey, (perms = permissionsOfKeys(atomsToKeys(ids))));
      for (const perm of perms)
        give(h.principalId, {
          workload: w,
          perm,
          partial: false,
          source: { kind: "entraRole", role: entry.name, via: [] },
        });
    }
  }

  // 3. Legacy roles, in workloads not yet active.
  for (const l of input.legacyRoles ?? []) {
    const w = workloadOfLegacy(l.source).appScope as AccessWorkload;
    if (active.get(w)) continue;
    const entries: { legacy: string; entry: LegacyEntry | undefined }[] =
      l.source === "mde"
        ? l.permissions.map((p) => ({ legacy: p, entry: findLegacyEntry("mde", p) }))
        : [{ legacy: l.name, entry: findLegacyEntry(l.source, l.name) ?? findLegacyEntry(l.source, l.id) }];
    for (const { legacy, entry } of entries) {
      if (!entry) {
        notes.push(`${l.source} legacy role "${l.name}": "${legacy}" is not in the mapping tables`);
        continue;
      }
      const m = mapLegacyRoles(l.source, [entry.name]);
      if (!m.ok) continue;
      for (const perm of permissionsOfKeys(m.value.keys))
        for (const p of l.members)
          give(p, {
            workload: w,
            perm,
            partial: false,
            source: { kind: "legacyRole", source: l.source, roleId: l.id, role: l.name, legacy: entry.name, via: [] },
          });
    }
  }

  // Principals: the directory's, and every id named anywhere.
  const objects = new Map(directory.objects.map((o) => [lc(o.id), o]));
  const memberOf = new Map<string, string[]>();
  for (const m of directory.members) {
    const list = memberOf.get(lc(m.memberId)) ?? [];
    if (!list.includes(lc(m.groupId))) list.push(lc(m.groupId));
    memberOf.set(lc(m.memberId), list);
  }
  for (const list of memberOf.values()) list.sort();
  const ids = new Set<string>([...objects.keys(), ...direct.keys()]);
  for (const m of directory.members) {
    ids.add(lc(m.groupId));
    ids.add(lc(m.memberId));
  }
  const groups = new Set(directory.members.map((m) => lc(m.groupId)));
  const principals: AccessPrincipal[] = [...ids].map((id) => {
    const o = objects.get(id);
    if (!o) return { id, kind: groups.has(id) ? "group" : "unknown", displayName: id };
    return {
      id,
      kind: o.kind,
      displayName: o.displayName,
      ...(o.userPrincipalName ? { userPrincipalName: o.userPrincipalName } : {}),
    };
  });
  principals.sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));

  // Each principal's grants: its own and its groups'.
  const grants: AccessGrant[] = [];
  for (const p of principals) {
    const merged = new Map<string, AccessGrant>();
    const holders: [string, string[]][] = [[p.id, []], ...ancestors(p.id, memberOf)];
    for (const [holder, via] of holders) {
      for (const g of direct.get(holder) ?? []) {
        const k = `${g.workload}|${g.perm.permission}`;
        let grant = merged.get(k);
        if (!grant) {
          grant = {
            principalId: p.id,
            workload: g.workload,
            permission: g.perm.permission,
            label: g.perm.label,
            privileged: g.perm.privileged,
            partial: true,
            sources: [],
          };
          merged.set(k, grant);
        }
        grant.partial &&= g.partial;
        const source = { ...g.source, via };
        const sk = JSON.stringify(source);
        if (!grant.sources.some((s) => JSON.stringify(s) === sk)) grant.sources.push(source);
      }
    }
    const list = [...merged.values()].sort(comparePlace);
    for (const g of list)
      g.sources.sort(
        (a, b) => sourceText(a).localeCompare(sourceText(b)) || JSON.stringify(a).localeCompare(JSON.stringify(b)),
      );
    grants.push(...list);
  }

  return {
    workloads: ACCESS_WORKLOADS.map((w) => ({ workload: w, active: active.get(w)! })),
    principals,
    grants,
    notes: [...new Set(notes)].sort(),
  };
}
