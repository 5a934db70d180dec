/**
 * Privileged grants raise a Pulumi warning on the resource, so a plain `pulumi preview` shows them
 * (the values come from `check`, so they are known at preview). Runs in the program, where the engine
 * connection is; the dynamic provider's check has no resource to attach a diagnostic to.
 */
import * as pulumi from "@pulumi/pulumi";

/** Warns on `resource` with `message(list)` once `privileged` is known and not empty. */
export function warnPrivileged(
  resource: pulumi.Resource,
  privileged: pulumi.Output<string[] | undefined>,
  message: (list: string[]) => string,
): void {
  privileged.apply((list) => {
    if (Array.isArray(list) && list.length > 0) void pulumi.log.warn(message(list), resource);
  });
}

/** "Authorization and settings \ Authorization (manage); …" */
export const listText = (list: readonly string[]) => list.join("; ");

/** The warning of a role (unified or imported) whose permissions hold privileged ones. */
export function warnRolePrivileged(role: pulumi.Resource & { privilegedPermissions: pulumi.Output<string[]> }): void {
  warnPrivileged(
    role,
    role.privilegedPermissions,
    (l) => `grants privileged permissions (a second reviewer is advised): ${listText(l)}`,
  );
}
