import { useState } from "react";
import { useRuns } from "../api/queries";
import type { Run } from "../api/types";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { RunPicker } from "./RunPicker";
import { useLinkRun } from "./useLinkRun";

/** The keyboard's way to link cards: pick the runs a run that has not started waits for. */
export function StartAfterDialog({ run, onClose }: { run: Run; onClose(): void }) {
  const runs = useRuns(run.project_id);
  const [selected, setSelected] = useState<string[]>([]);
  const { linkAsync, isPending } = useLinkRun();
  const already = run.after_ids ?? [];
  return (
    <Modal
      title={`Start “${run.name}” after…`}
      description="It waits, Blocked, until every run you pick has completed."
      onClose={onClose}
    >
      <RunPicker
        runs={runs.data ?? []}
        selected={selected}
        onChange={setSelected}
        exclude={[run.id, ...already]}
      />
      <div className="mt-4 flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="primary"
          disabled={selected.length === 0 || isPending}
          onClick={() => {
            const after = (runs.data ?? []).filter((r) => selected.includes(r.id));
            linkAsync(run, after).then(onClose, () => undefined);
          }}
        >
          {isPending ? "Linking…" : "Start after these"}
        </Button>
      </div>
    </Modal>
  );
}
