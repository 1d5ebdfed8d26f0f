import { z } from "zod";
import { dataEnvelope } from "./errors.js";

export const healthSchema = z.object({
  status: z.literal("ok"),
  version: z.string(),
  uptime_seconds: z.number().nonnegative(),
  database: z.object({
    /** The migration the database is at (the newest applied). */
    migration: z.string().nullable(),
  }),
});
export type Health = z.infer<typeof healthSchema>;
export const healthResponseSchema = dataEnvelope(healthSchema);
