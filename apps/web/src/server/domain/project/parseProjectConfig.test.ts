import { describe, expect, it } from "vitest";
import { ProjectConfigFileError } from "./ProjectConfigFileError.js";
import { parseProjectConfig } from "./parseProjectConfig.js";

const FILE = "/repo/.agent/phaseboard.yaml";

function refusal(text: string): ProjectConfigFileError {
  try {
    parseProjectConfig(text, FILE);
  } catch (error) {
    if (error instanceof ProjectConfigFileError) return error;
    throw error;
  }
  throw new Error(`accepted:\n${text}`);
}

describe("parseProjectConfig", () => {
  it("reads setup as a shell line, cleanup as an argv list, a timeout and a budget", () => {
    const config = parseProjectConfig(
      [
        "workspace:",
        "  setup: pnpm install --frozen-lockfile",
        "  cleanup: [rm, -rf, node_modules]",
        "  setup_timeout: 5m",
        "budget: { usd: 12.5, tokens: 2e6 }",
      ].join("\n"),
      FILE,
    );
    expect(config).toEqual({
      workspace: {
        setup: "pnpm install --frozen-lockfile",
        cleanup: ["rm", "-rf", "node_modules"],
        setup_timeout: "5m",
      },
      budget: { usd: 12.5, tokens: 2_000_000 },
    });
  });

  it("takes an empty file as an empty config", () => {
    expect(parseProjectConfig("", FILE)).toEqual({});
    expect(parseProjectConfig("# nothing yet\n", FILE)).toEqual({});
  });

  it("refuses an unknown top-level key at its line and column, naming the keys it knows", () => {
    const error = refusal("budget: { usd: 5 }\nworkspaces:\n  setup: pnpm install\n");
    expect(error).toMatchObject({ code: "PROJECT_CONFIG_INVALID", line: 2, column: 1 });
    expect(error.message).toBe(
      `${FILE}:2:1 workspaces: unknown key; expected workspace, budget, preview or notify`,
    );
  });

  it("refuses a misspelt workspace key where it is written", () => {
    const error = refusal("workspace:\n  setup: pnpm install\n  clenaup: rm -rf dist\n");
    expect(error.message).toBe(
      `${FILE}:3:3 workspace.clenaup: unknown key; expected setup, cleanup or setup_timeout`,
    );
  });

  it("refuses budgets that are not positive finite numbers: 0, negative, a string, NaN, infinity, a fraction of a token", () => {
    for (const [value, line, message] of [
      ["budget:\n  usd: 0\n", 2, "budget.usd: must be a positive number"],
      ["budget:\n  usd: -3\n", 2, "budget.usd: must be a positive number"],
      ['budget:\n  usd: "5"\n', 2, "budget.usd: Invalid input: expected number, received string"],
      ["budget:\n  usd: .nan\n", 2, "budget.usd: Invalid input: expected number, received NaN"],
      ["budget:\n  usd: .inf\n", 2, "budget.usd:"],
      ["budget:\n  tokens: 1.5\n", 2, "budget.tokens: must be a whole number"],
      ["budget:\n  tokens: 0\n", 2, "budget.tokens: must be a positive number"],
      ["budget: {}\n", 1, "budget: needs usd, tokens or both"],
      ["budget:\n  dollars: 5\n", 2, "budget.dollars: unknown key; expected usd or tokens"],
    ] as const) {
      const error = refusal(value);
      expect(error.line, value).toBe(line);
      expect(error.message, value).toContain(`${FILE}:${line}:`);
      expect(error.message, value).toContain(message);
    }
  });

  it("refuses setup commands that are empty, not text, or an empty list", () => {
    for (const text of [
      'workspace:\n  setup: ""\n',
      "workspace:\n  setup: 42\n",
      "workspace:\n  setup: []\n",
      "workspace:\n  cleanup: [rm, 3]\n",
    ]) {
      const error = refusal(text);
      expect(error.line, text).toBe(2);
      expect(error.code).toBe("PROJECT_CONFIG_INVALID");
    }
    expect(refusal("workspace:\n  setup: 42\n").message).toContain(
      'workspace.setup: expected a shell line such as "pnpm install" or an argv list',
    );
  });

  it("refuses a setup timeout that is not a duration", () => {
    const error = refusal("workspace:\n  setup: make\n  setup_timeout: soon\n");
    expect(error.message).toBe(
      `${FILE}:3:18 workspace.setup_timeout: expected a duration such as "90s", "10m" or a number of milliseconds`,
    );
    expect(refusal("workspace:\n  setup_timeout: -5\n").line).toBe(2);
  });

  it("reports YAML syntax errors and a file that is not a mapping with their place", () => {
    const syntax = refusal("workspace:\n  setup: [pnpm, install\n");
    expect(syntax.code).toBe("YAML_SYNTAX");
    expect(syntax.line).toBeGreaterThanOrEqual(2);
    expect(refusal("- pnpm install\n").message).toContain(`${FILE}:1:1`);
  });

  it("reads notify webhooks and refuses a URL that is not http(s) at its place", () => {
    const config = parseProjectConfig(
      "notify:\n  - url: https://hooks.example.com/x\n    events: [waiting, failed]\n    format: slack\n",
      FILE,
    );
    expect(config.notify).toEqual([
      { url: "https://hooks.example.com/x", events: ["waiting", "failed"], format: "slack" },
    ]);
    const ftp = refusal("notify:\n  - url: ftp://example.com/hook\n");
    expect(ftp.message).toBe(`${FILE}:2:10 notify[0].url: expected an http:// or https:// URL`);
    expect(refusal("notify:\n  - url: http://x.test\n    events: [merged]\n").message).toContain(
      "notify[0].events[0]",
    );
    expect(refusal("notify:\n  - url: http://x.test\n    secret: s\n").message).toBe(
      `${FILE}:3:5 notify[0].secret: unknown key; expected url, events or format`,
    );
  });

  it("reads a preview with its defaults: PORT and /", () => {
    expect(parseProjectConfig("preview:\n  command: pnpm dev\n", FILE).preview).toEqual({
      command: "pnpm dev",
      port_env: "PORT",
      ready_path: "/",
    });
    expect(
      parseProjectConfig(
        "preview:\n  command: [node, serve.js]\n  port_env: APP_PORT\n  ready_path: /health?probe=1\n  ready_timeout: 30s\n",
        FILE,
      ).preview,
    ).toEqual({
      command: ["node", "serve.js"],
      port_env: "APP_PORT",
      ready_path: "/health?probe=1",
      ready_timeout: "30s",
    });
  });

  it("refuses a preview port_env that is not an environment variable name, at its place", () => {
    for (const name of ["1PORT", "MY-PORT", "PORT; rm -rf /", '""']) {
      const error = refusal(`preview:\n  command: pnpm dev\n  port_env: ${name}\n`);
      expect(error.message, name).toMatch(
        new RegExp(`^${FILE}:3:13 preview\\.port_env: expected an environment variable name`),
      );
    }
  });

  it("refuses a ready_path that does not start with / or holds spaces, and a preview without a command", () => {
    expect(refusal("preview:\n  command: pnpm dev\n  ready_path: health\n").message).toBe(
      `${FILE}:3:15 preview.ready_path: must start with "/", such as "/" or "/health"`,
    );
    expect(refusal('preview:\n  command: pnpm dev\n  ready_path: "/a b"\n').message).toContain(
      "preview.ready_path: must be a URL path without spaces",
    );
    expect(refusal("preview:\n  port_env: PORT\n").message).toContain(`${FILE}:2:3 preview`);
    expect(refusal("preview:\n  command: pnpm dev\n  port: 3000\n").message).toBe(
      `${FILE}:3:3 preview.port: unknown key; expected command, port_env, ready_path or ready_timeout`,
    );
  });
});
