import { z } from "zod";

/** A spending limit; each given figure must be a positive number. */
export const budgetSchema = z
  .strictObject({
    usd: z.number().positive("must be a positive number").finite().optional(),
    tokens: z
      .number()
      .int("must be a whole number")
      .positive("must be a positive number")
      .optional(),
  })
  .refine((budget) => budget.usd !== undefined || budget.tokens !== undefined, {
    message: "needs usd, tokens or both",
  });
