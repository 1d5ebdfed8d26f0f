import react from "@vitejs/plugin-react";
import { defineProject } from "vitest/config";

// The board's logic (event → cache patching, card order, drop rules) and its components,
// in a DOM without a browser. Browser tests live in vitest.e2e.config.ts.
export default defineProject({
  plugins: [react()],
  test: {
    name: "web-client",
    include: ["src/client/**/*.test.{ts,tsx}"],
    environment: "jsdom",
  },
});
