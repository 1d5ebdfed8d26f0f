import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TemplateLoadError } from "../templates/TemplateLoadError.js";
import { parseYamlTemplate } from "./parseYamlTemplate.js";
import { yamlDefinition } from "./yamlDefinition.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/templates/", import.meta.url));
const repoDefinitions = fileURLToPath(
  new URL("../../../../.agent/workflows/definitions/", import.meta.url),
);

function parseFixture(name: string) {
  const file = `${fixtures}${name}`;
  return parseYamlTemplate(readFileSync(file, "utf8"), file);
}

function failure(name: string): TemplateLoadError {
  try {
    parseFixture(`invalid/${name}`);
  } catch (error) {
    if (error instanceof TemplateLoadError) return error;
    throw error;
  }
  throw new Error(`${name} parsed, but should not`);
}

describe("parseYamlTemplate on valid templates", () => {
  it("parses seed 004's simple-pipeline.yaml unchanged, as shipped in .agent/workflows", () => {
    const shipped = readFileSync(`${repoDefinitions}simple-pipeline.yaml`, "utf8");
    expect(readFileSync(`${fixtures}valid/simple-pipeline.yaml`, "utf8")).toBe(shipped);
    const definition = yamlDefinition(parseFixture("valid/simple-pipeline.yaml"));
    expect(definition.name).toBe("Simple Build Pipeline");
    expect(definition.description).toBe("Build, test, and deploy");
    expect(definition.phases).toEqual(["build", "test", "deploy"]);
    expect(definition.argsSchema).toEqual({
      type: "object",
      properties: { environment: { type: "string", enum: ["dev", "staging", "production"] } },
      required: ["environment"],
    });
    expect(definition.steps).toEqual([
      { id: "install-deps", name: "Install Dependencies", phase: "build", type: "script" },
      { id: "build-app", name: "Build Application", phase: "build", type: "script" },
      { id: "run-tests", name: "Run Tests", phase: "test", type: "script" },
      { id: "deploy", name: "Deploy", phase: "deploy", type: "script" },
    ]);
  });

  it("parses a template that uses every YAML feature, flattening parallel groups into static steps", () => {
    const definition = yamlDefinition(parseFixture("valid/release-train.yaml"));
    expect(definition.workspace).toBe("worktree");
    expect(definition.triggers).toEqual([
      {
        type: "cron",
        schedule: "0 3 * * 1-5",
        timezone: "Europe/Berlin",
        args: { environment: "staging", packages: ["core"] },
      },
      {
        type: "webhook",
        secretEnv: "RELEASE_WEBHOOK_SECRET",
        args: { environment: "dev", packages: ["core"] },
      },
    ]);
    expect(definition.steps?.map((step) => `${step.phase}/${step.id}:${step.type}`)).toEqual([
      "prepare/lint:script",
      "prepare/typecheck:script",
      "build/build:script",
      "test/unit:script",
      "test/e2e:script",
      "release/approve:approval",
      "release/deploy:workflow",
      "release/notify:agent",
    ]);
  });

  it("parses seed 003's test → fix-tests → test loop with routing and maxVisits", () => {
    const template = parseFixture("valid/test-fix-loop.yaml");
    expect(template.steps[0]).toMatchObject({
      id: "test",
      maxVisits: 3,
      onSuccess: "done",
      onFailure: "fix-tests",
    });
  });
});

describe("parseYamlTemplate on invalid templates", () => {
  const cases: Array<[file: string, code: string, line: number, column: number, says: RegExp]> = [
    [
      "yaml-syntax.yaml",
      "YAML_SYNTAX",
      8,
      1,
      /YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
    ],
    [
      "unknown-step-type.yaml",
      "UNKNOWN_STEP_TYPE",
      6,
      11,
      /type "shell": expected one of agent, script, approval, workflow, signal, sleep, comment, send-signal, template, parallel/,
    ],
    ["function-step.yaml", "FUNCTION_STEP_IN_YAML", 6, 11, /exist only in TypeScript templates/],
    ["duplicate-step-id.yaml", "DUPLICATE_STEP_ID", 8, 9, /duplicate step id "build"/],
    [
      "unknown-phase.yaml",
      "UNKNOWN_PHASE",
      5,
      12,
      /phase "deploy" is not one of the template's phases \(build, test\)/,
    ],
    ["needs-cycle.yaml", "NEEDS_CYCLE", 8, 12, /needs form a cycle: one → three → two → one/],
    [
      "missing-route-target.yaml",
      "UNKNOWN_ROUTE_TARGET",
      8,
      16,
      /routes to "fix-tests", which is not a step of this list/,
    ],
    ["expression-syntax.yaml", "EXPRESSION_SYNTAX", 7, 40, /invalid expression `args.env \+\* 1`/],
    ["invalid-cron.yaml", "INVALID_CRON", 5, 15, /invalid cron schedule "61 \* \* \* \*"/],
    ["missing-command.yaml", "TEMPLATE_INVALID", 4, 5, /steps\[0\]\.command: is required/],
  ];

  it.each(cases)("%s fails with %s at its line and column", (file, code, line, column, says) => {
    const error = failure(file);
    expect({ code: error.code, line: error.line, column: error.column }).toEqual({
      code,
      line,
      column,
    });
    expect(error.file).toBe(`${fixtures}invalid/${file}`);
    expect(error.message).toMatch(says);
    expect(error.message.startsWith(`${error.file}:${line}:${column} `)).toBe(true);
  });

  it("names an unknown field and where it is", () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - id: x\n    phase: a\n    type: script\n    comand: make\n";
    expect(() => parseYamlTemplate(text, "t.yaml")).toThrow(
      't.yaml:7:5 steps[0].comand: unknown field "comand"',
    );
  });

  it("rejects retry on a step type that has no process to retry", () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - id: ok\n    phase: a\n    type: approval\n    message: go?\n    retry: { attempts: 3 }\n";
    expect(() => parseYamlTemplate(text, "t.yaml")).toThrow(
      't.yaml:8:5 steps[0].retry: unknown field "retry"',
    );
  });

  it("rejects routing in a list scheduled by needs", () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - id: a\n    phase: a\n    type: script\n    command: x\n" +
      "  - id: b\n    phase: a\n    type: script\n    command: y\n    needs: [a]\n    onFailure: a\n";
    expect(() => parseYamlTemplate(text, "t.yaml")).toThrow(
      /t\.yaml:13:16 .*routing needs steps that run in order/,
    );
  });

  it("rejects a reference to a step that does not exist, at load time", () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - id: test\n    phase: a\n    type: script\n    command: x\n" +
      "  - id: report\n    phase: a\n    type: script\n    command: echo {{ steps.tset.output.stdout }}\n";
    expect(() => parseYamlTemplate(text, "t.yaml")).toThrow(
      't.yaml:11:14 steps[1].command: `steps.tset.output.stdout` refers to steps.tset, but no step has the id "tset"',
    );
  });

  it("rejects an `if` that does not parse, at load time", () => {
    const text =
      "name: X\nphases: [a]\nsteps:\n  - id: a\n    phase: a\n    type: script\n    command: x\n    if: args.x ==\n";
    expect(() => parseYamlTemplate(text, "t.yaml")).toThrow(
      /t\.yaml:8:\d+ steps\[0\]\.if: invalid expression/,
    );
  });
});
