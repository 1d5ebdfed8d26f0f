import { AlertDialog } from "radix-ui";
import type { Run } from "../api/types";
import { Button } from "../ui/Button";

/** Rewinding discards the work after a phase, so it always asks first. */
export function RewindDialog({
  run,
  phase,
  onConfirm,
  onCancel,
}: {
  run: Run;
  phase: string;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <AlertDialog.Root open onOpenChange={(open) => (open ? null : onCancel())}>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <AlertDialog.Content className="fixed top-[20vh] left-1/2 z-50 w-full max-w-md -translate-x-1/2 rounded-xl border border-line bg-surface p-5 shadow-2xl">
          <AlertDialog.Title className="text-base font-semibold">
            Rewind “{run.name}” to {phase}?
          </AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-muted">
            Steps before <strong className="text-ink">{phase}</strong> keep their results. Every
            step from <strong className="text-ink">{phase}</strong> on runs again, and their current
            results are replaced.
          </AlertDialog.Description>
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button>Keep as is</Button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <Button variant="primary" onClick={onConfirm}>
                Rewind to {phase}
              </Button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
