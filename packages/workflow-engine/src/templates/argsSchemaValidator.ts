import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

// One Ajv for every template. `strict: false` because hand-written YAML schemas may carry
// annotations Ajv does not know; `useDefaults` fills zod `.default()` values and JSON Schema
// `default`s into the args; `addUsedSchema: false` so two templates may reuse an `$id`.
const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  useDefaults: true,
  coerceTypes: false,
  addUsedSchema: false,
});
// `format: email`, `uri`, `date-time`… are checked, not just annotations.
addFormats(ajv);

// Keyed by the schema's JSON, not its identity: callers such as the server rebuild the
// schema object from stored JSON for every run, and Ajv keeps whatever it compiles.
const cache = new Map<string, ValidateFunction>();

/** Compiles (once per distinct schema) a template's argsSchema; throws when it is invalid. */
export function argsSchemaValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(key, validate);
  }
  return validate;
}

/** `environment: must be one of dev, staging, production` for one Ajv error. */
export function describeAjvError(error: ErrorObject): { path: string; message: string } {
  const base = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
  const join = (key: string) => (base === "" ? key : `${base}.${key}`);
  switch (error.keyword) {
    case "required":
      return { path: join(String(error.params.missingProperty)), message: "is required" };
    case "additionalProperties":
      return {
        path: join(String(error.params.additionalProperty)),
        message: "is not an allowed argument",
      };
    case "enum":
      return {
        path: base,
        message: `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(", ")}`,
      };
    default:
      return { path: base, message: error.message ?? "is invalid" };
  }
}
