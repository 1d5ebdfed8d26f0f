import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Checkpoint,
  type DefinitionSnapshot,
  FileRunStore,
  runPaths,
} from "@phaseboard/workflow-engine";
import type { ProgressEntry } from "./RunEvents.js";
import { readGeneration, writeGeneration } from "./runGenerations.js";

/** A run as the server pinned it at creation: what each of its generations is submitted with. */
export interface PinnedRestateRun {
  snapshot: DefinitionSnapshot;
  args: Record<string, unknown>;
  /** A code template's esbuild bundle; absent for YAML. */
  bundle?: string;
  /**
   * The worker the run was first submitted to, where its worktree lives: every later
   * generation and resume goes there too, whichever server submits it.
   */
  worker?: string;
}

/**
 * What a server keeps of a run on the restate backend beyond its card: the run as pinned
 * (so a server without the run's folder can submit it again), its steps' progress
 * lines (the board's log tail), the checkpoint its last generation ended with (what a
 * rewind cuts; Restate keeps a finished invocation for a day), and its generation. The
 * server keeps them in its database (`PrismaRestateRunRecords` in apps/web), so every
 * server of one board reads the same; {@link FileRestateRunRecords} keeps them in the run
 * folder, for one server alone (the package's tests, the CLI's embedded runs).
 */
export interface RestateRunRecords {
  /** The run as pinned, or undefined when these records do not have it. */
  pinned(runId: string): Promise<PinnedRestateRun | undefined>;
  /** Keeps the run as pinned (the first time; a pin never changes). */
  pin(runId: string, run: PinnedRestateRun): Promise<void>;
  /**
   * The folder to report as a step's log directory (relative to the project), or
   * undefined when the step's lines are not kept in a folder.
   */
  stepLogDir(runId: string, stepKey: string): string | undefined;
  /** The `seq` of the newest progress line kept for the run: a relay goes on after it. */
  progressKept(runId: string): Promise<number>;
  /** Keeps progress lines (in `seq` order) in their steps' logs. */
  keepProgress(runId: string, entries: ProgressEntry[]): Promise<void>;
  /** The run's generation: 1 until it is first rewound. */
  generation(runId: string): Promise<number>;
  /** The newest checkpoint kept for the run, if any. */
  checkpoint(runId: string): Promise<Checkpoint | undefined>;
  /** Keeps the checkpoint a generation ended with. */
  keepCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void>;
  /** A rewind: the run goes on as `generation`, starting from `checkpoint`. */
  startGeneration(
    runId: string,
    generation: number,
    checkpoint: Checkpoint | undefined,
  ): Promise<void>;
}

/** The records in the run's folder under the server's project root (one server only). */
export class FileRestateRunRecords implements RestateRunRecords {
  private store: FileRunStore;

  constructor(private readonly projectPath: string) {
    this.store = new FileRunStore(projectPath);
  }

  async pinned(runId: string): Promise<PinnedRestateRun | undefined> {
    return pinnedInFolder(this.store, runId);
  }

  async pin(): Promise<void> {
    // The run's folder is where it was pinned.
  }

  stepLogDir(runId: string, stepKey: string): string {
    const paths = runPaths(this.projectPath, runId);
    return paths.relative(paths.stepLogDir(stepKey));
  }

  async progressKept(): Promise<number> {
    // The folder keeps no position: a server that starts over relays the window again.
    return 0;
  }

  async keepProgress(runId: string, entries: ProgressEntry[]): Promise<void> {
    const paths = runPaths(this.projectPath, runId);
    for (const entry of entries) {
      try {
        const dir = paths.stepLogDir(entry.stepKey);
        mkdirSync(dir, { recursive: true });
        appendFileSync(join(dir, "events.jsonl"), `${JSON.stringify(entry.event)}\n`);
      } catch {
        // A line the log misses must not stop the run's feed.
      }
    }
  }

  async generation(runId: string): Promise<number> {
    return readGeneration(this.projectPath, runId);
  }

  async checkpoint(runId: string): Promise<Checkpoint | undefined> {
    return this.store.hasRun(runId) ? this.store.loadCheckpoint(runId)?.checkpoint : undefined;
  }

  async keepCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void> {
    if (this.store.hasRun(runId)) await this.store.writeCheckpoint(runId, checkpoint);
  }

  async startGeneration(
    runId: string,
    generation: number,
    checkpoint: Checkpoint | undefined,
  ): Promise<void> {
    if (checkpoint) await this.store.writeCheckpoint(runId, checkpoint);
    await writeGeneration(this.projectPath, runId, generation);
  }
}

/** The run as pinned in its folder (definition.json, args.json, the bundle), if it is there. */
export function pinnedInFolder(store: FileRunStore, runId: string): PinnedRestateRun | undefined {
  if (!store.hasRun(runId)) return undefined;
  const { parentRunId: _parent, ...snapshot } = store.readSnapshot(runId);
  const bundle = store.readBundle(runId);
  return {
    snapshot,
    args: store.readArgs(runId),
    ...(bundle.expected && bundle.text !== undefined && { bundle: bundle.text }),
  };
}
