/**
 * The few GitHub REST calls the GitOps commands make (issues and pull-request comments), with the
 * token of the workflow run (GITHUB_TOKEN) and the API root of the run (GITHUB_API_URL, so GitHub
 * Enterprise Server works). The token is never printed: errors name the call and the status only.
 */
export interface GitHubOptions {
  /** "owner/name" (GITHUB_REPOSITORY). */
  repository: string;
  token: string;
  /** API root, default https://api.github.com (GITHUB_API_URL). */
  apiUrl?: string;
}

export interface IssueRef {
  number: number;
  state: string;
  body?: string | null;
  html_url?: string;
}

export interface CommentRef {
  id: number;
  body?: string | null;
  html_url?: string;
}

export class GitHub {
  private readonly root: string;
  constructor(private readonly opts: GitHubOptions) {
    if (!/^[^/\s]+\/[^/\s]+$/.test(opts.repository))
      throw new Error(`the repository must be "owner/name" (GITHUB_REPOSITORY), got "${opts.repository}".`);
    if (!opts.token) throw new Error("a GitHub token is needed: set GITHUB_TOKEN (the workflow's token).");
    this.root = (opts.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.root}/repos/${this.opts.repository}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.opts.token}`,
        accept: "application/vnd.github+json",
        "x-github-api-version": "2022-11-28",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new Error(`GitHub ${method} ${path} answered ${res.status}: ${text}`);
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  /** All pages of a list call (100 a page). */
  private async all<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const sep = path.includes("?") ? "&" : "?";
      const items = await this.call<T[]>("GET", `${path}${sep}per_page=100&page=${page}`);
      out.push(...items);
      if (items.length < 100) return out;
    }
  }

  /** The comment of an issue or pull request whose body holds `marker`, created or replaced with `body`. */
  async upsertComment(
    issue: number,
    marker: string,
    body: string,
  ): Promise<{ action: "created" | "updated"; comment: CommentRef }> {
    const mine = (await this.all<CommentRef>(`/issues/${issue}/comments`)).find((c) => c.body?.includes(marker));
    if (mine) return { action: "updated", comment: await this.call("PATCH", `/issues/comments/${mine.id}`, { body }) };
    return { action: "created", comment: await this.call("POST", `/issues/${issue}/comments`, { body }) };
  }

  /** Open issues with a label (pull requests excluded). */
  async openIssues(label: string): Promise<IssueRef[]> {
    const items = await this.all<IssueRef & { pull_request?: unknown }>(
      `/issues?state=open&labels=${encodeURIComponent(label)}`,
    );
    return items.filter((i) => !i.pull_request);
  }

  createIssue(title: string, body: string, labels: string[]): Promise<IssueRef> {
    return this.call("POST", "/issues", { title, body, labels });
  }

  updateIssue(issue: number, patch: { title?: string; body?: string; state?: "open" | "closed" }): Promise<IssueRef> {
    return this.call("PATCH", `/issues/${issue}`, patch);
  }

  comment(issue: number, body: string): Promise<CommentRef> {
    return this.call("POST", `/issues/${issue}/comments`, { body });
  }
}

/** Options from the environment of a GitHub Actions run, overridable by flags. */
export function gitHubFromEnv(overrides: Partial<GitHubOptions> = {}, env = process.env): GitHub {
  return new GitHub({
    repository: overrides.repository ?? env.GITHUB_REPOSITORY ?? "",
    token: overrides.token ?? env.GITHUB_TOKEN ?? env.GH_TOKEN ?? "",
    apiUrl: overrides.apiUrl ?? env.GITHUB_API_URL,
  });
}
