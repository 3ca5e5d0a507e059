/** One hook for every file that needs AWS: moto behind the proxy, started before the file's tests and stopped after. */
import { afterAll, beforeAll } from "vitest";
import { startLocalAws, type LocalAws } from "../../tools/local-aws/env.js";

export interface UseLocalAwsOptions {
  latencyMs?: number;
  seed?: number;
  /** false: start nothing (a file whose tests all skip, e.g. without tmux). */
  enabled?: boolean;
}

/**
 * Registers beforeAll/afterAll for the current file and returns the local AWS they start; its fields may be read
 * from the file's own hooks and tests (registered after this call, so they run once it has started).
 */
export function useLocalAws(options: UseLocalAwsOptions = {}): LocalAws {
  let started: LocalAws | undefined;
  beforeAll(async () => {
    if (options.enabled === false) return;
    started = await startLocalAws({
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  });
  afterAll(async () => {
    await started?.stop();
    started = undefined;
  });
  const get = (): LocalAws => {
    if (!started) throw new Error("the local AWS is started in beforeAll: use it from a hook or a test");
    return started;
  };
  return {
    get moto() {
      return get().moto;
    },
    get proxy() {
      return get().proxy;
    },
    get endpoint() {
      return get().endpoint;
    },
    get env() {
      return get().env;
    },
    get clients() {
      return get().clients;
    },
    reset: () => get().reset(),
    stop: () => get().stop(),
  };
}
