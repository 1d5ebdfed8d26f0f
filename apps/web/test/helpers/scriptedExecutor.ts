import type {
  ExecutorOptions,
  RunHandle,
  RunOutcome,
  WorkflowExecutorApi,
} from "@phaseboard/workflow-engine";

/**
 * An executor that plays one fixed step through the observer, the way the engine reports a
 * run, and finishes when the test opens its gate. It stands in for the engine's executor
 * (built in parallel) so the run manager's queue, leases and persistence can be tested.
 */
export function scriptedExecutor() {
  const calls: { kind: "start" | "resume"; runId: string }[] = [];
  const gates = new Map<string, () => void>();
  const waiting = new Map<string, () => void>();
  const factory = (options: ExecutorOptions): WorkflowExecutorApi => {
    const play = (runId: string, kind: "start" | "resume"): RunHandle => {
      calls.push({ kind, runId });
      let stop: ((outcome: RunOutcome) => void) | undefined;
      const done = (async (): Promise<RunOutcome> => {
        const observer = options.observer ?? {};
        await observer.onPhaseChanged?.({ runId, phase: "research", stepIndex: 0 });
        await observer.onStepStarted?.({
          runId,
          stepKey: "research",
          name: "Research",
          phase: "research",
          type: "script",
          attempt: 1,
          sequence: 0,
          logDir: `.agent/workflows/executions/${runId}/logs/research`,
        });
        observer.onStepProgress?.({
          runId,
          stepKey: "research",
          event: { at: new Date().toISOString(), kind: "stdout", text: "hello" },
        });
        const interrupted = await new Promise<RunOutcome | undefined>((resolve) => {
          gates.set(runId, () => resolve(undefined));
          stop = (outcome) => resolve(outcome);
          waiting.get(runId)?.();
        });
        if (interrupted) return interrupted;
        await observer.onStepCompleted?.({
          runId,
          stepKey: "research",
          status: "completed",
          result: { stepId: "research", status: "completed" } as never,
          attempt: 1,
          durationMs: 5,
        });
        return { runId, status: "completed", result: { ok: true } };
      })();
      return {
        runId,
        done,
        pause: async () => stop?.({ runId, status: "paused" }),
        cancel: async () => stop?.({ runId, status: "cancelled" }),
      };
    };
    return {
      start: (input) => play(input.runId, "start"),
      resume: (runId) => play(runId, "resume"),
      rewind: async () => undefined,
      signal: async () => undefined,
      approve: async () => undefined,
    };
  };
  return {
    factory,
    calls,
    /** Resolves when the run's step is running and held at the gate. */
    reached: (runId: string) =>
      new Promise<void>((resolve) => {
        if (gates.has(runId)) resolve();
        else waiting.set(runId, resolve);
      }),
    /** Lets the run's step complete. */
    release: (runId: string) => gates.get(runId)?.(),
  };
}
