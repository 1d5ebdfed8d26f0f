import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "web",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Server tests open SQLite, run migrations and some spawn the real entry point.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
