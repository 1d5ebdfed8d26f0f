import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { agentsDir } from "../agents/discoverAgents.js";
import { MemoryWorkflowContext } from "../testing/MemoryWorkflowContext.js";
import { parseYamlTemplate } from "../yaml/parseYamlTemplate.js";
import { yamlDefinition } from "../yaml/yamlDefinition.js";
import { checkTemplateFile } from "./checkTemplateFile.js";

const PIPELINE = `name: Pipeline
phases: [build, ship]
steps:
  - { id: compile, phase: build, type: script, command: [make] }
  - { id: test, phase: build, type: script, command: [make, test] }
  - { id: deploy, phase: ship, type: agent, agent: deployer, prompt: Deploy it }
`;

function project(): { root: string; file: string } {
  const root = tempDir("check-template");
  const definitions = join(root, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  mkdirSync(agentsDir(root), { recursive: true });
  writeFileSync(join(agentsDir(root), "deployer.yaml"), "command: deploy-agent\noutput: text\n");
  const file = join(definitions, "pipeline.yaml");
  writeFileSync(file, PIPELINE);
  return { root, file };
}

describe("checkTemplateFile", () => {
  it("validates and plans a YAML template with the project's declared agents", async () => {
    const { root, file } = project();
    expect(await checkTemplateFile(file, { check: "validate", project: root })).toEqual({
      name: "Pipeline",
      format: "yaml",
      phases: ["build", "ship"],
      summary: "2 phases, 3 steps",
    });
    const planned = await checkTemplateFile(file, { check: "plan", project: root });
    expect(planned.plan?.phases.map((phase) => phase.steps.length)).toEqual([2, 1]);
  });

  it("throws the template's located error, and refuses an agent the project does not declare", async () => {
    const { file } = project();
    // A project that does not declare `deployer` refuses it.
    const other = tempDir("other-project");
    await expect(
      checkTemplateFile(file, { check: "validate", project: other }),
    ).rejects.toMatchObject({
      code: "UNKNOWN_AGENT",
      message: expect.stringMatching(new RegExp(`^${file}:6:\\d+ `)),
    });
    writeFileSync(
      file,
      "name: Broken\nphases: [a]\nsteps:\n  - { id: x, phase: b, type: sleep, duration: 1s }\n",
    );
    await expect(checkTemplateFile(file, { check: "plan" })).rejects.toMatchObject({
      code: "UNKNOWN_PHASE",
      message: expect.stringMatching(new RegExp(`^${file}:4:\\d+ `)),
    });
  });

  it("refuses a relative file or project, and a missing file", async () => {
    await expect(checkTemplateFile("pipeline.yaml", { check: "validate" })).rejects.toThrow(
      /not an absolute path/,
    );
    const { file } = project();
    await expect(
      checkTemplateFile(file, { check: "validate", project: "../elsewhere" }),
    ).rejects.toThrow(/the project "\.\.\/elsewhere" is not an absolute path/);
    await expect(
      checkTemplateFile(join(tempDir("none"), "gone.yaml"), { check: "validate" }),
    ).rejects.toMatchObject({ code: "TEMPLATE_NOT_FOUND" });
  });

  it("runs as a `template` step of a YAML template, in the run's own process", async () => {
    const { root, file } = project();
    const builder = yamlDefinition(
      parseYamlTemplate(
        `name: Checker
phases: [check]
steps:
  - { id: plan, phase: check, type: template, check: plan, file: "{{ args.file }}", project: "{{ args.project }}" }
`,
        "checker.yaml",
      ),
    );
    const ctx = new MemoryWorkflowContext({ args: { file, project: root } });
    await builder.execute(ctx);
    expect(ctx.results.get("plan")).toMatchObject({
      status: "completed",
      data: { name: "Pipeline", summary: "2 phases, 3 steps" },
    });
  });
});
