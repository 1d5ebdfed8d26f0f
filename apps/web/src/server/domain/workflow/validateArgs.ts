import { Ajv, type ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";
import { HttpError } from "../../HttpError.js";

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<object, ReturnType<Ajv["compile"]>>();

/**
 * Checks run arguments against the template's JSON Schema. The error names each field
 * (`args.featureName: must be string`), so the board can mark the right input.
 */
export function validateArgs(schema: Record<string, unknown>, args: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(args)) return;
  throw new HttpError(
    "VALIDATION_FAILED",
    (validate.errors ?? []).map(describe).join("; "),
    validate.errors,
  );
}

function describe(error: ErrorObject): string {
  const path = error.instancePath.split("/").filter(Boolean);
  if (error.keyword === "required") path.push(String(error.params.missingProperty));
  if (error.keyword === "additionalProperties") path.push(String(error.params.additionalProperty));
  return `${["args", ...path].join(".")}: ${error.message ?? "is invalid"}`;
}
