import { type ChildProcess, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { SecretRedactor, stepEnvironment } from "@phaseboard/agent-cli";
import type { Preview, PreviewStatus } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import {
  durationToMs,
  isProcessAlive,
  killProcessGroup,
  processGroupAlive,
  runPaths,
} from "@phaseboard/workflow-engine";
import type { EventHub } from "../../events/EventHub.js";
import { HttpError } from "../../HttpError.js";
import type { ProjectConfigs } from "../project/ProjectConfigs.js";
import type { PortBlocks } from "../workspace/PortBlocks.js";

/** How long a preview may take to answer when `ready_timeout` is not given (ms). */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
/** The end of a preview's output kept for the board (bytes). */
const LOG_TAIL = 16_000;

export interface PreviewsOptions {
  /** Between two readiness requests (ms, default 250). */
  pollMs?: number | undefined;
  /** SIGINT, then SIGTERM, then SIGKILL: the wait after each (ms, default 2 000). */
  killGraceMs?: number | undefined;
}

interface Entry {
  preview: Preview;
  /** `preview-process.json` in the run's folder: the group, while it runs. */
  record: string;
  child: ChildProcess | undefined;
  log: WriteStream;
  /** Set while it is being stopped, so its exit is not reported as its own. */
  stopping: boolean;
  /** Its process was seen to end (an `error` and a `close` may both come). */
  ended: boolean;
  exited: Promise<void>;
  poll: NodeJS.Timeout | undefined;
}

/**
 * Runs' previews: the project's `preview.command` started in a run's worktree, in a
 * process group of its own, with `port_env` set to the run's first port. The board gets
 * `workflow.execution.preview` when it starts, answers on `ready_path`, exits or is stopped.
 * Previews live in this process only: archive, discard and the server stopping end them
 * (the whole group, so a dev server's workers go too), and none survives a restart.
 */
export class Previews {
  readonly #entries = new Map<string, Entry>();
  readonly #starting = new Map<string, Promise<Preview>>();
  readonly #pollMs: number;
  readonly #killGraceMs: number;

  constructor(
    private readonly db: DbClient,
    private readonly hub: EventHub,
    private readonly configs: ProjectConfigs,
    private readonly ports: PortBlocks,
    options: PreviewsOptions = {},
  ) {
    this.#pollMs = options.pollMs ?? 250;
    this.#killGraceMs = options.killGraceMs ?? 2_000;
  }

  /**
   * Ends the previews a server that died without stopping them (`kill -9`, a crash) left
   * running: each group is recorded in its run's folder with the pid of the server that
   * started it, and a group whose server is gone is killed. Called at start for every run
   * holding a port block, and before a run's preview starts.
   */
  async reapLeftovers(): Promise<number> {
    const blocks = await this.db.portBlock.findMany({
      select: { run: { select: { id: true, project: { select: { path: true } } } } },
    });
    let reaped = 0;
    for (const { run } of blocks) {
      if (await this.#reap(recordFile(run.project.path, run.id))) reaped++;
    }
    return reaped;
  }

  async #reap(file: string): Promise<boolean> {
    let left: { pgid?: unknown; ownerPid?: unknown };
    try {
      left = JSON.parse(readFileSync(file, "utf8")) as typeof left;
    } catch {
      return false;
    }
    const { pgid, ownerPid } = left;
    // A server still running (another one on this database) keeps its own previews.
    if (typeof ownerPid === "number" && ownerPid !== process.pid && isProcessAlive(ownerPid)) {
      return false;
    }
    let killed = false;
    if (typeof pgid === "number" && Number.isInteger(pgid) && pgid > 1 && processGroupAlive(pgid)) {
      await killProcessGroup(pgid, this.#killGraceMs);
      killed = true;
    }
    rmSync(file, { force: true });
    return killed;
  }

  /** The run's port block, whether its project declares a preview, and its preview. */
  async status(runId: string) {
    const run = await this.#run(runId);
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    return {
      execution_id: runId,
      port_block: await this.ports.of(runId),
      configured: Boolean(this.configs.get(project.path).config?.preview),
      preview: this.#entries.get(runId)?.preview ?? null,
    };
  }

  /** Starts the run's preview, or answers the one already starting or answering. */
  start(runId: string): Promise<Preview> {
    // Two clicks at once start one process.
    const pending = this.#starting.get(runId);
    if (pending) return pending;
    const started = this.#start(runId).finally(() => this.#starting.delete(runId));
    this.#starting.set(runId, started);
    return started;
  }

  async #start(runId: string): Promise<Preview> {
    const current = this.#entries.get(runId);
    if (current && isLive(current.preview.status)) return current.preview;
    const run = await this.#run(runId);
    if (!run.workspace_path || run.archived_at) {
      throw new HttpError(
        "RUN_HAS_NO_WORKTREE",
        `Run ${runId} has no worktree of its own${run.archived_at ? " any more (it is archived)" : ""}: a preview runs in a run's worktree`,
      );
    }
    if (!existsSync(run.workspace_path)) {
      throw new HttpError(
        "WORKTREE_REMOVED",
        `Run ${runId}'s worktree ${run.workspace_path} was removed: there is nothing to preview`,
      );
    }
    const project = await this.db.project.findUniqueOrThrow({ where: { id: run.project_id } });
    const { config, error } = this.configs.get(project.path);
    if (error) {
      throw new HttpError(
        "PREVIEW_NOT_CONFIGURED",
        `.agent/phaseboard.yaml is refused (${error.message}); fix it to start a preview`,
      );
    }
    const preview = config?.preview;
    if (!preview) {
      throw new HttpError(
        "PREVIEW_NOT_CONFIGURED",
        "Add `preview: { command, port_env, ready_path }` to .agent/phaseboard.yaml to start a preview",
      );
    }
    const record = recordFile(project.path, runId);
    await this.#reap(record);
    const block = await this.ports.ensure(runId);
    if (!block) {
      throw new HttpError("RUN_HAS_NO_WORKTREE", `Run ${runId} has no worktree of its own`);
    }
    const port = block.first_port;
    if (!(await portFree(port))) {
      throw new HttpError(
        "PREVIEW_PORT_IN_USE",
        `Port ${port} of run ${runId}'s block (${block.ports}) is in use by another program; stop it and try again`,
      );
    }
    const argv =
      typeof preview.command === "string" ? ["sh", "-c", preview.command] : preview.command;
    const display =
      typeof preview.command === "string" ? preview.command : preview.command.join(" ");
    const url = `http://127.0.0.1:${port}${preview.ready_path}`;
    const logFile = join(runPaths(project.path, runId).root, "preview.log");
    await mkdir(join(logFile, ".."), { recursive: true });
    const log = createWriteStream(logFile, { flags: "a" });
    log.write(`$ ${display}\n`);
    const entry: Entry = {
      preview: {
        execution_id: runId,
        status: "starting",
        command: display,
        port,
        url,
        pid: null,
        exit_code: null,
        message: null,
        log: "",
        started_at: new Date().toISOString(),
      },
      record,
      child: undefined,
      log,
      stopping: false,
      ended: false,
      exited: Promise.resolve(),
      poll: undefined,
    };
    this.#entries.set(runId, entry);
    const redactor = new SecretRedactor(process.env);
    const keep = (chunk: Buffer) => {
      const text = redactor.empty
        ? chunk.toString("utf8")
        : redactor.redact(chunk.toString("utf8"));
      log.write(text);
      entry.preview.log = (entry.preview.log + text).slice(-LOG_TAIL);
    };
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: run.workspace_path,
      // Never the server's secrets: the same environment as a step of the run.
      env: {
        ...stepEnvironment(process.env),
        PHASEBOARD_RUN_ID: runId,
        PHASEBOARD_PROJECT_PATH: project.path,
        PHASEBOARD_WORKSPACE: run.workspace_path,
        PHASEBOARD_PORT: String(port),
        PHASEBOARD_PORTS: block.ports,
        [preview.port_env]: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: stopping it ends the dev server's children too.
      detached: true,
    });
    entry.child = child;
    entry.preview.pid = child.pid ?? null;
    if (child.pid !== undefined) {
      writeFileSync(
        `${record}.tmp`,
        JSON.stringify({
          pgid: child.pid,
          ownerPid: process.pid,
          startedAt: entry.preview.started_at,
        }),
      );
      renameSync(`${record}.tmp`, record);
    }
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    entry.exited = new Promise<void>((resolve) => {
      child.on("error", (spawnError) => {
        keep(Buffer.from(`could not start: ${spawnError.message}\n`));
        this.#ended(runId, entry, null, null, `could not start: ${spawnError.message}`);
        resolve();
      });
      child.on("close", (code, signal) => {
        this.#ended(runId, entry, code, signal, undefined);
        resolve();
      });
    });
    this.#publish(run.project_id, entry);
    const timeoutMs =
      preview.ready_timeout === undefined
        ? DEFAULT_READY_TIMEOUT_MS
        : durationToMs(preview.ready_timeout);
    this.#pollUntilReady(run.project_id, entry, Date.now() + timeoutMs, timeoutMs);
    return entry.preview;
  }

  /** Stops the run's preview (its whole process group); answers it, or null if none ran. */
  async stop(runId: string, reason = "stopped"): Promise<Preview | null> {
    const entry = this.#entries.get(runId);
    if (!entry) return null;
    if (isLive(entry.preview.status)) await this.#kill(entry, "stopped", reason);
    return entry.preview;
  }

  /** Stops every preview (the server is stopping); resolves once their groups are gone. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.#entries.keys()].map((runId) =>
        this.stop(runId, "stopped: the server stopped").catch(() => undefined),
      ),
    );
  }

  async #run(runId: string) {
    const run = await this.db.workflowRun.findUnique({ where: { id: runId } });
    if (!run) throw new HttpError("NOT_FOUND", `No workflow run ${runId}`);
    return run;
  }

  #pollUntilReady(projectId: string, entry: Entry, deadline: number, timeoutMs: number) {
    const check = async () => {
      entry.poll = undefined;
      if (entry.stopping || entry.preview.status !== "starting") return;
      if (Date.now() > deadline) {
        await this.#kill(
          entry,
          "failed",
          `did not answer on ${entry.preview.url} within ${Math.round(timeoutMs / 1000)} s; stopped`,
        );
        return;
      }
      if (await answers(entry.preview.url)) {
        if (entry.stopping || entry.preview.status !== "starting") return;
        entry.preview.status = "ready";
        this.#publish(projectId, entry);
        return;
      }
      entry.poll = setTimeout(() => void check().catch(() => undefined), this.#pollMs);
    };
    entry.poll = setTimeout(() => void check().catch(() => undefined), 0);
  }

  async #kill(entry: Entry, status: PreviewStatus, message: string) {
    entry.stopping = true;
    clearTimeout(entry.poll);
    entry.preview.status = status;
    entry.preview.message = message;
    const pid = entry.child?.pid;
    if (pid !== undefined) await killProcessGroup(pid, this.#killGraceMs);
    await entry.exited;
    forget(entry);
    entry.preview.pid = null;
    await new Promise<void>((resolve) => entry.log.end(`\n[${message}]\n`, resolve));
    // At shutdown the database may already be gone: the preview is stopped all the same.
    const run = await this.db.workflowRun
      .findUnique({ where: { id: entry.preview.execution_id }, select: { project_id: true } })
      .catch(() => null);
    if (run) this.#publish(run.project_id, entry);
  }

  #ended(
    runId: string,
    entry: Entry,
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError: string | undefined,
  ) {
    if (entry.ended) return;
    entry.ended = true;
    clearTimeout(entry.poll);
    entry.preview.exit_code = code;
    entry.preview.pid = null;
    if (entry.stopping) return;
    // From here on the readiness poll leaves it alone.
    entry.stopping = true;
    // It ended by itself: whatever is left of its group goes too.
    const pid = entry.child?.pid;
    if (pid !== undefined) {
      void killProcessGroup(pid, this.#killGraceMs).then(() => forget(entry));
    }
    const message =
      spawnError ??
      (code !== null ? `exited with code ${code}` : `ended by signal ${signal ?? "unknown"}`);
    // The log file is complete before anyone is told it ended.
    entry.log.end(`\n[${message}]\n`, () => {
      entry.preview.status = "exited";
      entry.preview.message = message;
      void this.db.workflowRun
        .findUnique({ where: { id: runId }, select: { project_id: true } })
        .then((run) => {
          if (run) this.#publish(run.project_id, entry);
        })
        .catch(() => undefined);
    });
  }

  #publish(projectId: string, entry: Entry) {
    this.hub.publish({
      type: "workflow.execution.preview",
      data: {
        execution_id: entry.preview.execution_id,
        project_id: projectId,
        status: entry.preview.status,
        url: entry.preview.url,
        port: entry.preview.port,
      },
    });
  }
}

/** Removes the run's process record if it is still this preview's (not a newer one's). */
function forget(entry: Entry): void {
  try {
    const recorded = JSON.parse(readFileSync(entry.record, "utf8")) as { pgid?: unknown };
    if (recorded.pgid === entry.child?.pid) rmSync(entry.record, { force: true });
  } catch {
    // Already gone.
  }
}

function recordFile(projectPath: string, runId: string): string {
  return join(runPaths(projectPath, runId).root, "preview-process.json");
}

function isLive(status: PreviewStatus): boolean {
  return status === "starting" || status === "ready";
}

/** Any HTTP answer below 500 counts: a dev server answering 404 on `/` is up. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: "manual" });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}

/** Whether nothing listens on the port on loopback (another program would answer the polls). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
