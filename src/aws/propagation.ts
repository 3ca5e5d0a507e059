/** The one wait for IAM propagation: a role created seconds ago is not yet assumable by the service that uses it. */
import { isRolePropagation } from "./errors.js";

/** Which service must be able to assume the new role: named in the message, so the user knows what is slow. */
export type AssumingService = "CodeBuild" | "EventBridge" | "EventBridge Scheduler";

export interface Waiter {
  /** Tell the user the step is waiting rather than hung. */
  waiting(message: string): void;
  sleep(ms: number): Promise<void>;
}

const PROPAGATION_BUDGET_MS = 120_000;

/** Retry exactly the "cannot assume the new role" error, with backoff, for about two minutes, saying so (as Terraform and claudia do). */
export async function waitForRolePropagation<T>(service: AssumingService, waiter: Waiter, call: () => Promise<T>): Promise<T> {
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isRolePropagation(error) || waited >= PROPAGATION_BUDGET_MS) throw error;
      const delay = Math.min(1000 * 2 ** attempt, 10_000);
      waiter.waiting(`waiting for the new IAM role to reach ${service} (${Math.round((waited + delay) / 1000)}s of up to ${PROPAGATION_BUDGET_MS / 1000}s)`);
      await waiter.sleep(delay);
      waited += delay;
    }
  }
}
