// Sets a job up in-process with the engine itself (no child process, calls not logged by the proxy): a fast
// starting point for tests about what comes after init, such as an interrupted destroy.
import type { Clients } from "../../src/aws/clients.js";
import { applyPlan } from "../../src/plan/apply.js";
import { planJob } from "../../src/plan/plan.js";
import { validateSettings } from "../../src/settings/validate.js";
import type { AwsClients } from "../../tools/local-aws/env.js";
import { REGION } from "./helpers.js";

function engineClients(aws: AwsClients): Clients {
  const { codebuild, events, iam, sns, sts, scheduler, logs, ec2, cloudwatch } = aws;
  return { region: REGION, codebuild, events, iam, sns, sts, scheduler, logs, ec2, cloudwatch, stats: { reads: 0, writes: 0, byOperation: new Map() } };
}

/** `init --yes` with these settings, done by the engine in this process. */
export async function seedJob(aws: AwsClients, raw: Parameters<typeof validateSettings>[0], cwd: string): Promise<void> {
  const settings = validateSettings(raw, cwd);
  const clients = engineClients(aws);
  const plan = await planJob(settings, clients, { adopt: false });
  const ignore = () => undefined;
  await applyPlan(plan, clients, { start: ignore, waiting: ignore, done: ignore, failed: ignore });
}
