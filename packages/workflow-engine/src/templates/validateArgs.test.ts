import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { ArgsValidationError } from "./ArgsValidationError.js";
import { defineWorkflow } from "./defineWorkflow.js";
import { loadTemplate } from "./loadTemplate.js";
import { validateArgs } from "./validateArgs.js";

const repoDefinitions = fileURLToPath(
  new URL("../../../../.agent/workflows/definitions/", import.meta.url),
);

function rejection(fn: () => unknown): ArgsValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ArgsValidationError) return error;
    throw error;
  }
  throw new Error("expected ArgsValidationError");
}

const codeDefinition = defineWorkflow({
  name: "Deploy",
  phases: ["deploy"],
  argsSchema: z.object({
    environment: z.enum(["dev", "staging", "production"]),
    replicas: z.number().int().min(1).default(2),
  }),
  async execute() {},
});

describe("validateArgs", () => {
  it("names the field and the allowed values, the same way for YAML and TypeScript templates", async () => {
    const loaded = await loadTemplate(join(repoDefinitions, "simple-pipeline.yaml"));
    if (!loaded.ok) throw new Error(loaded.error.message);
    const fromYaml = rejection(() => validateArgs(loaded.definition, { environment: "qa" }));
    const fromCode = rejection(() => validateArgs(codeDefinition, { environment: "qa" }));
    for (const error of [fromYaml, fromCode]) {
      expect(error.code).toBe("ARGS_INVALID");
      expect(error.issues).toEqual([
        { path: "environment", message: "must be one of dev, staging, production" },
      ]);
      expect(error.message).toBe(
        "invalid arguments: environment: must be one of dev, staging, production",
      );
    }
  });

  it("reports a missing required argument and every other problem at once", () => {
    const error = rejection(() => validateArgs(codeDefinition, { replicas: 0 }));
    expect(error.issues).toEqual([
      { path: "environment", message: "is required" },
      { path: "replicas", message: "must be >= 1" },
    ]);
  });

  it("returns a copy with schema defaults filled in and leaves the input untouched", () => {
    const input = { environment: "dev" };
    expect(validateArgs(codeDefinition, input)).toEqual({ environment: "dev", replicas: 2 });
    expect(input).toEqual({ environment: "dev" });
  });

  it("validates against a schema rebuilt from JSON for every call, as the server stores it", () => {
    const stored = JSON.stringify(codeDefinition.argsSchema);
    for (const environment of ["dev", "staging"]) {
      expect(validateArgs({ argsSchema: JSON.parse(stored) }, { environment })).toMatchObject({
        environment,
      });
    }
    const withId = { $id: "https://example.com/args.json", type: "object", required: ["a"] };
    expect(() => validateArgs({ argsSchema: { ...withId } }, {})).toThrow("a: is required");
    expect(validateArgs({ argsSchema: { ...withId, required: [] } }, {})).toEqual({});
  });

  it("rejects arguments that are not an object", () => {
    expect(rejection(() => validateArgs(codeDefinition, ["dev"])).message).toBe(
      "invalid arguments: must be object",
    );
  });
});

describe("defineWorkflow", () => {
  it("turns the zod schema into the JSON Schema callers must satisfy", () => {
    expect(codeDefinition.argsSchema).toMatchObject({
      type: "object",
      properties: {
        environment: { enum: ["dev", "staging", "production"] },
        replicas: { default: 2 },
      },
      required: ["environment"],
    });
    expect(codeDefinition.steps).toBeUndefined();
  });

  it("types ctx.args from the zod schema (checked by the type checker)", () => {
    defineWorkflow({
      name: "Typed",
      phases: ["a"],
      argsSchema: z.object({ count: z.number(), label: z.string().optional() }),
      async execute(ctx) {
        expectTypeOf(ctx.args.count).toEqualTypeOf<number>();
        expectTypeOf(ctx.args.label).toEqualTypeOf<string | undefined>();
        // @ts-expect-error: not declared in the schema
        ctx.args.missing;
      },
    });
  });

  it("checks `format` keywords instead of treating them as annotations", () => {
    const definition = {
      argsSchema: {
        type: "object",
        properties: { notify: { type: "string", format: "email" } },
      },
    };
    expect(rejection(() => validateArgs(definition, { notify: "not-an-address" })).issues).toEqual([
      { path: "notify", message: 'must match format "email"' },
    ]);
    expect(validateArgs(definition, { notify: "ann@example.com" })).toEqual({
      notify: "ann@example.com",
    });
  });
});
