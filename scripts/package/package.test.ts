import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package as a user gets it: packed, installed with real npm into a prefix of its own
// (dependencies from the npm registry; better-sqlite3 compiles from source, about a
// minute), then used in a fresh git repository with no Phaseboard checkout in sight.
// HOME stays the user's (node-gyp finds Node's headers through ~/.npmrc); the package's
// state goes to a temporary PHASEBOARD_HOME.
const root = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "phaseboard-package-"));
const prefix = join(work, "prefix");
const repo = join(work, "repo");
const home = join(work, "phaseboard-home");
const bin = join(prefix, "bin", "phaseboard");
const env = {
  ...process.env,
  PATH: `${join(prefix, "bin")}:${process.env.PATH}`,
  PHASEBOARD_HOME: home,
  PHASEBOARD_BUILDS: "off",
  PHASEBOARD_PROJECT: "",
  DATABASE_URL: "",
  LOG_LEVEL: "warn",
  NO_COLOR: "1",
};
const children: ChildProcess[] = [];

function git(...args: string[]) {
  const result = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function serve(port: number) {
  const child = spawn(bin, ["serve", "--port", String(port)], {
    cwd: repo,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const running = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", () => {
      const match = /running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  // A serve that is meant to fail is awaited through `exited`, never `running`.
  running.catch(() => undefined);
  return { child, running, exited, output: () => ({ stdout, stderr }) };
}

beforeAll(() => {
  const packed = spawnSync(
    process.execPath,
    [join(root, "scripts", "package", "pack.mjs"), "--out", work],
    { cwd: root, encoding: "utf8", timeout: 300_000 },
  );
  expect(packed.status, packed.stderr).toBe(0);
  const tarball = packed.stdout.trim().split("\n").at(-1) ?? "";
  expect(tarball).toMatch(/phaseboard-\d+\.\d+\.\d+\.tgz$/);
  // As a user's shell runs it: without the npm_* settings of the pnpm run around the tests.
  const userEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
  );
  const installed = spawnSync(
    "npm",
    ["install", "-g", "--prefix", prefix, tarball, "--no-fund", "--no-audit", "--loglevel=error"],
    { cwd: work, env: userEnv, encoding: "utf8", timeout: 1_500_000 },
  );
  expect(installed.status, `${installed.stdout}\n${installed.stderr}`).toBe(0);
  mkdirSync(repo);
  git("init", "--quiet", "--initial-branch=main");
  git("config", "user.email", "me@example.com");
  git("config", "user.name", "Me");
  writeFileSync(join(repo, "README.md"), "# a repository\n");
  git("add", "README.md");
  git("commit", "--quiet", "-m", "First commit");
}, 1_800_000);

afterAll(() => {
  for (const child of children) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("installs globally, puts phaseboard on PATH, and carries no source checkout", () => {
    const version = spawnSync("phaseboard", ["--version"], { env, encoding: "utf8" });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = join(prefix, "lib", "node_modules", "phaseboard");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    expect(() => readFileSync(join(installed, "apps", "cli", "src", "main.ts"))).toThrow();
  });

  it("runs a starter template to completion in any git repository: init, then serve", async () => {
    const init = spawnSync("phaseboard", ["init"], { cwd: repo, env, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    expect(readFileSync(join(repo, ".gitignore"), "utf8")).toContain(
      ".agent/workflows/executions/",
    );
    const server = serve(await freePort());
    const url = await server.running;
    const board = await (await fetch(`${url}/`)).text();
    expect(board).toMatch(/<script type="module"[^>]* src="\/assets\//);
    const api = async (path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        ...(body !== undefined && {
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      });
      return { status: response.status, body: (await response.json()) as { data: never } };
    };
    const projects: { id: string; path: string }[] = (await api("/api/projects")).body.data;
    const project = projects.find((candidate) => candidate.path === repo);
    expect(project).toBeDefined();
    const definitions: { id: string; identifier: string }[] = (
      await api(`/api/workflow-definitions?project_id=${project?.id}`)
    ).body.data;
    const hello = definitions.find((definition) => definition.identifier === "hello");
    expect(hello).toBeDefined();
    const launched = await api("/api/workflow-executions", {
      project_id: project?.id,
      workflow_definition_id: hello?.id,
      args: { who: "package" },
    });
    expect(launched.status).toBe(201);
    const runId = (launched.body.data as { id: string }).id;
    let status = "";
    for (let attempt = 0; attempt < 240 && status !== "completed"; attempt++) {
      status = ((await api(`/api/workflow-executions/${runId}`)).body.data as { status: string })
        .status;
      if (status === "failed" || status === "cancelled") break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe("completed");
  });

  it("refuses a second serve on a port in use, naming the port and the server there", async () => {
    const port = await freePort();
    const first = serve(port);
    const url = await first.running;
    const second = serve(port);
    expect(await second.exited).toBe(1);
    const { stderr } = second.output();
    expect(stderr).toContain(`port ${port}`);
    expect(stderr).toContain(`the Phaseboard server at ${url}`);
    expect(stderr).toContain(`pid ${first.child.pid}`);
    // The first server is untouched.
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
  });
});
