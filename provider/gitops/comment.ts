/**
 * The pull-request comment of a preview: what the change does to the tenant, in words, what deserves a
 * second reviewer (privileged grants), the errors the preview reported (failed checks, policy
 * violations), and the access review of `defender-rbac review` when one is given. One comment per
 * stack, found again by a hidden marker and replaced on each push.
 */
import type { GitHub } from "./github";
import type { PreviewJson } from "../previewJson";
import { PolicyViolation, changeLine, changesOf, errorsOf } from "./preview";

/** GitHub refuses comments over 65536 characters. */
export const MAX_COMMENT = 65000;

export function commentMarker(stack: string): string {
  return `<!-- defender-rbac:preview:${stack} -->`;
}

export interface CommentInput {
  preview: PreviewJson;
  stack: string;
  /** Policy violations from the preview's event log. */
  violations?: PolicyViolation[];
  /** Markdown of `defender-rbac review --format md`, when it ran. */
  review?: string;
  /** Why there is no review, when there is none. */
  reviewMissing?: string;
  /** Commit the preview ran on, and a link to the run. */
  sha?: string;
  runUrl?: string;
}

function privileged(preview: PreviewJson): string[] {
  const out: string[] = [];
  for (const step of preview.steps ?? []) {
    if (step.op === "same" || step.op === "delete" || step.op === "read" || step.op === "refresh") continue;
    const flagged: unknown = step.newState?.inputs?.privilegedPermissions;
    if (!Array.isArray(flagged) || flagged.length === 0) continue;
    const before: unknown = step.oldState?.outputs?.privilegedPermissions;
    const had = new Set(Array.isArray(before) ? before : []);
    const fresh = flagged.filter((f) => !had.has(f));
    if (fresh.length)
      out.push(`- \`${step.urn.split("::").pop()}\` now grants ${fresh.map((f) => `"${f}"`).join(", ")}`);
  }
  return out;
}

/** The comment's Markdown. */
export function composeComment(input: CommentInput): string {
  const { preview, stack } = input;
  const changes = changesOf(preview, "plan");
  const summary = Object.entries(preview.changeSummary ?? {})
    .filter(([op, n]) => op !== "same" && n > 0)
    .map(([op, n]) => `${n} to ${op}`)
    .join(", ");
  const lines = [
    commentMarker(stack),
    `### Defender XDR RBAC preview: \`${stack}\``,
    "",
    `${summary || "No changes"}${input.sha ? ` at ${input.sha.slice(0, 7)}` : ""}${input.runUrl ? ` ([run](${input.runUrl}))` : ""}.`,
  ];
  if (changes.length) lines.push("", "#### Changes", "", ...changes.map(changeLine));
  const flagged = privileged(preview);
  if (flagged.length) lines.push("", "#### Privileged grants (a second reviewer should confirm)", "", ...flagged);
  const violations = input.violations ?? [];
  if (violations.length)
    lines.push(
      "",
      "#### Policy violations",
      "",
      ...violations.map(
        (v) => `- **${v.level}** \`${v.policy}\`${v.urn ? ` on \`${v.urn.split("::").pop()}\`` : ""}: ${v.message}`,
      ),
    );
  const errors = errorsOf(preview);
  if (errors.length)
    lines.push(
      "",
      "#### Errors (the change cannot be applied as is)",
      "",
      ...errors.map(
        (e) => `- ${e.urn ? `\`${e.urn.split("::").pop()}\`: ` : ""}${e.message.trim().replace(/\n+/g, " ")}`,
      ),
    );
  lines.push("", "#### Access review", "");
  if (input.review?.trim()) lines.push(input.review.trim());
  else lines.push(`_${input.reviewMissing ?? "No access review was given."}_`);
  let body = lines.join("\n") + "\n";
  if (body.length > MAX_COMMENT)
    body = `${body.slice(0, MAX_COMMENT)}\n\n_(cut: the preview is longer than a comment can hold; see the run's log.)_\n`;
  return body;
}

/** Creates or replaces the stack's comment on a pull request. */
export async function postComment(github: GitHub, pr: number, stack: string, body: string) {
  return github.upsertComment(pr, commentMarker(stack), body);
}
