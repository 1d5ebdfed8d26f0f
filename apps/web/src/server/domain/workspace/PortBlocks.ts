import type { PortBlock } from "@phaseboard/contracts";
import type { DbClient } from "@phaseboard/db";
import { HttpError } from "../../HttpError.js";

/** Where run port blocks come from: `first`–`last` inclusive, `size` ports per run. */
export interface PortRange {
  first: number;
  last: number;
  size: number;
}

/** 20000–29999 in blocks of 10: a thousand live runs, above the usual dev-server ports. */
export const DEFAULT_PORT_RANGE: PortRange = { first: 20_000, last: 29_999, size: 10 };

/**
 * Each run with a worktree holds a block of ports, recorded in the database (`port_blocks`)
 * so a restart hands it the same ports and two live runs never share one. A run is *live*
 * for this purpose while its worktree exists: a completed run keeps its block, because a
 * preview can still be started in its worktree. The block goes back when the worktree is
 * removed (archive, discard, `ctx.removeRunWorktree`) or the run is deleted; a block whose
 * run lost its worktree some other way is taken back the next time one is handed out.
 */
export class PortBlocks {
  /** Hand-outs run one at a time in this process; the table's key guards other processes. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: DbClient,
    readonly range: PortRange = DEFAULT_PORT_RANGE,
  ) {}

  /** The run's block, if it holds one. */
  async of(runId: string): Promise<PortBlock | null> {
    const row = await this.db.portBlock.findUnique({ where: { workflow_run_id: runId } });
    return row ? describe(row) : null;
  }

  /**
   * The run's block, handed out on first use; null for a run without a worktree of its own.
   * Throws PORTS_EXHAUSTED when every block of the range is held by a live run.
   */
  ensure(runId: string): Promise<PortBlock | null> {
    const next = this.#queue.then(() => this.#ensure(runId));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /**
   * `PHASEBOARD_PORT` and `PHASEBOARD_PORTS` for the run's steps and commands; `existing`:
   * only a block the run already holds (a cleanup must not take a new one).
   */
  async environment(runId: string, existing = false): Promise<Record<string, string>> {
    const block = existing ? await this.of(runId) : await this.ensure(runId);
    if (!block) return {};
    return { PHASEBOARD_PORT: String(block.first_port), PHASEBOARD_PORTS: block.ports };
  }

  /** Gives the run's block back (its worktree is going away). */
  async release(runId: string): Promise<void> {
    await this.db.portBlock.deleteMany({ where: { workflow_run_id: runId } });
  }

  async #ensure(runId: string): Promise<PortBlock | null> {
    const held = await this.of(runId);
    if (held) return held;
    const run = await this.db.workflowRun.findUnique({
      where: { id: runId },
      select: { workspace_path: true, archived_at: true },
    });
    if (!run?.workspace_path || run.archived_at) return null;
    // Blocks of runs whose worktree is gone are free again.
    await this.db.portBlock.deleteMany({
      where: { run: { OR: [{ workspace_path: null }, { archived_at: { not: null } }] } },
    });
    const { first, last, size } = this.range;
    for (let attempt = 0; attempt < 50; attempt++) {
      const taken = await this.db.portBlock.findMany({
        select: { first_port: true, size: true },
        orderBy: { first_port: "asc" },
      });
      let start = first;
      for (const block of taken) {
        if (block.first_port + block.size <= start) continue;
        if (start + size <= block.first_port) break;
        // Overlaps (a block from another size setting too): go past it, aligned to the range.
        const end = block.first_port + block.size;
        start = first + Math.ceil((end - first) / size) * size;
      }
      if (start + size - 1 > last) {
        throw new HttpError(
          "PORTS_EXHAUSTED",
          `No free block of ${size} ports in ${first}-${last}: ${taken.length} live run(s) hold them. Archive finished runs, or widen PHASEBOARD_PORT_RANGE`,
        );
      }
      try {
        const row = await this.db.portBlock.create({
          data: { first_port: start, size, workflow_run_id: runId },
        });
        return describe(row);
      } catch (error) {
        // Another process took that block (or gave this run one) meanwhile: look again.
        if ((error as { code?: string }).code !== "P2002") throw error;
        const mine = await this.of(runId);
        if (mine) return mine;
      }
    }
    throw new HttpError("PORTS_EXHAUSTED", `Could not reserve a port block for run ${runId}`);
  }
}

function describe(row: { first_port: number; size: number }): PortBlock {
  return {
    first_port: row.first_port,
    size: row.size,
    ports: `${row.first_port}-${row.first_port + row.size - 1}`,
  };
}
