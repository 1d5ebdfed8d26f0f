import type { ApiClient } from "../api/ApiClient.js";
import type { RunDto } from "../api/wireTypes.js";
import { withConnection } from "../connection/withConnection.js";
import { Output } from "../output/Output.js";
import { paintStatus } from "../output/printRunStatus.js";
import type { JsonOptions, ProjectOptions } from "../program/commandOptions.js";

/**
 * The shape shared by pause, cancel, rewind, approve and signal: one API call on a run,
 * then one line saying what happened (or the run as JSON).
 */
export async function steerRun(
  id: string,
  options: ProjectOptions & JsonOptions,
  act: (api: ApiClient) => Promise<RunDto | undefined>,
  describe: (run: RunDto | undefined, out: Output) => string,
): Promise<void> {
  const out = new Output(options);
  await withConnection(
    options,
    async ({ api }) => {
      // Asking first turns an unknown id into "no run with id …" before any action.
      await api.getRun(id);
      const run = (await act(api)) ?? (await api.getRun(id));
      out.result(run, () => out.line(describe(run, out)));
    },
    { runId: id },
  );
}

export function statusLine(out: Output, run: RunDto | undefined, fallback: string): string {
  return run ? `${run.id} ${paintStatus(out, run.status)}` : fallback;
}
