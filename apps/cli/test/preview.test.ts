import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { phaseboard, type Sandbox, sandbox, startPhaseboard } from "./phaseboardBinary.js";

// `phaseboard preview` against a running server: the preview is the server's, so it keeps
// answering after the command returns, until `--stop`.

const SERVE_JS = `require("node:http")
  .createServer((request, response) => response.end("hello from " + process.env.PORT))
  .listen(Number(process.env.PORT), "127.0.0.1");
console.log("listening");
`;

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

function gitProject(box: Sandbox, preview: string) {
  const definitions = join(box.project, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  writeFileSync(
    join(definitions, "touch.yaml"),
    "name: Touch\nphases: [work]\nsteps:\n  - { id: touch, phase: work, type: script, command: 'echo done > done.txt' }\n",
  );
  writeFileSync(join(box.project, ".agent", "phaseboard.yaml"), preview);
  writeFileSync(join(box.project, "serve.js"), SERVE_JS);
  writeFileSync(join(box.project, ".gitignore"), ".agent/workflows/executions/\n");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: box.project });
  git("init", "--quiet", "--initial-branch=main");
  git("-c", "user.email=dev@example.com", "-c", "user.name=Dev", "add", ".");
  git(
    "-c",
    "user.email=dev@example.com",
    "-c",
    "user.name=Dev",
    "commit",
    "--quiet",
    "-m",
    "start",
  );
}

async function serverWithRun(box: Sandbox) {
  const first = 30_000 + Math.floor(Math.random() * 2_000) * 10;
  box.env.PHASEBOARD_PORT_RANGE = `${first}-${first + 99}`;
  const serve = startPhaseboard(box, ["serve", "--port", "0"]);
  stop = () => serve.child.kill("SIGTERM");
  const [, url] = await serve.waitForOutput(/running at (http:\/\/\S+)/);
  const env = { PHASEBOARD_URL: url ?? "" };
  const ran = await phaseboard(box, ["run", "touch"], { env });
  expect(ran.code).toBe(0);
  const runs = JSON.parse((await phaseboard(box, ["list", "--json"], { env })).stdout) as {
    id: string;
  }[];
  return { env, id: runs[0]?.id ?? "", first };
}

describe("phaseboard preview", () => {
  it("starts the run's preview, prints its address once it answers, and --stop ends it", async () => {
    const box = sandbox();
    gitProject(box, "preview:\n  command: [node, serve.js]\n");
    const { env, id, first } = await serverWithRun(box);
    const started = await phaseboard(box, ["preview", id], { env });
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    expect(started.stdout.trim()).toBe(`${id}: preview answers at http://127.0.0.1:${first}/`);
    expect(await (await fetch(`http://127.0.0.1:${first}/`)).text()).toBe(`hello from ${first}`);

    const stopped = await phaseboard(box, ["preview", id, "--stop"], { env });
    expect(stopped.code).toBe(0);
    expect(stopped.stdout.trim()).toBe(`${id}: preview stopped`);
    await expect(fetch(`http://127.0.0.1:${first}/`)).rejects.toThrow();
  });

  it("exits 1 with the preview's output when its command fails at once", async () => {
    const box = sandbox();
    gitProject(box, "preview:\n  command: 'echo cannot find vite >&2; exit 127'\n");
    const { env, id } = await serverWithRun(box);
    const started = await phaseboard(box, ["preview", id], { env });
    expect(started.code).toBe(1);
    expect(started.stdout).toContain(`${id}: preview exited with code 127`);
    expect(started.stderr).toContain("cannot find vite");
  });
});
