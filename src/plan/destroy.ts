/**
 * Removing a job is a plan of removals built from the one read path: `readJobWithIdentity` reads every resource
 * (the try role and the roles and policy of the old IAM names included), and each resource module says what
 * destroy does with what it found (`Resource.remove`): delete it with what goes with it, or skip it with a note
 * when it is not tagged support-job:job=<name>. The steps run stage by stage (`RemovalStage`): rules and the
 * schedule first, then the project, topic and schedule group, then the roles, then the job's policies.
 * Missing resources are simply not there: a second run after a partial failure finishes the job.
 * Stage 1 includes both alarms (missed-run, start-refused) and the alarm chat rule, so nothing reports on a job that
 * is going; the chat rule goes before stage 2 deletes the API destinations its targets point at.
 * The runs' logs (CloudWatch Logs group /aws/codebuild/<name>) are kept, unless `deleteLogs` (--delete-logs).
 */
import type { Clients } from "../aws/clients.js";
import { READS } from "../resources/index.js";
import { removalOf, type RemovalStage, type RemovalStep } from "../resources/types.js";
import { jobRef, type Where } from "../desired/names.js";
import { readJobWithIdentity } from "./plan.js";

/** Reads what is left of the job (init's reads); only existing resources come back, in the order they will be deleted. */
export async function planDestroy(
  clients: Clients,
  job: string,
  accountHint: string | undefined,
  options: { deleteLogs?: boolean } = {},
): Promise<{ where: Where; steps: RemovalStep[] }> {
  const { where, current } = await readJobWithIdentity(job, clients, accountHint, READS, { thorough: true });
  const ref = jobRef(job, where);
  const steps = READS.flatMap((r) => {
    const found = current.get(r.key);
    // The runs' logs stay unless asked for: they are the record of what the job did.
    if (found === undefined || (r.key === "logGroup" && !options.deleteLogs)) return [];
    return removalOf(r, found, ref, current);
  });
  return { where, steps: steps.sort((a, b) => a.stage - b.stage) };
}

export interface DestroyHooks {
  start?: (step: RemovalStep) => void;
  done?: (step: RemovalStep) => void;
  failed?: (step: RemovalStep, error: unknown) => void;
}

export interface DestroyResult {
  deleted: RemovalStep[];
  failed: { step: RemovalStep; error: unknown }[];
}

const STAGES: readonly RemovalStage[] = [1, 2, 3, 4];

/** Deletes the steps marked delete, stage by stage; keeps going after a failure so one re-run finishes the rest. */
export async function applyDestroy(steps: readonly RemovalStep[], clients: Clients, hooks: DestroyHooks = {}): Promise<DestroyResult> {
  const result: DestroyResult = { deleted: [], failed: [] };
  for (const stage of STAGES) {
    const now = steps.filter((s) => s.stage === stage && s.action === "delete");
    await Promise.all(
      now.map(async (step) => {
        hooks.start?.(step);
        try {
          await step.run(clients);
          result.deleted.push(step);
          hooks.done?.(step);
        } catch (error) {
          result.failed.push({ step, error });
          hooks.failed?.(step, error);
        }
      }),
    );
  }
  return result;
}
