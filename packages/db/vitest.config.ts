import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "db",
    include: ["src/**/*.test.ts"],
    // Each test opens real SQLite files and instantiates the WebAssembly schema engine.
    testTimeout: 30_000,
  },
});
