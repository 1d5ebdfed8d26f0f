import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicAsync } from "@phaseboard/workflow-engine";

/**
 * A run rewound on the restate backend goes on as a new generation: a new invocation
 * (Restate runs a workflow key once), keyed `<runId>~g<N>` from the second on. The run id —
 * its card, feed, inbox — stays the same. The server keeps the generation beside the run's
 * pinned definition, the folder it already owns.
 */
export function generationKey(runId: string, generation: number): string {
  return generation <= 1 ? runId : `${runId}~g${generation}`;
}

function generationFile(projectPath: string, runId: string): string {
  return join(projectPath, ".agent", "workflows", "executions", runId, "restate-generation.json");
}

/** The run's current generation: 1 until it is first rewound. */
export function readGeneration(projectPath: string, runId: string): number {
  const file = generationFile(projectPath, runId);
  if (!existsSync(file)) return 1;
  const { generation } = JSON.parse(readFileSync(file, "utf8")) as { generation?: unknown };
  return typeof generation === "number" && generation >= 1 ? generation : 1;
}

export async function writeGeneration(
  projectPath: string,
  runId: string,
  generation: number,
): Promise<void> {
  await writeFileAtomicAsync(
    generationFile(projectPath, runId),
    `${JSON.stringify({ generation })}\n`,
  );
}
