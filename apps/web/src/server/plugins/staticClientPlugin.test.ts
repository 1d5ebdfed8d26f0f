import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { errorHandlerPlugin } from "./errorHandlerPlugin.js";
import { staticClientPlugin } from "./staticClientPlugin.js";

async function appServing(root: string) {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  app.get("/api/health", async () => ({ data: { status: "ok" } }));
  await app.register(staticClientPlugin, { root });
  return app;
}

function builtClient() {
  const root = tempDir("client");
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><div id=root></div>");
  writeFileSync(join(root, "assets", "main-abc.js"), "console.log(1)");
  return root;
}

describe("staticClientPlugin", () => {
  let app: Awaited<ReturnType<typeof appServing>> | undefined;
  afterEach(async () => app?.close());

  it("serves the board's index and its assets", async () => {
    app = await appServing(builtClient());
    const index = await app.inject({ method: "GET", url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toMatch(/text\/html/);
    expect(index.body).toContain("<div id=root>");
    const asset = await app.inject({ method: "GET", url: "/assets/main-abc.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe("console.log(1)");
  });

  it("answers a page of the board's own router with index.html so a reload works", async () => {
    app = await appServing(builtClient());
    const page = await app.inject({ method: "GET", url: "/runs/ck123?step=build" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<div id=root>");
  });

  it("keeps unknown API paths as JSON 404s and leaves the API routes alone", async () => {
    app = await appServing(builtClient());
    const missing = await app.inject({ method: "GET", url: "/api/nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: { code: "ROUTE_NOT_FOUND", message: "No route GET /api/nope" },
    });
    const health = await app.inject({ method: "GET", url: "/api/health" });
    expect(health.json()).toEqual({ data: { status: "ok" } });
  });

  it("tells how to build the board when it has not been built", async () => {
    app = await appServing(tempDir("empty"));
    const index = await app.inject({ method: "GET", url: "/" });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain("pnpm --filter @phaseboard/web build");
  });
});
