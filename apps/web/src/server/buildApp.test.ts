import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDbClient, type DbClient, migrateDatabase } from "@phaseboard/db";
import { tempDir } from "@phaseboard/test-kit";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "./buildApp.js";

describe("buildApp", () => {
  let db: DbClient;
  let app: FastifyInstance;
  const token = "0123456789abcdef-secret";

  beforeEach(async () => {
    const url = `file:${join(tempDir("app"), "pb.db")}`;
    await migrateDatabase({ url });
    db = createDbClient({ url });
  });
  afterEach(async () => {
    await app?.close();
    await db.$disconnect();
  });

  it("answers unknown routes with the error envelope", async () => {
    app = await buildApp({ db });
    const response = await app.inject({ method: "GET", url: "/api/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: "ROUTE_NOT_FOUND", message: "No route GET /api/nothing-here" },
    });
  });

  it("names an unknown route by its path, never echoing the query (it may hold a token)", async () => {
    app = await buildApp({ db });
    const response = await app.inject({ method: "GET", url: "/api/nothing-here?token=s3cret" });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain("s3cret");
    expect(response.json().error.message).toBe("No route GET /api/nothing-here");
  });

  it("answers malformed JSON with 400 BAD_REQUEST", async () => {
    app = await buildApp({ db });
    app.post("/api/echo", async (request) => ({ data: request.body }));
    const response = await app.inject({
      method: "POST",
      url: "/api/echo",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("BAD_REQUEST");
  });

  it("requires the token on every route but health when one is configured", async () => {
    app = await buildApp({ db, token });
    app.get("/api/secret", async () => ({ data: "ok" }));
    expect((await app.inject({ url: "/api/health" })).statusCode).toBe(200);

    const missing = await app.inject({ url: "/api/secret" });
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error.message).toMatch(/requires an access token/);

    const wrong = await app.inject({
      url: "/api/secret",
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe("The access token is not valid");

    const right = await app.inject({
      url: "/api/secret",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(right.statusCode).toBe(200);
  });

  it("serves the built board without a token, and still guards the API behind it", async () => {
    const clientDir = tempDir("client");
    mkdirSync(join(clientDir, "assets"));
    writeFileSync(join(clientDir, "index.html"), '<!doctype html><div id="root"></div>');
    writeFileSync(join(clientDir, "assets", "app.js"), "console.log(1)");
    app = await buildApp({ db, token, clientDir });
    const page = await app.inject({ url: "/runs/abc" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect((await app.inject({ url: "/assets/app.js" })).body).toBe("console.log(1)");
    expect((await app.inject({ url: "/api/projects" })).statusCode).toBe(401);
    expect((await app.inject({ url: "/api/nothing?x=/assets" })).statusCode).toBe(401);
    const authorized = await app.inject({
      url: "/api/nothing",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(authorized.json().error.code).toBe("ROUTE_NOT_FOUND");
  });
});
