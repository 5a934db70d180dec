/**
 * The GitOps commands the example workflows call (examples/gitops):
 *   defender-rbac pr-comment --preview preview.json [--events events.jsonl] [--review review.md] [--stack s] [--pr n] [-o file]
 *   defender-rbac drift-issue --preview drift.json [--stack s] [--fail-on-drift] [-o file]
 * Both read `pulumi preview --json` output. Without -o they talk to GitHub with the run's token
 * (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL; the pull request from GITHUB_EVENT_PATH).
 */
import * as fs from "node:fs";
import { composeComment, postComment } from "../gitops/comment";
import { composeDrift, reportDrift } from "../gitops/drift";
import { gitHubFromEnv } from "../gitops/github";
import { parsePreview, policyViolationsOf } from "../gitops/preview";
import type { Io, Register } from "./io";

interface Common {
  preview: string;
  stack?: string;
  repo?: string;
  apiUrl?: string;
  output?: string;
}

function readPreview(file: string) {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(`--preview: cannot read "${file}"; write it with \`pulumi preview --json > ${file}\`.`);
  }
  return parsePreview(text, `--preview "${file}"`);
}

function runUrl(env = process.env): string | undefined {
  return env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
    : undefined;
}

function stackName(opts: Common, env = process.env): string {
  const s = opts.stack ?? env.PULUMI_STACK ?? env.PULUMI_STACK_NAME;
  if (!s) throw new Error("--stack is required (or set PULUMI_STACK): the stack the preview is of.");
  return s;
}

/** The pull request number: --pr, else the event payload of the run, else refs/pull/<n>/merge. */
function pullRequest(flag: string | undefined, env = process.env): number {
  const from = (v: unknown, what: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} is not a pull request number (got "${v}").`);
    return n;
  };
  if (flag !== undefined) return from(flag, "--pr");
  if (env.GITHUB_EVENT_PATH && fs.existsSync(env.GITHUB_EVENT_PATH)) {
    const event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
    const n = event.pull_request?.number ?? event.number;
    if (n !== undefined) return from(n, "the event's pull_request.number");
  }
  const m = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? "");
  if (m) return from(m[1], "GITHUB_REF");
  throw new Error("--pr is required outside a pull_request run: the pull request to comment on.");
}

export async function prCommentCommand(
  opts: Common & { review?: string; pr?: string; events?: string },
  io: Io,
): Promise<number> {
  const preview = readPreview(opts.preview);
  const stack = stackName(opts);
  let review: string | undefined;
  let reviewMissing: string | undefined;
  if (opts.review) {
    if (fs.existsSync(opts.review)) review = fs.readFileSync(opts.review, "utf8");
    else reviewMissing = `No access review: ${opts.review} was not written (did \`defender-rbac review\` run?).`;
  } else reviewMissing = "No access review was given (`--review`, the output of `defender-rbac review --format md`).";
  let violations;
  if (opts.events) {
    if (!fs.existsSync(opts.events))
      throw new Error(
        `--events: "${opts.events}" does not exist; write it with \`pulumi preview --event-log ${opts.events}\`.`,
      );
    violations = policyViolationsOf(fs.readFileSync(opts.events, "utf8"));
  }
  const body = composeComment({
    preview,
    stack,
    violations,
    review,
    reviewMissing,
    sha: process.env.GITHUB_SHA,
    runUrl: runUrl(),
  });
  if (opts.output) {
    fs.writeFileSync(opts.output, body);
    io.out(`wrote the comment to ${opts.output}`);
    return 0;
  }
  const pr = pullRequest(opts.pr);
  const r = await postComment(gitHubFromEnv({ repository: opts.repo, apiUrl: opts.apiUrl }), pr, stack, body);
  io.out(
    `${r.action} the preview comment on pull request #${pr}${r.comment.html_url ? `: ${r.comment.html_url}` : ""}`,
  );
  return 0;
}

export async function driftIssueCommand(opts: Common & { failOnDrift?: boolean }, io: Io): Promise<number> {
  const preview = readPreview(opts.preview);
  const stack = stackName(opts);
  const now = new Date();
  const report = composeDrift(preview, stack, now, runUrl());
  if (opts.output) {
    fs.writeFileSync(opts.output, report.body);
    io.out(report.drifted ? `drift found; wrote the report to ${opts.output}` : "no drift");
  } else {
    const r = await reportDrift(gitHubFromEnv({ repository: opts.repo, apiUrl: opts.apiUrl }), stack, report, now);
    const issue = r.issue ? ` #${r.issue.number}${r.issue.html_url ? ` ${r.issue.html_url}` : ""}` : "";
    io.out(
      report.drifted
        ? `drift found; issue ${r.action}${issue}`
        : `no drift${r.action === "closed" ? `; closed issue${issue}` : ""}`,
    );
  }
  return report.drifted && opts.failOnDrift ? 3 : 0;
}

export const register: Register = (program, io, setExit) => {
  const common = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .requiredOption("--preview <file>", "output of `pulumi preview --json`")
      .option("--stack <name>", "the stack the preview is of (default: PULUMI_STACK)")
      .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
      .option("--api-url <url>", "GitHub API root (default: GITHUB_API_URL or https://api.github.com)")
      .option("-o, --output <file>", "write the Markdown to a file instead of posting it");
  common("pr-comment", "Post (or update) a pull request comment that says what a preview changes, in words.")
    .option("--events <file>", "the preview's event log (`pulumi preview --event-log <file>`): its policy violations")
    .option("--review <file>", "Markdown of `defender-rbac review --format md` to include")
    .option("--pr <number>", "pull request (default: from the run's event)")
    .action(async (opts) => setExit(await prCommentCommand(opts, io)));
  common("drift-issue", "Open, update or close the stack's drift issue from a `pulumi preview --refresh` of main.")
    .option("--fail-on-drift", "exit 3 when the tenant drifted")
    .action(async (opts) => setExit(await driftIssueCommand(opts, io)));
};
