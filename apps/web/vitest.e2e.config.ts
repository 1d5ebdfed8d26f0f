import { defineProject } from "vitest/config";

// Chromium against the real server and a built client: slow by nature, so they run one
// file at a time with long timeouts.
export default defineProject({
  test: {
    name: "web-e2e",
    include: ["e2e/**/*.test.ts"],
    globalSetup: ["e2e/buildClientOnce.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
