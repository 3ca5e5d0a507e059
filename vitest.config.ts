import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "tools/**/*.test.ts"],
    // The local AWS emulator is installed (first run) or found once, before any test file starts.
    globalSetup: ["./tools/local-aws/vitest-setup.ts"],
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    // Each integration file starts its own moto_server; two cores on CI, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that its 2027 releases need Node 22: noise in every test file on Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
