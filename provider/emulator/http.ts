/** HTTP plumbing of the emulator: the reply a route gives, its errors in the Graph envelope, request bodies and route keys. */
import type * as http from "node:http";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  written?: { kind: "created" | "patched"; id: string; previous?: unknown; location?: string };
}

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

const MAX_BODY = 1 << 20;
/** How long a request body may take to arrive. */
export const BODY_TIMEOUT_MS = 10_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (id: string) =>
  new HttpError(
    404,
    "NotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

export function allow(method: string, methods: string[]): void {
  if (!methods.includes(method))
    throw new HttpError(405, "MethodNotAllowed", `The ${method} method is not supported for this resource.`);
}

/** The Graph error envelope { error: { code, message, innerError: { date, request-id, client-request-id } } }. */
export function errorReply(status: number, code: string, message: string, ids: RequestIds): Reply {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d+Z$/, ""),
          "request-id": ids.requestId,
          "client-request-id": ids.clientRequestId,
        },
      },
    },
  };
}

/** Groups request paths for stats: ids become {id}. */
export function routeKey(p: string): string {
  return p
    .split("/")
    .map((s, i) => (i > 4 && s && !/^[a-z]+$/i.test(s) ? "{id}" : s))
    .join("/");
}

/** Why a body could not be read: too large (413) or too slow (408). */
export class BodyError extends Error {
  constructor(readonly status: 408 | 413) {
    super(status === 413 ? "too large" : "too slow");
  }
}

/** Reads the request body: at most 1 MiB, within `timeoutMs`. */
export function readBody(req: http.IncomingMessage, timeoutMs = BODY_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      reject(new BodyError(408));
      req.resume();
    }, timeoutMs);
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        clearTimeout(timer);
        reject(new BodyError(413));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
