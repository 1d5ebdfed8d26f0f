import { subscribeEvents } from "../api/subscribeEvents.js";
import type { RunDto, ServerEvent } from "../api/wireTypes.js";
import type { Connection } from "../connection/openConnection.js";
import type { Output } from "../output/Output.js";
import { askInterruptChoice } from "./askInterruptChoice.js";
import { RunFollower } from "./RunFollower.js";

export type FollowEnd =
  | { kind: "settled"; run: RunDto }
  | { kind: "detached"; run: RunDto }
  | { kind: "paused"; run: RunDto };

/**
 * Subscribes to the project's events, then calls `act` (create or resume the run), so no
 * event of the run can slip past, and renders the run until it settles. Ctrl-C asks
 * whether to detach or pause (see askInterruptChoice).
 */
export async function followRun(options: {
  connection: Connection;
  out: Output;
  act: () => Promise<RunDto>;
  onStarted?: (run: RunDto) => void;
}): Promise<FollowEnd> {
  const { connection, out } = options;
  const buffered: ServerEvent[] = [];
  let follower: RunFollower | undefined;
  let streamError: Error | undefined;
  const subscription = subscribeEvents({
    baseUrl: connection.baseUrl,
    token: connection.token,
    projectId: connection.project.id,
    onEvent: (event) => (follower ? follower.handle(event) : buffered.push(event)),
    onClose: (error) => {
      streamError = error;
      // Without events the only way to learn the outcome is to ask.
      if (follower) void refresh(follower);
    },
  });
  const refresh = async (current: RunFollower) => {
    const run = await connection.api.getRun(current.runId).catch(() => undefined);
    if (run) current.checkStatus(run.status);
    else if (streamError) current.checkStatus("failed");
  };
  try {
    await subscription.ready;
    const run = await options.act();
    options.onStarted?.(run);
    // A paused run does nothing until someone resumes it: following ends there too.
    follower = new RunFollower(out, run.id, { stopAt: ["paused"] });
    for (const event of buffered.splice(0)) follower.handle(event);
    // The run may have settled before we were listening to it (a resume of a finished run).
    await refresh(follower);
    const current = follower;
    const interrupted = new Promise<"detach" | "pause">((resolve) => {
      const onSigint = async () => {
        process.off("SIGINT", onSigint);
        out.stopSpinner();
        const choice = await askInterruptChoice();
        if (choice === "continue") process.on("SIGINT", onSigint);
        else resolve(choice);
      };
      process.on("SIGINT", onSigint);
      current.settled.finally(() => process.off("SIGINT", onSigint));
    });
    const first = await Promise.race([current.settled.then(() => "settled" as const), interrupted]);
    if (first === "pause") {
      out.note("Pausing after the running step…");
      await connection.api.pause(run.id);
      // The engine confirms with a status event once the running step has ended.
      await current.settled;
      return { kind: "paused", run: await connection.api.getRun(run.id) };
    }
    if (first === "detach") {
      return { kind: "detached", run: await connection.api.getRun(run.id) };
    }
    return { kind: "settled", run: await connection.api.getRun(run.id) };
  } finally {
    out.stopSpinner();
    subscription.close();
  }
}
