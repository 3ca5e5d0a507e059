/** Pure renderers of `support-job permissions`: what `done` did, as its --json document. */

/** `reason` says why nothing was removed: "absent" (no try role), or the role belongs to someone else. */
export function tryRoleRemovalToJson(name: string, role: string, result: { removed: true } | { removed: false; reason: string }): Record<string, unknown> {
  return { name, role, removed: result.removed, ...(result.removed ? {} : { reason: result.reason }) };
}
