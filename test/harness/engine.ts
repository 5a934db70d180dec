/**
 * A mini deployment engine over the dynamic-provider gRPC server: it keeps state (id, inputs and
 * outputs per URN, with `__provider` in both, as Pulumi does) and runs each registration as the
 * engine does: Check → (new) Create, or Diff → Update / Replace / same; refresh is Read per resource
 * (an empty id drops it); destroy deletes in reverse creation order. It does not model parallelism,
 * protect, ignoreChanges or import (docs/pulumi.md).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../../provider/engine";
import { PROVIDERS } from "../../provider/resources/shell";
import { CheckFailure, DiffResponse, Props, ProviderServer, ResourceRef } from "./server";

export type Kind = ResourceKind;

export interface ResourceState extends ResourceRef {
  kind: Kind;
  id: string;
  inputs: Props;
  outputs: Props;
}

export type StepOp = "create" | "update" | "same" | "replace";

export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`check failed for ${urn}:\n${failures.map((f) => `  ${f.property}: ${f.reason}`).join("\n")}`);
  }
}

/**
 * Serializes a provider object exactly as `dynamic.Resource` does (sdk/nodejs/dynamic/index.ts,
 * `serializeFunction(() => provider, { allowSecrets: true })`). The captured variable must be named
 * `provider`: the closure text names it. (`() => PROVIDERS.UnifiedRole` in compiled TypeScript is
 * `() => shell_1.PROVIDERS.UnifiedRole` and captures every kind, so it is not the text the engine sees.)
 */
export function serializeProvider(
  provider: pulumi.dynamic.ResourceProvider,
): Promise<pulumi.runtime.SerializedFunction> {
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

const providerTexts = new Map<Kind, Promise<string>>();

/** The `__provider` text `dynamic.Resource` sends for this kind (docs/pulumi.md). */
export function providerText(kind: Kind): Promise<string> {
  let t = providerTexts.get(kind);
  if (!t) {
    t = serializeProvider(PROVIDERS[kind]).then((s) => s.text);
    providerTexts.set(kind, t);
  }
  return t;
}

/** JSON with sorted keys, for order-insensitive comparison of property bags. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as any)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

export class MiniEngine {
  readonly state = new Map<string, ResourceState>();

  constructor(
    readonly server: ProviderServer,
    readonly project = "urbac-it",
    readonly stack = "ci",
  ) {}

  ref(kind: Kind, name: string): ResourceRef {
    const type = `pulumi-nodejs:dynamic/defender-rbac:${kind}`;
    return { urn: `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`, name, type };
  }

  get(kind: Kind, name: string): ResourceState {
    const s = this.state.get(this.ref(kind, name).urn);
    if (!s) throw new Error(`${kind} ${name} is not in state`);
    return s;
  }

  has(kind: Kind, name: string): boolean {
    return this.state.has(this.ref(kind, name).urn);
  }

  private async news(kind: Kind, programInputs: Props): Promise<Props> {
    return { ...programInputs, __provider: await providerText(kind) };
  }

  /** What `pulumi preview` does for one resource: Check, and Diff against state when it exists. */
  async preview(
    kind: Kind,
    name: string,
    programInputs: Props,
  ): Promise<{ inputs: Props; failures: CheckFailure[]; diff?: DiffResponse }> {
    const ref = this.ref(kind, name);
    const old = this.state.get(ref.urn);
    const checked = await this.server.check(ref, old?.inputs ?? {}, await this.news(kind, programInputs));
    if (checked.failures.length || !old) return checked;
    return { ...checked, diff: await this.server.diff(ref, old.id, old.inputs, old.outputs, checked.inputs) };
  }

  /** What `pulumi up` does for one resource registration. */
  async register(
    kind: Kind,
    name: string,
    programInputs: Props,
  ): Promise<{ op: StepOp; state: ResourceState; diff?: DiffResponse }> {
    const ref = this.ref(kind, name);
    const old = this.state.get(ref.urn);
    const news = await this.news(kind, programInputs);
    const checked = await this.server.check(ref, old?.inputs ?? {}, news);
    if (checked.failures.length) throw new CheckFailedError(ref.urn, checked.failures);
    if (!old) {
      const created = await this.server.create(ref, checked.inputs);
      const state = { ...ref, kind, id: created.id, inputs: checked.inputs, outputs: created.outputs };
      this.state.set(ref.urn, state);
      return { op: "create", state };
    }
    const diff = await this.server.diff(ref, old.id, old.inputs, old.outputs, checked.inputs);
    const changed =
      diff.changes === "some" ||
      (diff.changes === "unknown" && canonicalJson(old.inputs) !== canonicalJson(checked.inputs));
    if (!changed) return { op: "same", state: old, diff };
    if (diff.replaces.length) {
      // a replacement checks the new inputs as a new resource, then creates before deleting unless told otherwise
      const fresh = await this.server.check(ref, {}, news);
      if (fresh.failures.length) throw new CheckFailedError(ref.urn, fresh.failures);
      if (diff.deleteBeforeReplace) await this.server.delete(ref, old.id, old.inputs, old.outputs);
      const created = await this.server.create(ref, fresh.inputs);
      if (!diff.deleteBeforeReplace) await this.server.delete(ref, old.id, old.inputs, old.outputs);
      const state = { ...ref, kind, id: created.id, inputs: fresh.inputs, outputs: created.outputs };
      this.state.set(ref.urn, state);
      return { op: "replace", state, diff };
    }
    const updated = await this.server.update(ref, old.id, old.inputs, old.outputs, checked.inputs);
    const state = { ...old, inputs: checked.inputs, outputs: updated.outputs };
    this.state.set(ref.urn, state);
    return { op: "update", state, diff };
  }

  /** `pulumi refresh`: Read every resource; returns what happened to each URN. */
  async refresh(): Promise<Map<string, "same" | "changed" | "deleted">> {
    const result = new Map<string, "same" | "changed" | "deleted">();
    for (const [urn, s] of [...this.state]) {
      const r = await this.server.read(s, s.id, s.outputs, s.inputs);
      if (!r.id) {
        this.state.delete(urn);
        result.set(urn, "deleted");
        continue;
      }
      const next = { ...s, id: r.id, outputs: r.outputs, inputs: r.inputs ?? s.inputs };
      const changed =
        canonicalJson(next.outputs) !== canonicalJson(s.outputs) ||
        canonicalJson(next.inputs) !== canonicalJson(s.inputs);
      this.state.set(urn, next);
      result.set(urn, changed ? "changed" : "same");
    }
    return result;
  }

  /** Deletes one resource and drops it from state. */
  async delete(kind: Kind, name: string): Promise<void> {
    const s = this.get(kind, name);
    await this.server.delete(s, s.id, s.inputs, s.outputs);
    this.state.delete(s.urn);
  }

  /** `pulumi destroy`: delete everything, dependents (created later) first. */
  async destroy(): Promise<void> {
    for (const s of [...this.state.values()].reverse()) {
      await this.server.delete(s, s.id, s.inputs, s.outputs);
      this.state.delete(s.urn);
    }
  }

  /** The state as a checkpoint would hold it (plain JSON), for moving it to another engine. */
  exportState(): ResourceState[] {
    return JSON.parse(JSON.stringify([...this.state.values()]));
  }

  importState(states: ResourceState[]): void {
    for (const s of states) this.state.set(s.urn, JSON.parse(JSON.stringify(s)));
  }
}
