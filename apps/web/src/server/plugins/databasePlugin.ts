import type { DbClient } from "@phaseboard/db";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    db: DbClient;
  }
}

/** Shares the Prisma client with every plugin; the caller owns its lifetime. */
export const databasePlugin = fp(
  async (app: FastifyInstance, options: { db: DbClient }) => {
    app.decorate("db", options.db);
  },
  { name: "database" },
);
