import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GOOD_YAML = `name: Hello
phases: [greet]
steps:
  - { id: hello, phase: greet, type: script, command: echo hello }
`;

// Line 3, column 3: a step without a phase.
const BROKEN_YAML = `name: Broken
phases: [greet]
steps:
  - { id: hello, type: script, command: echo hello }
`;

const TYPO_TS = `import { defineWorkflow } from "@phaseboard/workflow-engine";
import { z } from "zod";
export default defineWorkflow({
  name: "Typo",
  phases: ["work"],
  argsSchema: z.object({ who: z.string() }),
  async execute(ctx) {
    return ctx.args.whom;
  },
});
`;

type Build = { id: string; name: string; status: string; args: { file: string } };

async function builds(s: TestServer, count: number): Promise<Build[]> {
  const systemId = s.app.services.builds?.systemProjectId;
  for (let i = 0; i < 1_200; i++) {
    await s.app.services.builds?.settled();
    const runs = (await s.app.db.workflowRun.findMany({
      where: { project_id: systemId },
      orderBy: { created_at: "asc" },
    })) as unknown as Build[];
    if (runs.length >= count && runs.every((run) => ["completed", "failed"].includes(run.status))) {
      return runs;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fewer than ${count} builds finished`);
}

async function reportOf(s: TestServer, runId: string): Promise<string> {
  const comments = (await s.api(`/api/workflow-executions/${runId}/comments`)).body.data as {
    text: string;
  }[];
  return comments.map((comment) => comment.text).join("\n");
}

describe("the Build Workflow", () => {
  it("builds every template on the System board; a broken one fails naming file, line and column", async () => {
    server = await startTestServer({
      env: { PHASEBOARD_BUILDS: "on" },
      templates: { "hello.yaml": GOOD_YAML, "broken.yaml": BROKEN_YAML, "typo.ts": TYPO_TS },
    });
    const s = server;
    const projects = (await s.api("/api/projects")).body.data as { id: string; name: string }[];
    expect(projects.map((project) => project.name)).toContain("System");

    const runs = await builds(s, 3);
    const byFile = new Map(runs.map((run) => [run.args.file.split("/").pop(), run]));
    expect(byFile.get("hello.yaml")).toMatchObject({ status: "completed" });
    expect(await reportOf(s, byFile.get("hello.yaml")?.id as string)).toMatch(
      /Built .*hello\.yaml: it parses, validates and plans as \d+ phases?, \d+ steps?/,
    );

    const broken = byFile.get("broken.yaml") as Build;
    expect(broken.status).toBe("failed");
    expect(await reportOf(s, broken.id)).toMatch(/broken\.yaml:4:\d+ /);

    const typo = byFile.get("typo.ts") as Build;
    expect(typo.status).toBe("failed");
    const report = await reportOf(s, typo.id);
    expect(report).toMatch(/typo\.ts:8:21 TS2551: Property 'whom' does not exist/);
    // The type check ran, not just the parse: the template itself loads.
    const steps = (await s.api(`/api/workflow-executions/${typo.id}`)).body.data.steps as {
      step_id: string;
      status: string;
    }[];
    expect(steps.find((step) => step.step_id === "parse")?.status).toBe("completed");
    expect(steps.find((step) => step.step_id === "typecheck")?.status).toBe("failed");

    // The Templates page links each template to its last build.
    const definitions = (await s.api(`/api/workflow-definitions?project_id=${s.projectId}`)).body
      .data as { identifier: string; last_build: { run_id: string; status: string } | null }[];
    expect(definitions.find((d) => d.identifier === "typo")?.last_build).toMatchObject({
      run_id: typo.id,
      status: "failed",
    });

    // A fixed file is built again; unchanged ones are not.
    writeFileSync(
      join(s.projectDir, ".agent/workflows/definitions/typo.ts"),
      TYPO_TS.replace("whom", "who"),
    );
    const after = await builds(s, 4);
    expect(after).toHaveLength(4);
    expect(after.at(-1)).toMatchObject({ status: "completed", args: { file: typo.args.file } });
  }, 120_000);
});
