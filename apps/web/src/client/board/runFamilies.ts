import type { Run } from "../api/types";

/** How a card relates to other runs: the run that started it, and the runs it started. */
export interface RunFamily {
  parent?: { id: string; name: string; workflowDefinitionId: string };
  children: { count: number; done: number; workflowDefinitionId?: string };
}

/**
 * Families of all the project's runs (child runs sit on their own template's board, so a
 * card links across boards: a child to its parent, a parent to its children's board).
 * Only runs with a parent or children get an entry.
 */
export function runFamilies(runs: readonly Run[]): Map<string, RunFamily> {
  const byId = new Map(runs.map((run) => [run.id, run]));
  const families = new Map<string, RunFamily>();
  const familyOf = (id: string) => {
    let family = families.get(id);
    if (!family) {
      family = { children: { count: 0, done: 0 } };
      families.set(id, family);
    }
    return family;
  };
  for (const run of runs) {
    const parent = run.parent_run_id ? byId.get(run.parent_run_id) : undefined;
    if (!parent) continue;
    familyOf(run.id).parent = {
      id: parent.id,
      name: parent.name,
      workflowDefinitionId: parent.workflow_definition_id,
    };
    const children = familyOf(parent.id).children;
    children.count += 1;
    if (run.status === "completed") children.done += 1;
    children.workflowDefinitionId ??= run.workflow_definition_id;
  }
  return families;
}
