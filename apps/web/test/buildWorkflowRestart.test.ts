import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HELLO = `name: Hello
phases: [greet]
steps:
  - { id: hello, phase: greet, type: script, command: echo hello }
`;

const BYE = `name: Bye
phases: [leave]
steps:
  - { id: bye, phase: leave, type: script, command: echo bye }
`;

type Build = { id: string; name: string; status: string };

/** The System board's builds once `count` of them have finished. */
async function finishedBuilds(s: TestServer, count: number): Promise<Build[]> {
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

describe("the Build Workflow across a restart", () => {
  it("builds each version of a template file once: unchanged files are not built again at start", async () => {
    const first = await startTestServer({
      env: { PHASEBOARD_BUILDS: "on" },
      templates: { "hello.yaml": HELLO, "bye.yaml": BYE },
    });
    server = first;
    const before = await finishedBuilds(first, 2);
    expect(before.map((run) => run.status)).toEqual(["completed", "completed"]);
    await first.close();
    server = undefined;

    // While the server is down, one file changes; the other stays as it was.
    writeFileSync(
      join(first.projectDir, ".agent/workflows/definitions/bye.yaml"),
      BYE.replace("echo bye", "echo goodbye"),
    );
    server = await startTestServer({ restart: first });
    const after = await finishedBuilds(server, 3);
    expect(after).toHaveLength(3);
    const names = after.map((run) => run.name);
    expect(names.filter((name) => name.startsWith("Build hello.yaml"))).toHaveLength(1);
    expect(names.filter((name) => name.startsWith("Build bye.yaml"))).toHaveLength(2);
    expect(after.at(-1)).toMatchObject({ status: "completed", error_message: null });
    expect(after.at(-1)?.name).toMatch(/^Build bye\.yaml @ /);
  }, 120_000);
});
