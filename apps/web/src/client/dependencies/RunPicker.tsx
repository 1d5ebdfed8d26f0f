import { Search } from "lucide-react";
import { useId, useMemo, useState } from "react";
import type { Run } from "../api/types";
import { StatusBadge } from "../ui/StatusBadge";
import { linkableRuns } from "./linkableRuns";

/**
 * Picks the runs a run should start after: a searchable list of the project's runs, each
 * with its name and status. Runs that can never complete (failed, cancelled) and archived
 * ones are not offered; the server refuses them anyway.
 */
export function RunPicker({
  runs,
  selected,
  onChange,
  exclude,
}: {
  runs: readonly Run[];
  selected: readonly string[];
  onChange(ids: string[]): void;
  /** Runs that may not be picked (the run being linked itself). */
  exclude?: readonly string[];
}) {
  const id = useId();
  const [query, setQuery] = useState("");
  const offered = useMemo(() => linkableRuns(runs, query, exclude), [runs, query, exclude]);
  const toggle = (runId: string) =>
    onChange(selected.includes(runId) ? selected.filter((s) => s !== runId) : [...selected, runId]);
  return (
    <div className="rounded-md border border-line-strong" data-run-picker>
      <label htmlFor={`${id}-search`} className="sr-only">
        Search runs
      </label>
      <div className="flex items-center gap-2 border-b border-line px-2.5">
        <Search aria-hidden className="size-3.5 text-faint" />
        <input
          id={`${id}-search`}
          type="search"
          className="h-8 flex-1 bg-transparent text-sm outline-none"
          placeholder="Search runs by name"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {offered.length === 0 ? (
        <p className="px-2.5 py-2 text-xs text-faint">
          {query ? "No run matches." : "No run of this project can be waited for."}
        </p>
      ) : (
        <ul className="max-h-40 overflow-y-auto py-1" aria-label="Runs to start after">
          {offered.map((run) => (
            <li key={run.id}>
              <label className="flex cursor-pointer items-center gap-2 px-2.5 py-1 text-sm hover:bg-sunken">
                <input
                  type="checkbox"
                  checked={selected.includes(run.id)}
                  onChange={() => toggle(run.id)}
                />
                <span className="min-w-0 flex-1 truncate">{run.name}</span>
                <StatusBadge status={run.status} />
              </label>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
