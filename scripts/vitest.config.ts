import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "scripts",
    include: ["**/*.test.ts"],
    // Setup runs on the real checkout and the package test installs the packed tarball,
    // which compiles better-sqlite3 from source (about a minute on a busy machine).
    testTimeout: 120_000,
  },
});
