/**
 * `defender-rbac activation-plan --workload <w>`: what turning Unified RBAC on (or, with --deactivate,
 * off) for one workload would change now, per principal: the access gained (Unified RBAC assignments
 * reaching it, Entra defaults that start to apply) and lost (legacy roles that stop applying), privileged
 * ones first (core/accessChange.ts `activationChange`). Read-only.
 */
import { Option } from "commander";
import { workloadByAppScope } from "../core/workloads";
import { diffAccess } from "../core/accessChange";
import { effectiveAccess } from "../core/effectiveAccess";
import { readTenantAccess } from "../backend/access";
import { parseWorkloads } from "./access";
import { emit, type Io, type Register } from "./io";
import { Review, reviewJson, reviewMarkdown } from "./review";
import { TenantOptions, openTenant, withTenantOptions } from "./tenant";

export interface ActivationPlanOptions extends TenantOptions {
  workload: string;
  deactivate?: boolean;
  format: "md" | "json";
  output?: string;
}

export async function activationPlanCommand(opts: ActivationPlanOptions, io: Io): Promise<number> {
  const [workload] = parseWorkloads([opts.workload], "--workload");
  if (!workload) throw new Error("--workload: name one workload, e.g. endpoint");
  const backend = await openTenant(opts);
  try {
    const { input, assumptions } = await readTenantAccess(backend);
    const set = (on: boolean) => [...input.activation.filter((s) => s.workload !== workload), { workload, active: on }];
    const before = effectiveAccess({ ...input, activation: set(!!opts.deactivate) });
    const after = effectiveAccess({ ...input, activation: set(!opts.deactivate) });
    const now = input.activation.find((s) => s.workload === workload)?.active ?? false;
    const notes = [...assumptions];
    if (now === !opts.deactivate)
      notes.push(
        `${workload} is already ${now ? "active" : "not active"}: this is what ${opts.deactivate ? "activating" : "deactivating"} it gave`,
      );
    const review: Review = {
      changes: diffAccess(before, after),
      before,
      after,
      preview: {
        before: { roles: [], assignments: [], activation: [] },
        after: { roles: [], assignments: [], activation: [] },
        resources: [],
        notes: [],
      },
      notes,
    };
    const title = `${opts.deactivate ? "Deactivating" : "Activating"} Unified RBAC for ${workloadByAppScope(workload)!.displayName} (${workload}) now`;
    const text = opts.format === "json" ? reviewJson(review) : reviewMarkdown(review, title);
    emit(io, text, opts.output, `wrote ${opts.output}`);
    return 0;
  } finally {
    await backend.close?.().catch(() => undefined);
  }
}

export const register: Register = (program, io, setExit) => {
  withTenantOptions(program.command("activation-plan"), "local")
    .description(
      "What activating Unified RBAC for one workload would change now, per principal: access gained and lost, privileged first. Read-only.",
    )
    .requiredOption("--workload <workload>", "endpoint, office365, identity, cloudApps or cloud")
    .option("--deactivate", "show what deactivating it would change instead")
    .addOption(new Option("--format <format>", "md or json").choices(["md", "json"]).default("md"))
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action(async (opts: ActivationPlanOptions) => setExit(await activationPlanCommand(opts, io)));
};
