/**
 * The one wait for IAM propagation: a role created seconds ago is not yet assumable by the service that uses it
 * (CodeBuild, EventBridge, Scheduler), nor by the person who asked for it (`permissions try`, through STS).
 */
import { isRolePropagation } from "./errors.js";

/** Which service must be able to assume the new role: named in the message, so the user knows what is slow. */
export type AssumingService = "CodeBuild" | "EventBridge" | "EventBridge Scheduler" | "STS (you, assuming it)";

export interface Waiter {
  /** Tell the user the step is waiting rather than hung. */
  waiting(message: string): void;
  sleep(ms: number): Promise<void>;
}

export interface PropagationOptions {
  /** The error that means "not yet" (default: a service saying it cannot assume the role). */
  notYet?: (error: unknown) => boolean;
  /** How long to keep trying, in total (default two minutes). */
  budgetMs?: number;
  /** The pause before retry `attempt` (0-based; default 1 s doubling up to 10 s). */
  delayMs?: (attempt: number) => number;
}

const PROPAGATION_BUDGET_MS = 120_000;

/** Retry exactly the "cannot assume the new role" error, with backoff, for about two minutes, saying so (as Terraform and claudia do). */
export async function waitForRolePropagation<T>(
  service: AssumingService,
  waiter: Waiter,
  call: () => Promise<T>,
  options: PropagationOptions = {},
): Promise<T> {
  const { notYet = isRolePropagation, budgetMs = PROPAGATION_BUDGET_MS, delayMs = (attempt) => Math.min(1000 * 2 ** attempt, 10_000) } = options;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!notYet(error) || waited >= budgetMs) throw error;
      const delay = delayMs(attempt);
      waiter.waiting(`waiting for the new IAM role to reach ${service} (${Math.round((waited + delay) / 1000)}s of up to ${budgetMs / 1000}s)`);
      await waiter.sleep(delay);
      waited += delay;
    }
  }
}
