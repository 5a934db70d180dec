/**
 * The `state` floor of the run benchmark (`--floor state`) stands for "the engine and the SDK moving this
 * package's state with none of its code": its no-op provider must put in state what this package's
 * check and create put there. This compares the two on the same role and assignment (the package's
 * handlers called directly on a fresh local store), so a field added to the package's state and not to
 * the floor fails here rather than flattering the benchmark.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "../harness/program";
import { Props, Tenant, up } from "../provider/helpers";
import { PERMISSIONS, floorStateModule } from "./programs";

interface FloorModule {
  check(olds: Props, news: Props): Promise<{ inputs: Props }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
}

function loadFloor(roles: number): FloorModule {
  const file = path.join(tempDir("floor-state"), "index.js");
  fs.writeFileSync(file, floorStateModule());
  const before = process.env.BENCH_ROLES;
  process.env.BENCH_ROLES = String(roles);
  try {
    return require(file) as FloorModule;
  } finally {
    if (before === undefined) delete process.env.BENCH_ROLES;
    else process.env.BENCH_ROLES = before;
  }
}

/** What the floor made of `news`, as check then create would in the engine. */
async function floorUp(floor: FloorModule, news: Props) {
  const { inputs } = await floor.check({}, news);
  const { id, outs } = await floor.create(inputs);
  return { id, inputs, outs };
}

/** Drops what differs by design: ids (fresh on each side) and the marker (it names each side's type). */
function comparable(props: Props, id: string): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (k === "managedBy" || k === "__provider") continue;
    out[k] = v === id ? "<id>" : v;
  }
  return out;
}

let tenant: Tenant;
describe("run benchmark: the state floor carries this package's state", () => {
  beforeEach(async () => {
    tenant = await Tenant.fresh();
  });
  afterEach(() => tenant.close());

  it("a role and an assignment of the generated graph: the same inputs after check and the same outputs after create", async () => {
    const floor = loadFloor(4);
    // role 1 of the graph, and assignment 5 (role 5 % 4 = 1), scoped to a workload
    const roleArgs = {
      displayName: "Bench role 1",
      description: "generated role 1",
      permissions: PERMISSIONS.slice(1, 3),
    };
    const marker = (type: string, name: string) => `urn:pulumi:bench::bench::${type}::${name}`;
    const role = await up("UnifiedRole", { ...roleArgs, managedBy: marker("defender-rbac:UnifiedRole", "role-1") });
    const floorRole = await floorUp(floor, { ...roleArgs, managedBy: marker("bench:FloorRole", "role-1") });
    assert.deepEqual(comparable(floorRole.inputs, floorRole.id), comparable(role.inputs, role.id));
    assert.deepEqual(comparable(floorRole.outs, floorRole.id), comparable(role.outs, role.id));

    const assignmentArgs = (roleId: string) => ({
      roleId,
      displayName: "Bench assignment 5",
      principals: ["00000006-002a-4006-8012-00000000004e"],
      scope: { kind: "workloads", workloads: ["endpoint"] },
    });
    const assignment = await up("RoleAssignment", {
      ...assignmentArgs(role.id),
      managedBy: marker("defender-rbac:RoleAssignment", "assignment-5"),
    });
    const floorAssignment = await floorUp(floor, {
      ...assignmentArgs(role.id),
      managedBy: marker("bench:FloorAssignment", "assignment-5"),
    });
    assert.deepEqual(
      comparable(floorAssignment.inputs, floorAssignment.id),
      comparable(assignment.inputs, assignment.id),
    );
    assert.deepEqual(comparable(floorAssignment.outs, floorAssignment.id), comparable(assignment.outs, assignment.id));
    assert.ok(Object.keys(assignment.inputs.grants).length > 0, "the assignment names its role's grants");
  });
});
