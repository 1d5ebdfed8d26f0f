import type { SerializedError } from "../types/step.js";

/**
 * Turns anything thrown into the shape that crosses boundaries (checkpoints, events,
 * logs), keeping name, message, stack, code and the cause chain.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    if (error.stack) out.stack = error.stack;
    // Bounded: a cause chain that loops back on itself must not recurse forever.
    if (error.cause !== undefined && depth < 8) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown };
    return {
      name: typeof e.name === "string" ? e.name : "Error",
      message: String(e.message),
      ...(typeof e.code === "string" ? { code: e.code } : {}),
    };
  }
  return { name: "Error", message: String(error) };
}

/** An Error rebuilt from its serialized shape (name, code, stack and cause survive). */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message, {
    cause: serialized.cause ? deserializeError(serialized.cause) : undefined,
  });
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  if (serialized.code) Object.assign(error, { code: serialized.code });
  return error;
}
