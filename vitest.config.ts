import { defineConfig } from "vitest/config";

// Two tiers, chosen by folder: `fast` (pure and in-process, no child process, no moto: `npm run test:fast`)
// and `slow` (against moto, the built CLI, a real terminal). `npm test` runs both.
const FAST = ["test/unit/**/*.test.ts", "tools/local-aws/test/unit/**/*.test.ts"];

export default defineConfig({
  test: {
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    // Each moto file starts its own moto_server; two cores on CI, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22: noise in every test file on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    projects: [
      { extends: true, test: { name: "fast", include: FAST } },
      {
        extends: true,
        test: {
          name: "slow",
          include: ["test/**/*.test.ts", "tools/**/*.test.ts"],
          exclude: FAST,
          // The local AWS emulator is installed (first run) or found once, before any slow file starts.
          globalSetup: ["./tools/local-aws/vitest-setup.ts"],
        },
      },
    ],
  },
});
