import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "agent-cli",
    include: ["src/**/*.test.ts"],
    // Tests spawn real processes (the fake CLIs, and the real ones for --help).
    testTimeout: 30_000,
  },
});
