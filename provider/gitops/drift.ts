/**
 * The nightly drift report: `pulumi preview --refresh --expect-no-changes --json` compares the tenant
 * (as the refresh reads it) with the program; every change is something done in the tenant outside
 * Pulumi (the portal, another tool) that `pulumi up` would put back. One open issue per stack, with the
 * label `defender-rbac-drift` and a hidden marker: opened on the first drift, its text replaced while the
 * drift lasts, and closed with a comment once the tenant matches again.
 */
import type { GitHub, IssueRef } from "./github";
import type { PreviewJson } from "../previewJson";
import { changeLine, changesOf, errorsOf } from "./preview";

export const DRIFT_LABEL = "defender-rbac-drift";

export function driftMarker(stack: string): string {
  return `<!-- defender-rbac:drift:${stack} -->`;
}

export interface DriftReport {
  drifted: boolean;
  title: string;
  body: string;
}

export function composeDrift(preview: PreviewJson, stack: string, when: Date, runUrl?: string): DriftReport {
  const errors = errorsOf(preview).filter(
    (e) => !/expect(ed)?[- ]no[- ]changes|no changes were expected/i.test(e.message),
  );
  if (errors.length)
    throw new Error(
      `the drift check itself failed, so drift is unknown: ${errors.map((e) => e.message.trim()).join("; ")}`,
    );
  const changes = changesOf(preview, "drift");
  const title = `Defender XDR RBAC drift in ${stack}`;
  const lines = [
    driftMarker(stack),
    `The tenant no longer matches stack \`${stack}\` (checked ${when.toISOString()}${runUrl ? `, [run](${runUrl})` : ""}).`,
    "These changes were made outside Pulumi; `pulumi up` (the next deploy of main) would put back what the program declares:",
    "",
    ...changes.map(changeLine),
    "",
    "To keep a change, write it in the program and merge it; to undo it, run the deploy workflow.",
  ];
  return { drifted: changes.length > 0, title, body: lines.join("\n") + "\n" };
}

export interface DriftOutcome {
  action: "opened" | "updated" | "unchanged" | "closed" | "none";
  issue?: IssueRef;
}

/** Opens, updates or closes the stack's drift issue. */
export async function reportDrift(
  github: GitHub,
  stack: string,
  report: DriftReport,
  when: Date,
): Promise<DriftOutcome> {
  const marker = driftMarker(stack);
  const open = (await github.openIssues(DRIFT_LABEL)).find((i) => i.body?.includes(marker));
  if (!report.drifted) {
    if (!open) return { action: "none" };
    await github.comment(open.number, `The tenant matches the program again (${when.toISOString()}). Closing.`);
    return { action: "closed", issue: await github.updateIssue(open.number, { state: "closed" }) };
  }
  if (!open) return { action: "opened", issue: await github.createIssue(report.title, report.body, [DRIFT_LABEL]) };
  // the body carries the check time: compare what drifted, not when it was seen
  const sameDrift = (b: string | null | undefined) => (b ?? "").split("\n").slice(2).join("\n");
  if (sameDrift(open.body) === sameDrift(report.body)) {
    return { action: "unchanged", issue: open };
  }
  return {
    action: "updated",
    issue: await github.updateIssue(open.number, { title: report.title, body: report.body }),
  };
}
