/** Small readers for untyped JSON: agents' dialects evolve, so nothing is trusted. */
export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Tool output arrives as a string or as content blocks; the board wants text. */
export function contentToText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((block) => {
        const object = asObject(block);
        if (object && typeof object.text === "string") return object.text;
        return typeof block === "string" ? block : JSON.stringify(block);
      })
      .join("");
  }
  if (value === undefined || value === null) return "";
  return JSON.stringify(value);
}
