import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { typecheckTemplate } from "./typecheckTemplate.js";

const template = (body: string) => `import { readFileSync } from "node:fs";
import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";

export default defineWorkflow({
  name: "Greet",
  phases: ["work"],
  argsSchema: z.object({ who: z.string() }),
  async execute(ctx) {
${body}
  },
});
`;

describe("typecheckTemplate", () => {
  it("accepts a template that type-checks, resolving the engine, zod and node's types", async () => {
    const file = join(tempDir("typecheck"), "greet.ts");
    writeFileSync(
      file,
      template(`    const hello = await ctx.step("hello", { phase: "work", type: "function", fn: () => "hi " + ctx.args.who });
    return [hello.data, readFileSync.name];`),
    );
    expect(await typecheckTemplate(file)).toEqual([]);
  }, 30_000);

  it("names the file, line and column of a type error in the template", async () => {
    const file = join(tempDir("typecheck"), "greet.ts");
    writeFileSync(file, template(`    return ctx.args.whom;`));
    const [error, ...rest] = await typecheckTemplate(file);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ code: "TEMPLATE_TYPE_ERROR", file, line: 10, column: 21 });
    expect(error?.message).toMatch(/^TS2551: Property 'whom' does not exist/);
  }, 30_000);
});
