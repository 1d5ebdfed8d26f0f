import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDbClient, migrateDatabase } from "@phaseboard/db";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { buildApp } from "../buildApp.js";

describe("clientFilesPlugin", () => {
  it("serves the built board and falls back to index.html outside /api", async () => {
    const dir = tempDir("client");
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(join(dir, "assets", "app.js"), "console.log(1)");
    const url = `file:${join(tempDir("db"), "pb.db")}`;
    await migrateDatabase({ url });
    const db = createDbClient({ url });
    const app = await buildApp({ db, clientDir: dir });
    try {
      const page = await app.inject({ url: "/runs/abc" });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("<div id=root>");
      expect((await app.inject({ url: "/assets/app.js" })).body).toBe("console.log(1)");
      const api = await app.inject({ url: "/api/nothing" });
      expect(api.json().error.code).toBe("ROUTE_NOT_FOUND");
    } finally {
      await app.close();
      await db.$disconnect();
    }
  });
});
