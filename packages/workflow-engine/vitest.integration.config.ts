import { defineProject } from "vitest/config";

// Tests that spawn real processes (tsx child executors, kill -9): longer timeouts.
export default defineProject({
  test: {
    name: "workflow-engine:integration",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
