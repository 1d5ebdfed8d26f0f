import { configDefaults, defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "web",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The board's tests run in the web-client project (vitest.client.config.ts), in a DOM.
    exclude: [...configDefaults.exclude, "src/client/**"],
    // Server tests open SQLite, run migrations and some spawn the real entry point.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The restate backend's tests serve the services in-process: one log line per invocation
    // would bury the test output.
    env: { RESTATE_LOGGING: "WARN" },
  },
});
