import { ArrowLeft } from "lucide-react";
import { Link, useParams } from "react-router";
import { useRun } from "../api/queries";
import { Skeleton } from "../ui/Skeleton";
import { RunView } from "./RunView";

export function RunPage() {
  const { runId } = useParams();
  const run = useRun(runId);
  return (
    <div className="flex h-full flex-col bg-canvas">
      <div className="shrink-0 px-5 pt-3">
        <Link
          to={`/?project=${run.data?.project_id ?? ""}&template=${run.data?.workflow_definition_id ?? ""}`}
          className="inline-flex items-center gap-1 text-xs text-muted hover:text-ink"
        >
          <ArrowLeft aria-hidden className="size-3.5" /> Back to the board
        </Link>
      </div>
      <div className="min-h-0 flex-1">
        {run.data ? (
          <RunView run={run.data} />
        ) : run.isError ? (
          <p role="alert" className="p-6 text-sm text-danger">
            Could not load the run: {run.error.message}
          </p>
        ) : (
          <div className="flex flex-col gap-3 p-6" aria-busy="true">
            <Skeleton className="h-6 w-64" />
            <Skeleton className="mt-4 h-64 w-full" />
          </div>
        )}
      </div>
    </div>
  );
}
