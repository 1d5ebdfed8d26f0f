import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "agent-cli",
    // Unit tests beside the code; test/integration runs the real CLIs against loopback APIs.
    include: ["src/**/*.test.ts", "test/integration/**/*.test.ts"],
    // Tests spawn real processes (the fake CLIs, and the real ones).
    testTimeout: 60_000,
  },
});
