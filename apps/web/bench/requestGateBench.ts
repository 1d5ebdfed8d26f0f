// Request gate benchmark: what deciding one request costs, next to the cheapest whole
// request the server answers (GET /api/health through app.inject) measured in the same run.
// Run: pnpm --filter @phaseboard/web bench
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDbClient, migrateDatabase } from "@phaseboard/db";
import { buildApp } from "../src/server/buildApp.js";
import { decideRequest } from "../src/server/http/requestGate.js";
import { PUBLIC_ROUTES, QUERY_TOKEN_ROUTES } from "../src/server/plugins/requestGatePlugin.js";

const DECISIONS = 200_000;
const REQUESTS = 5_000;
const token = "0123456789abcdef-bench";
const policy = {
  token,
  allowedHosts: ["board.example.test"],
  publicRoutes: PUBLIC_ROUTES,
  queryTokenRoutes: QUERY_TOKEN_ROUTES,
};
const samples = [
  {
    method: "GET",
    url: "/api/workflow-executions?project_id=p1",
    routePattern: "/api/workflow-executions",
  },
  { method: "GET", url: "/%61pi/projects", routePattern: "/api/projects" },
  {
    method: "POST",
    url: "/api/workflow-executions/r1/cancel",
    routePattern: "/api/workflow-executions/:id/cancel",
  },
].map((sample) => ({
  ...sample,
  headers: {
    host: "127.0.0.1:4100",
    origin: "http://127.0.0.1:4100",
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    "content-length": "2",
  },
  query: {},
}));

let allowed = 0;
const gateStart = process.hrtime.bigint();
for (let i = 0; i < DECISIONS; i++) {
  if (decideRequest(samples[i % samples.length] as (typeof samples)[number], policy).allowed)
    allowed++;
}
const gateNs = Number(process.hrtime.bigint() - gateStart) / DECISIONS;

const root = mkdtempSync(join(tmpdir(), "phaseboard-gate-bench-"));
const url = `file:${join(root, "pb.db")}`;
await migrateDatabase({ url });
const db = createDbClient({ url });
const app = await buildApp({ db, token });
for (let i = 0; i < 200; i++) await app.inject({ url: "/api/health" });
const requestStart = process.hrtime.bigint();
for (let i = 0; i < REQUESTS; i++) await app.inject({ url: "/api/health" });
const requestNs = Number(process.hrtime.bigint() - requestStart) / REQUESTS;
await app.close();
await db.$disconnect();
rmSync(root, { recursive: true, force: true });

console.log(
  `request gate: ${(gateNs / 1000).toFixed(2)} µs per decision (${allowed}/${DECISIONS} allowed)`,
);
console.log(`baseline GET /api/health via inject: ${(requestNs / 1000).toFixed(1)} µs per request`);
console.log(`gate / baseline: ${(gateNs / requestNs).toFixed(3)}`);
