import { Link2 } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { useRuns } from "../api/queries";
import type { LinkedRun, Run } from "../api/types";
import { Button } from "../ui/Button";
import { StatusBadge } from "../ui/StatusBadge";
import { canWaitForOthers } from "./runLinks";
import { StartAfterDialog } from "./StartAfterDialog";

/**
 * The run page's two lists of card dependencies: the runs it waits for and the runs it
 * unblocks, each a link with its status. Statuses come from the live board list when it
 * holds the run (events keep that current), else from the run's own answer.
 */
export function RunDependenciesPanel({ run }: { run: Run }) {
  const board = useRuns(run.project_id);
  const [picking, setPicking] = useState(false);
  const prerequisites = run.prerequisites ?? [];
  const dependents = run.dependents ?? [];
  const canLink = canWaitForOthers(run);
  if (prerequisites.length === 0 && dependents.length === 0 && !canLink) return null;
  const live = (linked: LinkedRun): LinkedRun => {
    const current = board.data?.find((r) => r.id === linked.id);
    return current ? { ...linked, status: current.status, name: current.name } : linked;
  };
  return (
    <section className="mt-3 grid gap-3 text-sm sm:grid-cols-2" aria-label="Dependencies">
      <LinkedList
        title="Waits for"
        empty="Starts without waiting for other runs."
        runs={prerequisites.map(live)}
        projectId={run.project_id}
        testId="waits-for"
        action={
          canLink ? (
            <Button size="sm" variant="ghost" onClick={() => setPicking(true)}>
              <Link2 aria-hidden className="size-3.5" /> Start after…
            </Button>
          ) : null
        }
      />
      <LinkedList
        title="Unblocks"
        empty="No run waits for this one."
        runs={dependents.map(live)}
        projectId={run.project_id}
        testId="unblocks"
      />
      {picking ? <StartAfterDialog run={run} onClose={() => setPicking(false)} /> : null}
    </section>
  );
}

function LinkedList({
  title,
  empty,
  runs,
  projectId,
  testId,
  action,
}: {
  title: string;
  empty: string;
  runs: LinkedRun[];
  projectId: string;
  testId: string;
  action?: React.ReactNode;
}) {
  return (
    <div className="rounded-md border border-line p-2.5" data-testid={testId}>
      <h3 className="mb-1.5 flex items-center gap-2 text-[11px] font-semibold tracking-wide text-faint uppercase">
        {title}
        <span className="ml-auto normal-case">{action}</span>
      </h3>
      {runs.length === 0 ? (
        <p className="text-xs text-faint">{empty}</p>
      ) : (
        <ul className="flex flex-col gap-1">
          {runs.map((linked) => (
            <li key={linked.id} className="flex items-center gap-2">
              <Link
                to={`/runs/${encodeURIComponent(linked.id)}?project=${encodeURIComponent(projectId)}`}
                className="min-w-0 flex-1 truncate text-accent underline-offset-2 hover:underline"
              >
                {linked.name}
              </Link>
              <StatusBadge status={linked.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
