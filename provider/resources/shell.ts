/**
 * The serialized provider: the only code Pulumi stores in each resource's state (`__provider`).
 * Every method loads the implementation from the installed package when it runs, so the stored text is
 * a few hundred bytes, names no path of this machine, captures nothing but the resource kind, and keeps
 * working after the project folder moves or the package is upgraded (read and delete of old resources
 * then run the installed implementation). One instance per kind, so the SDK's serialization cache hits.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as Engine from "../engine";

export function shellFor(kind: Engine.ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => require("pulumi-defender-rbac/engine").configure(req),
    check: (olds, news) => require("pulumi-defender-rbac/engine").check(kind, olds, news),
    diff: (id, olds, news) => require("pulumi-defender-rbac/engine").diff(kind, id, olds, news),
    create: (inputs) => require("pulumi-defender-rbac/engine").create(kind, inputs),
    read: (id, props) => require("pulumi-defender-rbac/engine").read(kind, id, props),
    update: (id, olds, news) => require("pulumi-defender-rbac/engine").update(kind, id, olds, news),
    delete: (id, props) => require("pulumi-defender-rbac/engine").remove(kind, id, props),
  };
}

export const PROVIDERS: Record<Engine.ResourceKind, pulumi.dynamic.ResourceProvider> = {
  UnifiedRole: shellFor("UnifiedRole"),
  RoleAssignment: shellFor("RoleAssignment"),
  ImportedRole: shellFor("ImportedRole"),
  WorkloadActivation: shellFor("WorkloadActivation"),
};

/** The module part of the type token: `pulumi-nodejs:dynamic/defender-rbac:<Kind>`. */
export const MODULE = "defender-rbac";

/** The type token of a kind's resources, as the engine, state files and policy packs see it. */
export function typeToken(kind: Engine.ResourceKind): string {
  return `pulumi-nodejs:dynamic/${MODULE}:${kind}`;
}

/** The kind of one of this package's resources, from its type token; undefined for any other type. */
export function kindOf(type: string | undefined): Engine.ResourceKind | undefined {
  for (const kind of ["UnifiedRole", "ImportedRole", "RoleAssignment", "WorkloadActivation"] as const)
    if (type === typeToken(kind)) return kind;
  return undefined;
}

/**
 * The ownership marker of a resource (core/ownership.ts): its URN, computed in the constructor because a
 * dynamic provider is handed only the inputs. It names the stack and project too, so the tenant object
 * says which stack manages it. Without a parent it is known at once and passed as a plain string (the
 * URN `pulumi.createUrn` computes for a child of the stack, without the Outputs and promises it makes per
 * resource); under a parent it follows the parent's URN.
 */
export function managedBy(
  kind: Engine.ResourceKind,
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Input<string> {
  if (opts?.parent) return pulumi.createUrn(name, typeToken(kind), opts.parent);
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${typeToken(kind)}::${name}`;
}

/**
 * The SDK records a stack trace for every promise it makes (`new Error().stack`, formatted through
 * source-map-support): several per declared output key of each resource, and more per `apply`. It reads
 * them only when `PULUMI_DEBUG_PROMISE_LEAKS` is set, to say where a promise left pending at exit was made.
 * This package's classes declare their computed outputs (13 keys on a role, 12 on an assignment), so for
 * a program of hundreds of resources those unread traces were most of the program's CPU and peak memory.
 * While one of its constructors runs, the traces are skipped (`Error.stackTraceLimit` is 0), unless that
 * variable is set; the limit is put back before the constructor returns, and an error thrown meanwhile
 * gets its stack from where it surfaces, so it still names the program line that made the resource.
 */
export function pauseTraces(): { resume(): void; withStack(e: unknown): unknown } {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return { resume: () => {}, withStack: (e) => e };
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const resume = () => {
    Error.stackTraceLimit = limit;
  };
  return {
    resume,
    withStack(e) {
      resume();
      if (e instanceof Error && !/\n\s+at /.test(e.stack ?? "")) Error.captureStackTrace(e);
      return e;
    },
  };
}
