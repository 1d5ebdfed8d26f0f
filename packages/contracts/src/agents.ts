import { z } from "zod";
import { definitionErrorSchema } from "./definitions.js";
import { dataEnvelope } from "./errors.js";

/**
 * An agent a project's steps may name: a built-in CLI (claude, codex, gemini) or one the
 * project declares in `.agent/agents/<name>.yaml`. A broken declaration is listed with
 * its error, as a broken template is.
 */
export const projectAgentSchema = z.object({
  name: z.string(),
  kind: z.enum(["built-in", "declared"]),
  description: z.string().nullable(),
  /** The executable looked up on PATH, or its absolute path. */
  command: z.string().nullable(),
  /** The declaration's file, relative to the project root (declared agents). */
  path: z.string().nullable(),
  /** How stdout is read: a built-in dialect (claude, codex, gemini) or `text`. */
  output: z.string().nullable(),
  /** The command was found (and, for a built-in, answered `--version`). */
  installed: z.boolean(),
  /** Can run here: installed, and for a built-in, signed in. */
  available: z.boolean(),
  version: z.string().nullable(),
  /** Why it cannot run, in words (with the install hint when there is one). */
  reason: z.string().nullable(),
  /** Set when the declaration does not parse; such an agent cannot be used. */
  error: definitionErrorSchema.nullable(),
});
export type ProjectAgent = z.infer<typeof projectAgentSchema>;

export const projectAgentListResponseSchema = dataEnvelope(z.array(projectAgentSchema));
