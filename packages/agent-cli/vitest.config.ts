import { defineProject } from "vitest/config";

export default defineProject({
  test: { name: "agent-cli", include: ["src/**/*.test.ts"] },
});
