import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { phaseboard, sandbox } from "./phaseboardBinary.js";

const COMMANDS = [
  "serve",
  "init",
  "templates",
  "validate",
  "run",
  "list",
  "status",
  "logs",
  "pause",
  "resume",
  "cancel",
  "rewind",
  "approve",
  "signal",
];
const READ_COMMANDS = ["templates", "validate", "list", "status", "logs"];

/** A project with `.agent/` so commands get past project discovery. */
async function initialised() {
  const box = sandbox();
  const init = await phaseboard(box, ["init"]);
  expect(init.code).toBe(0);
  return box;
}

function expectOneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  return lines[0] ?? "";
}

describe("phaseboard init", () => {
  it("creates a YAML and a TypeScript starter template and prints the next steps", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["init"]);
    expect(result.code).toBe(0);
    const dir = join(box.project, ".agent", "workflows", "definitions");
    expect(readFileSync(join(dir, "hello.yaml"), "utf8")).toMatch(/^phases: \[greet, inspect\]$/m);
    expect(readFileSync(join(dir, "review-changes.ts"), "utf8")).toContain("defineWorkflow");
    expect(result.stdout).toContain("Next steps:");
    expect(result.stdout).toContain("phaseboard run hello --arg who=world");
  });

  it("refuses to overwrite existing templates, changing nothing, with exit 1", async () => {
    const box = await initialised();
    const file = join(box.project, ".agent", "workflows", "definitions", "hello.yaml");
    writeFileSync(file, "name: Mine\n");
    const result = await phaseboard(box, ["init"]);
    expect(result.code).toBe(1);
    expect(expectOneLine(result.stderr)).toMatch(/hello\.yaml.*already exist.*never overwrites/);
    expect(readFileSync(file, "utf8")).toBe("name: Mine\n");
  });

  it("adds the run data folder to .gitignore in a git repository, once", async () => {
    const box = sandbox();
    execFileSync("git", ["init", "--quiet"], { cwd: box.project });
    writeFileSync(join(box.project, ".gitignore"), "node_modules/");
    const result = await phaseboard(box, ["init"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Added .agent/workflows/executions/ to .gitignore");
    const ignore = readFileSync(join(box.project, ".gitignore"), "utf8");
    expect(ignore).toMatch(/^node_modules\/\n# .*\n\.agent\/workflows\/executions\/\n$/);
    rmSync(join(box.project, ".agent"), { recursive: true });
    expect((await phaseboard(box, ["init"])).stdout).not.toContain("Added");
    expect(readFileSync(join(box.project, ".gitignore"), "utf8")).toBe(ignore);
  });

  it("leaves no .gitignore outside a git repository", async () => {
    const box = sandbox();
    expect((await phaseboard(box, ["init"])).code).toBe(0);
    expect(existsSync(join(box.project, ".gitignore"))).toBe(false);
  });

  it("creates the project where --project points", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["init", "--project", "sub"], { cwd: box.project });
    expect(result.code).toBe(0);
    expect(
      existsSync(join(box.project, "sub", ".agent", "workflows", "definitions", "hello.yaml")),
    ).toBe(true);
  });
});

describe("phaseboard usage errors", () => {
  it("suggests the closest command for an unknown one, with exit 2", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["lsit"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe(
      "phaseboard: unknown command 'lsit' (did you mean list?)",
    );
    expect(result.stdout).toBe("");
  });

  it("suggests the closest flag for an unknown one, with exit 2", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["list", "--stauts", "running"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe(
      "phaseboard: unknown option '--stauts' (did you mean --status?)",
    );
  });

  it("names a missing argument, with exit 2", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["status"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe("phaseboard: missing required argument 'id'");
  });

  it("rejects --arg without = before touching the database, with exit 2", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["run", "hello", "--arg", "who"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe("phaseboard: --arg who: expected key=value");
    expect(existsSync(join(box.phaseboardHome, "phaseboard.db"))).toBe(false);
  });

  it("rejects an --args-file that is not JSON, with exit 2 and nothing created", async () => {
    const box = await initialised();
    writeFileSync(join(box.project, "args.json"), "who: world\n");
    const result = await phaseboard(box, ["run", "hello", "--args-file", "args.json"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toMatch(
      /^phaseboard: --args-file args\.json: not valid JSON/,
    );
    expect(existsSync(join(box.phaseboardHome, "phaseboard.db"))).toBe(false);
  });

  it("rejects an unknown --status value and a --payload that is not JSON, with exit 2", async () => {
    const box = await initialised();
    const status = await phaseboard(box, ["list", "--status", "done"]);
    expect(status.code).toBe(2);
    expect(expectOneLine(status.stderr)).toMatch(
      /--status done: expected one of blocked, pending, running/,
    );
    const signal = await phaseboard(box, ["signal", "r1", "go", "--payload", "{nope"]);
    expect(signal.code).toBe(2);
    expect(expectOneLine(signal.stderr)).toMatch(/^phaseboard: --payload: not valid JSON/);
  });

  it("rejects a --port that is not a port number, with exit 2", async () => {
    const box = await initialised();
    const result = await phaseboard(box, ["serve", "--port", "http"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe(
      "phaseboard: --port http: expected a whole number from 0 to 65535",
    );
  });

  it("says how to create a project when no .agent/ exists above the directory", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["list"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toMatch(
      /no \.agent\/ directory in .* run "phaseboard init" or pass --project DIR/,
    );
  });

  it("writes no colour codes when stderr is not a terminal", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["lsit"], { env: { FORCE_COLOR: "1" } });
    expect(result.stderr).not.toContain("\u001b[");
  });
});

describe("phaseboard --help", () => {
  it("shows examples for every command and --json on every read command", async () => {
    const box = sandbox();
    const helps = await Promise.all(
      COMMANDS.map((command) => phaseboard(box, [command, "--help"])),
    );
    COMMANDS.forEach((command, i) => {
      const help = helps[i];
      expect(help?.code, command).toBe(0);
      expect(help?.stdout, command).toMatch(new RegExp(`Examples:\\n  \\$ phaseboard ${command}`));
      expect(help?.stdout.includes("--json"), command).toBe(
        READ_COMMANDS.includes(command) || !["serve", "init"].includes(command),
      );
    });
  });

  it("lists every command in the top-level help", async () => {
    const result = await phaseboard(sandbox(), ["--help"]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS)
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
  });
});

describe("pnpm phaseboard", () => {
  it("works on the directory pnpm was called from (INIT_CWD), not the CLI's own folder", async () => {
    const box = sandbox();
    const repo = join(import.meta.dirname, "..", "..", "..");
    const { runProcess } = await import("@phaseboard/test-kit");
    const child = runProcess("pnpm", ["--dir", repo, "phaseboard", "init"], {
      cwd: box.project,
      env: { ...box.env, npm_config_update_notifier: "false" },
    });
    expect(await child.exited, child.stderr()).toBe(0);
    expect(existsSync(join(box.project, ".agent", "workflows", "definitions", "hello.yaml"))).toBe(
      true,
    );
  });

  it("rejects a --project that does not exist, with exit 2", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["list", "--project", "nowhere"]);
    expect(result.code).toBe(2);
    expect(expectOneLine(result.stderr)).toBe("phaseboard: --project nowhere: no such directory");
  });
});
