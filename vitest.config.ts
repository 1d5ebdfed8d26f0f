import { defineConfig } from "vitest/config";

// One run for the whole repository: each package and app declares its own Vitest
// project(s) (unit tests beside the code, integration tests in their own folder with
// longer timeouts), and this file only collects them.
export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.ts",
      "packages/*/vitest.integration.config.ts",
      "apps/*/vitest*.config.ts",
      "scripts/vitest.config.ts",
    ],
  },
});
