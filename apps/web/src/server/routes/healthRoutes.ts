import type { Health } from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";

export async function healthRoutes(
  app: FastifyInstance,
  options: { version: string; migration: string | null },
) {
  const startedAt = process.hrtime.bigint();
  app.get("/api/health", async () => {
    // A trivial query proves the database answers, not just that the process is alive.
    await app.db.$queryRawUnsafe("SELECT 1");
    const data: Health = {
      status: "ok",
      version: options.version,
      uptime_seconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
      database: { migration: options.migration },
    };
    return { data };
  });
}
