/**
 * A stand-in for the GitHub REST API calls the GitOps commands make (issue comments and issues), in
 * memory, on 127.0.0.1. It checks the token on every call and records each request.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: { name: string }[];
  comments: { id: number; body: string }[];
}

export interface FakeGitHub {
  url: string;
  token: string;
  repo: string;
  issues: FakeIssue[];
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startFakeGitHub(repo = "contoso/rbac", token = "ghs_test-token"): Promise<FakeGitHub> {
  let next = 1;
  let nextComment = 1000;
  const issues: FakeIssue[] = [];
  const requests: { method: string; path: string }[] = [];
  const view = (i: FakeIssue) => ({
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels,
    html_url: `https://github.test/${repo}/issues/${i.number}`,
  });
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      requests.push({ method: req.method ?? "", path: url.pathname + url.search });
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: "Bad credentials" });
      const body = raw ? JSON.parse(raw) : {};
      const base = `/repos/${repo}`;
      const p = url.pathname;
      const page = Number(url.searchParams.get("page") ?? "1");
      const per = Number(url.searchParams.get("per_page") ?? "30");
      const paged = <T>(xs: T[]) => xs.slice((page - 1) * per, page * per);
      let m: RegExpExecArray | null;
      if (req.method === "GET" && p === `${base}/issues`) {
        const label = url.searchParams.get("labels");
        const state = url.searchParams.get("state") ?? "open";
        return send(
          200,
          paged(issues.filter((i) => i.state === state && (!label || i.labels.some((l) => l.name === label)))).map(
            view,
          ),
        );
      }
      if (req.method === "POST" && p === `${base}/issues`) {
        const issue: FakeIssue = {
          number: next++,
          title: body.title,
          body: body.body,
          state: "open",
          labels: (body.labels ?? []).map((name: string) => ({ name })),
          comments: [],
        };
        issues.push(issue);
        return send(201, view(issue));
      }
      if ((m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(p))) {
        let issue = issues.find((i) => i.number === Number(m![1]));
        if (!issue) {
          // a pull request: comments live on its issue
          issue = { number: Number(m[1]), title: "PR", body: "", state: "open", labels: [], comments: [] };
          issues.push(issue);
          next = Math.max(next, issue.number + 1);
        }
        if (req.method === "GET") return send(200, paged(issue.comments));
        if (req.method === "POST") {
          const c = { id: nextComment++, body: body.body };
          issue.comments.push(c);
          return send(201, { ...c, html_url: `https://github.test/${repo}/pull/${issue.number}#issuecomment-${c.id}` });
        }
      }
      if (req.method === "PATCH" && (m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(p))) {
        const c = issues.flatMap((i) => i.comments).find((x) => x.id === Number(m![1]));
        if (!c) return send(404, { message: "Not Found" });
        c.body = body.body;
        return send(200, c);
      }
      if (req.method === "PATCH" && (m = new RegExp(`^${base}/issues/(\\d+)$`).exec(p))) {
        const issue = issues.find((i) => i.number === Number(m![1]));
        if (!issue) return send(404, { message: "Not Found" });
        Object.assign(issue, body);
        return send(200, view(issue));
      }
      send(404, { message: `no route ${req.method} ${p}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    repo,
    issues,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
