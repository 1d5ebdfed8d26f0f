import { DECLARED_AGENT_OUTPUTS, DECLARED_AGENT_PROMPT_MODES } from "@phaseboard/agent-cli";
import { z } from "zod";

/** A string, or a group of strings kept or dropped together. */
const argTemplate = z.array(z.union([z.string(), z.array(z.string()).min(1)]));

/** What `.agent/agents/<name>.yaml` may hold; anything else is an unknown field. */
export const agentDeclarationSchema = z.strictObject({
  description: z.string().optional(),
  command: z.string().min(1),
  args: argTemplate.optional(),
  prompt: z.enum(DECLARED_AGENT_PROMPT_MODES).optional(),
  output: z.enum(DECLARED_AGENT_OUTPUTS),
  resume: argTemplate.optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
  install: z.string().optional(),
});

export type AgentDeclarationFile = z.infer<typeof agentDeclarationSchema>;
