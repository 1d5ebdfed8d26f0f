import { X } from "lucide-react";
import { Dialog } from "radix-ui";
import { useRun } from "../api/queries";
import { Skeleton } from "../ui/Skeleton";
import { RunView } from "./RunView";

/** The run page as a panel over the board, so the board stays in view behind it. */
export function RunDrawer({ runId, onClose }: { runId: string; onClose(): void }) {
  const run = useRun(runId);
  return (
    <Dialog.Root open onOpenChange={(open) => (open ? null : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-30 bg-black/25" />
        <Dialog.Content className="fixed top-0 right-0 bottom-0 z-30 flex w-full flex-col border-l sm:w-[min(1100px,86vw)] border-line bg-canvas shadow-2xl outline-none">
          <Dialog.Title className="sr-only">{run.data?.name ?? "Run"}</Dialog.Title>
          <Dialog.Description className="sr-only">
            Steps, logs, comments and attachments of this run
          </Dialog.Description>
          <Dialog.Close
            aria-label="Close run"
            className="absolute top-3 right-3 z-10 rounded-md p-1 text-muted hover:bg-sunken hover:text-ink"
          >
            <X className="size-4" />
          </Dialog.Close>
          {run.data ? (
            <RunView run={run.data} inDrawer />
          ) : run.isError ? (
            <p role="alert" className="p-6 text-sm text-danger">
              Could not load the run: {run.error.message}
            </p>
          ) : (
            <div className="flex flex-col gap-3 p-6" aria-busy="true">
              <Skeleton className="h-6 w-64" />
              <Skeleton className="h-4 w-40" />
              <Skeleton className="mt-4 h-64 w-full" />
            </div>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
