/**
 * Run a plan: every step starts as soon as the steps it depends on have created their resource, so
 * independent resources are created in parallel and the critical path stays short.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Clients } from "../aws/clients.js";
import { describeAwsError } from "../aws/errors.js";
import { OperationError } from "../errors.js";
import type { Plan, PlanStep, ResourceKey, StepContext } from "../resources/types.js";

export interface ApplyEvents {
  start(step: PlanStep): void;
  waiting(step: PlanStep, message: string): void;
  done(step: PlanStep): void;
  failed(step: PlanStep, message: string): void;
}

type StepOutcome = "done" | "failed" | "skipped" | "unchanged";

export interface ApplyResult {
  outcomes: Map<ResourceKey, StepOutcome>;
  details: Map<ResourceKey, string>;
}

export class ApplyError extends OperationError {
  constructor(
    message: string,
    readonly result: ApplyResult,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

class DependencyFailed extends Error {}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a failure is reported by its own step, not as an unhandled rejection
  return { promise, resolve, reject };
}

export async function applyPlan(
  plan: Pick<Plan, "spec" | "steps">,
  clients: Clients,
  events: ApplyEvents,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<ApplyResult> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const exists = new Map<ResourceKey, Deferred>();
  for (const step of plan.steps) exists.set(step.key, deferred());
  const outcomes = new Map<ResourceKey, StepOutcome>();
  const details = new Map<ResourceKey, string>();
  const waitFor = (key: ResourceKey) => exists.get(key)?.promise ?? Promise.resolve();
  const errors: { step: PlanStep; error: unknown }[] = [];

  const run = (steps: readonly PlanStep[]) =>
    Promise.all(
      steps.map(async (step) => {
        const own = exists.get(step.key)!;
        if (!step.apply || step.action === "unchanged") {
          outcomes.set(step.key, "unchanged");
          own.resolve();
          return;
        }
        try {
          await Promise.all(step.after.map(waitFor)).catch(() => {
            throw new DependencyFailed();
          });
          events.start(step);
          const ctx: StepContext = {
            clients,
            spec: plan.spec,
            exists: () => own.resolve(),
            waitFor: (key) =>
              waitFor(key).catch(() => {
                throw new DependencyFailed();
              }),
            waiting: (message) => events.waiting(step, message),
            sleep,
            detail: (value) => details.set(step.key, value),
          };
          await step.apply(ctx);
          own.resolve();
          outcomes.set(step.key, "done");
          events.done(step);
        } catch (error) {
          own.reject(error);
          if (error instanceof DependencyFailed) {
            outcomes.set(step.key, "skipped");
            return;
          }
          outcomes.set(step.key, "failed");
          const verb = step.action === "create" ? "Creating" : step.action === "delete" ? "Deleting" : "Updating";
          const message = describeAwsError(error, `${verb} the ${step.label} ${step.name}`);
          errors.push({ step, error });
          events.failed(step, message);
        }
      }),
    );
  await run(plan.steps.filter((s) => !s.last));
  // What the new resources replace goes only once all of them are in place: a failed apply leaves the old ones working.
  const last = plan.steps.filter((s) => s.last);
  if (errors.length === 0) await run(last);
  else for (const step of last) outcomes.set(step.key, "skipped");
  const result = { outcomes, details };
  const first = errors[0];
  if (first) {
    const verb = first.step.action === "create" ? "Creating" : first.step.action === "delete" ? "Deleting" : "Updating";
    throw new ApplyError(describeAwsError(first.error, `${verb} the ${first.step.label} ${first.step.name}`), result, first.error);
  }
  return result;
}
