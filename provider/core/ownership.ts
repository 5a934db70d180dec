/**
 * Ownership (pure): which Pulumi resource manages a tenant object. Every role and assignment the
 * provider creates or takes over carries a marker naming the resource that manages it: the resource's
 * URN (`urn:pulumi:<stack>::<project>::<type>::<name>`), which names the stack and project too.
 *
 *  - The local store keeps it as data (a `managed_by` column).
 *  - On Graph it is a suffix of the object's description, `[managed by Pulumi: <urn>]`: the description
 *    is a field the service stores and the portal shows on roles (documented), so an admin looking at
 *    the role in the portal sees which stack manages it. The Graph backend adds the suffix on write and
 *    splits it off on read, so `description` everywhere else is the user's text only.
 *
 * The rules built on it (docs/ownership.md): an object another resource manages is never taken over
 * unless the program says `takeOver: true`; an object nobody manages (made in the portal, or by a
 * version of this provider before markers) is taken over with a warning at preview; an object this very
 * resource manages (e.g. left by an interrupted create) is found and reused instead of duplicated.
 */

/** What the marker holds: the URN of the managing resource. */
export type ManagedBy = string;

const PREFIX = "[managed by Pulumi: ";
const SUFFIX = "]";
/** The marker at the end of a description, with the space that separates it from the user's text. */
const MARKER = /(?:^|\s)\[managed by Pulumi: (urn:pulumi:[^\]\s][^\]]*)\]\s*$/;

/** The description as Graph stores it: the user's text followed by the marker. */
export function withMarker(description: string, managedBy: ManagedBy | null | undefined): string {
  const text = splitMarker(description).description;
  if (!managedBy) return text;
  return `${text}${text ? " " : ""}${PREFIX}${managedBy}${SUFFIX}`;
}

/** Splits a stored description into the user's text and the marker (null when there is none). */
export function splitMarker(stored: string | null | undefined): { description: string; managedBy: ManagedBy | null } {
  const s = stored ?? "";
  const m = MARKER.exec(s);
  if (!m) return { description: s, managedBy: null };
  return { description: s.slice(0, m.index).replace(/\s+$/, ""), managedBy: m[1] };
}

/** How many characters the marker adds to a description. */
export function markerLength(managedBy: ManagedBy): number {
  return PREFIX.length + managedBy.length + SUFFIX.length + 1;
}

export interface UrnParts {
  stack: string;
  project: string;
  type: string;
  name: string;
}

/** The parts of a Pulumi URN, or null for anything else. */
export function parseUrn(urn: string | null | undefined): UrnParts | null {
  if (!urn || !urn.startsWith("urn:pulumi:")) return null;
  const parts = urn.slice("urn:pulumi:".length).split("::");
  if (parts.length < 4) return null;
  const [stack, project, type, ...rest] = parts;
  return { stack, project, type, name: rest.join("::") };
}

/** `project/stack` of a URN: the identity of a stack on one backend. */
export function stackOf(urn: string | null | undefined): string | null {
  const p = parseUrn(urn);
  return p ? `${p.project}/${p.stack}` : null;
}

/** A readable owner for messages: `resource "x" (Kind) of stack "project/stack"`. */
export function describeOwner(urn: ManagedBy): string {
  const p = parseUrn(urn);
  if (!p) return `"${urn}"`;
  const kind = p.type.split("$").pop()!.split(":").pop();
  return `resource "${p.name}" (${kind}) of stack "${p.project}/${p.stack}"`;
}

export type Ownership =
  /** No marker: made in the portal, by another tool, or before markers existed. */
  | { kind: "unmanaged" }
  /** This very resource's marker. */
  | { kind: "ours" }
  /** Another resource manages it (another stack, or another resource of this stack). */
  | { kind: "foreign"; owner: ManagedBy; sameStack: boolean };

/** Who, relative to resource `me`, manages an object carrying `managedBy`. */
export function ownership(managedBy: ManagedBy | null | undefined, me: ManagedBy | null | undefined): Ownership {
  if (!managedBy) return { kind: "unmanaged" };
  if (me && managedBy === me) return { kind: "ours" };
  return { kind: "foreign", owner: managedBy, sameStack: !!me && stackOf(me) === stackOf(managedBy) };
}
