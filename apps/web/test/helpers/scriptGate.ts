import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A template whose one step is a real script that announces itself and then blocks until
 * the test releases it: `reached-<gate>` appears in the project folder when the step runs,
 * and the step finishes once `release-<gate>` exists. The gate is the run's `featureName`.
 */
export const GATED_TEMPLATE = `name: Gated
phases: [research, implement]
argsSchema:
  type: object
  required: [featureName]
  properties:
    featureName: { type: string }
steps:
  - id: research
    name: Research
    phase: research
    type: script
    command: touch reached-{{ args.featureName }}; while [ ! -f release-{{ args.featureName }} ]; do sleep 0.05; done; echo released
`;

/** Watches and opens the gates of GATED_TEMPLATE runs in `projectDir`. */
export function scriptGate(projectDir: string) {
  const file = (kind: "reached" | "release", gate: string) => join(projectDir, `${kind}-${gate}`);
  return {
    /** Resolves once the gated step is running (its script has started). */
    async reached(gate: string, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!existsSync(file("reached", gate))) {
        if (Date.now() > deadline) throw new Error(`the step of gate ${gate} never started`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** Forgets that the step was reached, to see it start again (a rerun). */
    reset(gate: string): void {
      rmSync(file("reached", gate), { force: true });
    },
    release(gate: string): void {
      writeFileSync(file("release", gate), "");
    },
  };
}
