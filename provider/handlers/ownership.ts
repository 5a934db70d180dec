/**
 * What every resource does with the ownership marker (core/ownership.ts, docs/ownership.md): decide at
 * preview whether taking over an existing object is allowed, say so when it is, and find the object a
 * previous interrupted create of the same resource made.
 */
import { describeOwner, ownership } from "../core/ownership";
import type { CheckFailure, Raw as Props } from "./common";
import { Refusal } from "../core/errors";

export interface OwnedObject {
  id: string;
  displayName: string;
  managedBy?: string | null;
}

export interface Adoption {
  /** Set when the take-over is refused. */
  failure?: CheckFailure;
  /** The `adopts` output: what is taken over and from whom, "" for nothing (or for this resource's own object). */
  adopts: string;
}

/**
 * Whether resource `me` may take over `object` (a "role" or "role assignment"), found through `property`
 * (`adopt`, or the input that drove an implicit match). Refused when another resource manages it and
 * `takeOver` is not set; allowed with a notice when nobody manages it or `takeOver` is set.
 */
export function adoption(
  kind: string,
  object: OwnedObject,
  me: string | undefined,
  takeOver: boolean,
  property: string,
): Adoption {
  const what = `${kind} "${object.displayName}" (${object.id})`;
  const o = ownership(object.managedBy, me);
  if (o.kind === "ours") return { adopts: "" };
  if (o.kind === "unmanaged") return { adopts: `takes over existing ${what}, which no stack manages` };
  if (!takeOver)
    return {
      adopts: "",
      failure: {
        property,
        reason:
          `${what} is managed by ${describeOwner(o.owner)}; this stack must not take it over silently. ` +
          `Remove it from that stack first, or set takeOver: true to take it over (that stack then no longer manages it).`,
      },
    };
  return { adopts: `takes over existing ${what} from ${describeOwner(o.owner)} (takeOver: true)` };
}

/** Prints a preview-time warning line (the engine shows a provider's stderr with the stack's diagnostics). */
export function warn(text: string): void {
  process.stderr.write(`warning: ${text}\n`);
}

/** The marker and takeOver of a resource's inputs. */
export function ownerOf(inputsIn: object): { me: string | undefined; takeOver: boolean } {
  const inputs = inputsIn as Props;
  return {
    me: typeof inputs.managedBy === "string" && inputs.managedBy ? inputs.managedBy : undefined,
    takeOver: inputs.takeOver === true,
  };
}

/**
 * The object an earlier attempt of this create made: the one carrying this resource's marker among
 * `candidates` and, for a replacement (same URN), matching what makes it a different object.
 */
export function ownObject<T extends OwnedObject>(
  candidates: T[],
  me: string | undefined,
  same: (r: T) => boolean = () => true,
): T | undefined {
  if (!me) return undefined;
  return candidates.filter((r) => r.managedBy === me && same(r)).sort((a, b) => a.id.localeCompare(b.id))[0];
}

/**
 * At preview of an update: the refusal to take an object back from the stack that took it over since
 * (the last refresh read its marker into `olds.managedBy`). Another resource of the same stack (e.g.
 * this one before a rename with aliases) is not refused: the marker is simply rewritten.
 */
export function takeBackFailure(kind: string, name: string, oldsIn: object, news: object): CheckFailure | undefined {
  const olds = oldsIn as Props;
  const { me, takeOver } = ownerOf(news);
  const o = ownership(typeof olds.managedBy === "string" ? olds.managedBy : null, me);
  if (o.kind !== "foreign" || o.sameStack || takeOver) return undefined;
  return {
    property: "managedBy",
    reason:
      `${kind} "${name}" is now managed by ${describeOwner(o.owner)} (seen by the last refresh); this stack must not take it back silently. ` +
      "Remove the resource from this stack (`pulumi state delete <urn>`), or set takeOver: true to take it back.",
  };
}

/** True for check's `olds` of a resource that does not exist yet. */
export function creating(olds: object): boolean {
  return Object.keys(olds).filter((k) => k !== "__provider").length === 0;
}

/**
 * The refusal to delete role `role` while assignments other than `own` (those this resource manages
 * itself) still use it: deleting the role would take them with it (docs/ownership.md).
 */
export function cascadeRefusal(
  role: { id: string; displayName: string },
  left: { id: string; displayName: string; managedBy?: string | null }[],
): Error {
  const list = left
    .map(
      (a) =>
        `"${a.displayName}" (${a.id}, ${a.managedBy ? `managed by ${describeOwner(a.managedBy)}` : "managed by no stack"})`,
    )
    .join(", ");
  return new Refusal(
    `role "${role.displayName}" (${role.id}) still has role assignments this stack does not manage: ${list}. ` +
      "Deleting the role would delete them with it, so nothing was deleted. Delete those assignments first (in the stack that manages them, or in the portal), " +
      "or keep the role in the tenant: set the resource option `retainOnDelete: true` on this resource, run `pulumi up`, then remove it.",
  );
}

/** At refresh: says so when the object is now managed by another stack (the state keeps it; see takeBackFailure). */
export function noteOwner(kind: string, record: OwnedObject, props: object): void {
  const o = ownership(record.managedBy, ownerOf(props).me);
  if (o.kind === "foreign" && !o.sameStack)
    warn(`${kind} "${record.displayName}" (${record.id}) is now managed by ${describeOwner(o.owner)}.`);
}
