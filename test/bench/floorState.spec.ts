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
import { EXTRA, PERMISSIONS, floorStateModule } from "./programs";

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

  it("every role of the generated graph (with and without the edit) and an assignment of each: the same inputs after check and the same outputs after create", async () => {
    const roles = PERMISSIONS.length;
    const floor = loadFloor(roles);
    const marker = (type: string, name: string) => `urn:pulumi:bench::bench::${type}::${name}`;
    for (let i = 0; i < roles; i++) {
      const base = [PERMISSIONS[i % roles], PERMISSIONS[(i + 1) % roles]];
      for (const permissions of [base, [...base, EXTRA]]) {
        const edited = permissions === base ? "" : " (edited)";
        const args = { displayName: `Bench role ${i}${edited}`, description: `generated role ${i}`, permissions };
        const role = await up("UnifiedRole", { ...args, managedBy: marker("defender-rbac:UnifiedRole", `role-${i}`) });
        const floorRole = await floorUp(floor, { ...args, managedBy: marker("bench:FloorRole", `role-${i}`) });
        assert.deepEqual(comparable(floorRole.inputs, floorRole.id), comparable(role.inputs, role.id), `role ${i}`);
        assert.deepEqual(comparable(floorRole.outs, floorRole.id), comparable(role.outs, role.id), `role ${i}`);
        if (permissions !== base) continue; // assignments name the role as the tenant holds it before the edit

        // assignment j = i + roles (its role is j % roles = i), on each kind of scope
        for (const scope of [{ kind: "all" }, { kind: "workloads", workloads: ["endpoint"] }]) {
          const assignmentArgs = {
            roleId: role.id,
            displayName: `Bench assignment ${i + roles}`,
            principals: ["00000006-002a-4006-8012-00000000004e"],
            scope,
          };
          const name = `assignment-${i + roles}`;
          const assignment = await up("RoleAssignment", {
            ...assignmentArgs,
            managedBy: marker("defender-rbac:RoleAssignment", name),
          });
          const floorAssignment = await floorUp(floor, {
            ...assignmentArgs,
            managedBy: marker("bench:FloorAssignment", name),
          });
          const what = `assignment of role ${i}, scope ${scope.kind}`;
          assert.deepEqual(
            comparable(floorAssignment.inputs, floorAssignment.id),
            comparable(assignment.inputs, assignment.id),
            what,
          );
          assert.deepEqual(
            comparable(floorAssignment.outs, floorAssignment.id),
            comparable(assignment.outs, assignment.id),
            what,
          );
          assert.ok(Object.keys(assignment.inputs.grants).length > 0, "the assignment names its role's grants");
        }
      }
    }
  });
});
