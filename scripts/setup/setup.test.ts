import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const stamps = [
  "node_modules/.phaseboard-setup.json",
  "packages/db/src/generated/.phaseboard-generate.json",
  "apps/web/dist/.phaseboard-build-server.json",
  "apps/cli/dist/.phaseboard-build-cli.json",
  "apps/web/dist/.phaseboard-build-client.json",
];

function setup(): string {
  const result = spawnSync(process.execPath, [join(root, "scripts", "setup.mjs")], {
    cwd: root,
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stderr;
}

const stopped: Array<() => void> = [];
afterEach(() => {
  for (const stop of stopped.splice(0)) stop();
});

describe("npm start's setup on an installed checkout", () => {
  it("runs neither pnpm install nor prisma generate nor a build when nothing changed", () => {
    // The first run brings this checkout up to date (usually it already is).
    setup();
    const before = stamps.map((stamp) => statSync(join(root, stamp)).mtimeMs);
    const output = setup();
    expect(output).not.toMatch(/installing dependencies/);
    expect(output).not.toMatch(/generating the Prisma client/);
    expect(output).not.toMatch(/bundling|building the board/);
    expect(stamps.map((stamp) => statSync(join(root, stamp)).mtimeMs)).toEqual(before);
  });

  it("starts the server from its bundle, without tsx, to a healthy /api/health", async () => {
    setup();
    const home = mkdtempSync(join(tmpdir(), "phaseboard-bundle-home-"));
    const server = spawn(process.execPath, [join(root, "apps", "web", "dist", "server.mjs")], {
      cwd: home,
      env: {
        ...process.env,
        PORT: "0",
        PHASEBOARD_HOME: home,
        PHASEBOARD_PROJECT: root,
        PHASEBOARD_BUILDS: "off",
        DATABASE_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    stopped.push(() => {
      server.kill("SIGTERM");
      rmSync(home, { recursive: true, force: true });
    });
    let stderr = "";
    server.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      server.stdout.on("data", (chunk) => {
        stdout += chunk;
        const match = /Phaseboard is running at (\S+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      server.once("exit", (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    // The built board, found from the bundle's place.
    const board = await (await fetch(`${url}/`)).text();
    expect(board).not.toContain("not built yet");
    expect(board).toMatch(/<script type="module"[^>]* src="\/assets\//);
    // Plain JavaScript: nothing is compiled at run time.
    const bundle = readFileSync(join(root, "apps", "web", "dist", "server.mjs"), "utf8");
    expect(bundle).not.toMatch(/from "[^"]*\/tsx\//);
  });
});
