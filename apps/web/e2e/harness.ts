import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import axe from "axe-core";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../src/server/config.js";
import { type RunningServer, startServer } from "../src/server/startServer.js";

export const screenshotDir = join(import.meta.dirname, "screenshots");

/** Debian's Chromium with the flags this machine needs (see TOOLCHAIN.md). */
const chromiumPath = process.env.PHASEBOARD_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Board {
  /** Where the browser opens the board. */
  url: string;
  /** Where the API answers (the same server once it serves the board itself). */
  apiUrl: string;
  projectDir: string;
  server: RunningServer;
  browser: Browser;
  page: Page;
  /** Stops the server, runs `whileDown`, and starts it again on the same port and data. */
  restartServer(whileDown?: () => Promise<void>): Promise<void>;
  /** Saves a screenshot under e2e/screenshots/ (git-ignored) to be looked at. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the real server (temp PHASEBOARD_HOME and project, PORT 0) and Chromium on the
 * built board. `templates` are written to the project's definitions folder first.
 */
export async function startBoard(
  options: {
    templates?: Record<string, string>;
    /** More files of the project (path relative to it → text). */
    files?: Record<string, string>;
    /** Make the project a git repository with everything committed on `main`. */
    git?: boolean;
    width?: number;
    height?: number;
    /** A phone: touch events and the mobile viewport meta honoured. */
    mobile?: boolean;
    /** Browser permissions granted up front (clipboard ones always are). */
    permissions?: string[];
    dark?: boolean;
    /** More server settings (PHASEBOARD_PORT_RANGE…). */
    env?: Record<string, string>;
  } = {},
): Promise<Board> {
  const home = mkdtempSync(join(tmpdir(), "phaseboard-e2e-home-"));
  const projectDir = mkdtempSync(join(tmpdir(), "phaseboard-e2e-project-"));
  const definitions = join(projectDir, ".agent", "workflows", "definitions");
  mkdirSync(definitions, { recursive: true });
  for (const [file, content] of Object.entries(options.templates ?? {})) {
    writeFileSync(join(definitions, file), content);
  }
  for (const [file, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(projectDir, file)), { recursive: true });
    writeFileSync(join(projectDir, file), content);
  }
  if (options.git) {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: projectDir });
    writeFileSync(join(projectDir, ".gitignore"), ".agent/workflows/executions/\n");
    git("init", "--quiet", "--initial-branch=main");
    git("config", "user.email", "dev@example.com");
    git("config", "user.name", "Dev");
    git("add", ".");
    git("commit", "--quiet", "-m", "start");
  }
  const config = loadConfig(
    {
      PHASEBOARD_HOME: home,
      PHASEBOARD_PROJECT: projectDir,
      LOG_LEVEL: "warn",
      PHASEBOARD_BUILDS: "off",
      ...options.env,
    },
    { port: 0 },
  );
  let server = await startServer(config);
  const port = Number(new URL(server.url).port);
  const url = server.url;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    ...(options.mobile && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
    colorScheme: options.dark ? "dark" : "light",
    permissions: ["clipboard-read", "clipboard-write", ...(options.permissions ?? [])],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  mkdirSync(screenshotDir, { recursive: true });
  return {
    url,
    apiUrl: server.url,
    projectDir,
    get server() {
      return server;
    },
    browser,
    page,
    async restartServer(whileDown) {
      await server.close();
      await whileDown?.();
      server = await startServer({ ...config, port });
    },
    async screenshot(name) {
      const path = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(projectDir, { recursive: true, force: true });
      if (errors.length) throw new Error(`The page threw: ${errors.join("; ")}`);
    },
  };
}

/** Runs axe in the page and returns the violations rated serious or critical. */
export async function seriousAxeViolations(page: Page) {
  await page.addScriptTag({ content: axe.source });
  const result = await page.evaluate(async () => {
    const axeInPage = (window as unknown as { axe: typeof axe }).axe;
    return axeInPage.run(document, { resultTypes: ["violations"] });
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

/** Whether the server has the run API yet (the board's scenarios need it). */
export async function hasRunApi(apiUrl: string): Promise<boolean> {
  const response = await fetch(`${apiUrl}/api/projects`).catch(() => undefined);
  return Boolean(response?.ok);
}
