/**
 * Launches the SDK's real dynamic-provider gRPC server (`@pulumi/pulumi/cmd/dynamic-provider`) the way
 * the engine does (cwd = the program directory, the address argument, PULUMI_* environment), and
 * wraps the generated client in promise-returning calls with engine-style marshalling.
 * The facts it relies on: docs/pulumi.md.
 */
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as readline from "node:readline";
import * as pulumi from "@pulumi/pulumi";

// grpc-js and protobuf through @pulumi/pulumi's own resolution, so stubs and Struct share instances
const viaPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc = viaPulumi("@grpc/grpc-js");
const { Struct } = viaPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyproto = viaPulumi("google-protobuf/google/protobuf/empty_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provproto = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

export type Props = Record<string, any>;

/** The gRPC status of a failed call, with the message the provider threw. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`${method} failed (code ${code}): ${details}`);
  }
}

const rt = pulumi.runtime;

/** Unwraps secret signature objects (the provider does not accept secrets, so the engine strips them). */
export function stripSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[rt.specialSigKey] === rt.specialSecretSig) return stripSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, stripSecrets(x)]));
  }
  return v;
}

/** Drops undefined values (Struct.fromJavaScript throws "Unexpected struct type" on them, pitfall 8). */
export function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(dropUndefined);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as object)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, dropUndefined(x)]),
    );
  }
  return v;
}

/** A config value marked secret, as the engine sends secret stack config in Configure. */
export const secret = (value: unknown) => ({ [rt.specialSigKey]: rt.specialSecretSig, value });

export const toStruct = (props: Props) => Struct.fromJavaScript(dropUndefined(stripSecrets(props)));
const fromStruct = (s: any): Props => (s ? s.toJavaScript() : {});

export interface CheckFailure {
  property: string;
  reason: string;
}
export interface CheckResponse {
  inputs: Props;
  failures: CheckFailure[];
}
export interface DiffResponse {
  changes: "some" | "none" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

const CHANGES: Record<number, DiffResponse["changes"]> = { 0: "unknown", 1: "none", 2: "some" };

export interface ResourceRef {
  urn: string;
  name: string;
  type: string;
}

export class ProviderServer {
  private constructor(
    readonly child: ChildProcess,
    readonly client: any,
    readonly log: string[],
  ) {}

  /**
   * Spawns the server with cwd `programDir` and the project/stack config in the environment, and
   * waits for the port on the first stdout line. The process is killed at exit if not stopped before.
   */
  static async start(
    programDir: string,
    project: string,
    stackConfig: Record<string, string>,
    env: Record<string, string> = {},
  ): Promise<ProviderServer> {
    const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:0"], {
      cwd: programDir,
      env: {
        ...process.env,
        PULUMI_NODEJS_PROJECT: project,
        PULUMI_PROJECT: project,
        PULUMI_CONFIG: JSON.stringify(stackConfig),
        DEFENDER_RBAC_STORE: "",
        DEFENDER_RBAC_BACKEND: "",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    child.once("exit", () => process.removeListener("exit", kill));
    const log: string[] = [];
    child.stderr!.on("data", (d) => log.push(String(d)));
    const lines = readline.createInterface({ input: child.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`dynamic-provider server did not print its port: ${log.join("")}`)),
        15000,
      );
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`dynamic-provider server exited with ${code}: ${log.join("")}`));
      });
      lines.once("line", (line) => {
        clearTimeout(timer);
        resolve(Number(line));
      });
    });
    lines.on("line", (line) => log.push(line + "\n"));
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderServer(child, client, log);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGKILL");
    await exited;
  }

  private unary(method: string, req: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
      this.client[method](req, (err: any, resp: any) =>
        err ? reject(new RpcError(method, err.code, err.details ?? err.message)) : resolve(resp),
      );
    });
  }

  /**
   * Configure with the whole stack config (namespaced keys), as the engine sends it: secret values stay
   * wrapped (`secret(v)`); the server unwraps them before they reach the provider.
   */
  async configure(stackConfig: Record<string, unknown>): Promise<{ acceptSecrets: boolean }> {
    const req = new provproto.ConfigureRequest();
    req.setType("pulumi:providers:pulumi-nodejs");
    req.setArgs(Struct.fromJavaScript(dropUndefined(stackConfig)));
    req.setAcceptsecrets(true);
    const resp = await this.unary("configure", req);
    return { acceptSecrets: resp.getAcceptsecrets() };
  }

  async check(r: ResourceRef, olds: Props, news: Props): Promise<CheckResponse> {
    const req = new provproto.CheckRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.unary("check", req);
    return {
      inputs: fromStruct(resp.getInputs()),
      failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(r: ResourceRef, id: string, oldInputs: Props, olds: Props, news: Props): Promise<DiffResponse> {
    const req = new provproto.DiffRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setOldInputs(toStruct(oldInputs));
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.unary("diff", req);
    return {
      changes: CHANGES[resp.getChanges()],
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
    };
  }

  async create(r: ResourceRef, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type);
    req.setProperties(toStruct(inputs));
    const resp = await this.unary("create", req);
    return { id: resp.getId(), outputs: fromStruct(resp.getProperties()) };
  }

  async read(
    r: ResourceRef,
    id: string,
    outputs: Props,
    inputs: Props,
  ): Promise<{ id: string; outputs: Props; inputs?: Props }> {
    const req = new provproto.ReadRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setProperties(toStruct(outputs));
    req.setInputs(toStruct(inputs));
    const resp = await this.unary("read", req);
    return {
      id: resp.getId(),
      outputs: fromStruct(resp.getProperties()),
      inputs: resp.hasInputs() ? fromStruct(resp.getInputs()) : undefined,
    };
  }

  async update(r: ResourceRef, id: string, oldInputs: Props, olds: Props, news: Props): Promise<{ outputs: Props }> {
    const req = new provproto.UpdateRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setOldInputs(toStruct(oldInputs));
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const resp = await this.unary("update", req);
    return { outputs: fromStruct(resp.getProperties()) };
  }

  async delete(r: ResourceRef, id: string, oldInputs: Props, outputs: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setUrn(r.urn).setName(r.name).setType(r.type).setId(id);
    req.setOldInputs(toStruct(oldInputs));
    req.setProperties(toStruct(outputs));
    await this.unary("delete", req);
  }

  async pluginVersion(): Promise<string> {
    const resp = await this.unary("getPluginInfo", new emptyproto.Empty());
    return resp.getVersion();
  }
}
