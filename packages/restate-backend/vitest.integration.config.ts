import { defineProject } from "vitest/config";

// Starts a real restate-server node and worker processes: longer timeouts.
export default defineProject({
  test: {
    name: "restate-backend:integration",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // The SDK logs every invocation at INFO.
    env: { RESTATE_LOGGING: "WARN" },
  },
});
