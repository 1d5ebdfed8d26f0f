import { UsageError } from "../errors/UsageError.js";
import { loadEngineTemplates } from "../templates/loadEngineTemplates.js";

/**
 * Checks arguments against the template's JSON Schema with the engine's own validator
 * before anything is created, so the message names the field (`who: is required`) and
 * no run exists afterwards. The server checks again; this only makes the error earlier.
 */
export async function checkArgsAgainstSchema(
  schema: Record<string, unknown> | null | undefined,
  args: Record<string, unknown>,
): Promise<void> {
  if (!schema) return;
  let engine: Awaited<ReturnType<typeof loadEngineTemplates>>;
  try {
    engine = await loadEngineTemplates();
  } catch {
    // No local validator in this build: the server's own check still names the field.
    return;
  }
  try {
    engine.validateArgs({ argsSchema: schema }, args);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ARGS_INVALID") {
      throw new UsageError((error as Error).message, { code: "ARGS_INVALID", cause: error });
    }
    throw error;
  }
}
