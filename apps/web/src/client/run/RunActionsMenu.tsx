import {
  Ban,
  CheckCheck,
  ChevronRight,
  Link2,
  MoreHorizontal,
  Pause,
  Play,
  RotateCcw,
  Zap,
} from "lucide-react";
import { DropdownMenu } from "radix-ui";
import { useRef } from "react";
import type { Run } from "../api/types";
import { runCardFacts } from "../board/runCardFacts";
import { canWaitForOthers } from "../dependencies/runLinks";
import { availableActions } from "./availableActions";
import type { RunAction } from "./useRunActions";

const itemClass =
  "flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-sm outline-none select-none data-[highlighted]:bg-sunken data-[disabled]:opacity-40";

/** The card's ⋯ menu: one click to pause, resume, cancel, approve, or rewind. */
export function RunActionsMenu({
  run,
  phases,
  onAction,
  onRewind,
  onOpen,
  onStartAfter,
}: {
  run: Run;
  phases: readonly string[];
  onAction(action: RunAction): void;
  onRewind(phase: string): void;
  /** Opens the run, for an approval whose step the board does not hold yet. */
  onOpen?: () => void;
  /** Opens "Start after…": the keyboard's way to link this card to others. */
  onStartAfter?: (() => void) | undefined;
}) {
  const allowed = availableActions(run);
  const reached =
    run.status === "completed"
      ? phases
      : phases.slice(0, Math.max(0, phases.indexOf(run.current_phase ?? "") + 1));
  const facts = runCardFacts(run);
  const waiting = facts.waitingStep;
  // A dialog opened from the menu owns the focus: the closing menu must not hand it back
  // to its trigger, which lies outside the dialog and would make the dialog dismiss itself.
  const openingDialog = useRef(false);
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        aria-label={`Actions for ${run.name}`}
        className="-mt-0.5 -mr-1 rounded p-0.5 text-faint opacity-70 group-hover:opacity-100 hover:bg-sunken hover:text-ink data-[state=open]:opacity-100"
        onPointerDown={(event) => event.stopPropagation()}
        onKeyDown={(event) => event.stopPropagation()}
        onClick={(event) => event.stopPropagation()}
      >
        <MoreHorizontal className="size-4" />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={4}
          className="z-50 min-w-48 rounded-lg border border-line bg-surface p-1 shadow-lg"
          // The menu is portalled, but React still bubbles its events to the card: an Enter
          // that picks an item must not also open the run or start a keyboard drag.
          onClick={(event) => event.stopPropagation()}
          onKeyDown={(event) => event.stopPropagation()}
          onPointerDown={(event) => event.stopPropagation()}
          onCloseAutoFocus={(event) => {
            if (!openingDialog.current) return;
            openingDialog.current = false;
            event.preventDefault();
          }}
        >
          {(allowed.approve || facts.agentApproval) && (waiting || onOpen) ? (
            <DropdownMenu.Item
              className={itemClass}
              onSelect={() =>
                waiting ? onAction({ kind: "approve", stepKey: waiting.step_id }) : onOpen?.()
              }
            >
              <CheckCheck aria-hidden className="size-4 text-violet-600" /> Approve
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Item
            className={itemClass}
            disabled={!allowed.pause}
            onSelect={() => onAction({ kind: "pause" })}
          >
            <Pause aria-hidden className="size-4" /> Pause after this step
          </DropdownMenu.Item>
          <DropdownMenu.Item
            className={itemClass}
            disabled={!allowed.pause}
            onSelect={() => onAction({ kind: "pause", now: true })}
          >
            <Zap aria-hidden className="size-4" /> Pause now
          </DropdownMenu.Item>
          <DropdownMenu.Item
            className={itemClass}
            disabled={!allowed.resume}
            onSelect={() => onAction({ kind: "resume" })}
          >
            <Play aria-hidden className="size-4" />{" "}
            {run.status === "blocked" ? "Start anyway" : "Resume"}
          </DropdownMenu.Item>
          {onStartAfter ? (
            <DropdownMenu.Item
              className={itemClass}
              disabled={!canWaitForOthers(run)}
              onSelect={() => {
                openingDialog.current = true;
                onStartAfter();
              }}
            >
              <Link2 aria-hidden className="size-4" /> Start after…
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Sub>
            <DropdownMenu.SubTrigger
              className={itemClass}
              disabled={!allowed.rewind || reached.length === 0}
            >
              <RotateCcw aria-hidden className="size-4" /> Rewind to…
              <ChevronRight aria-hidden className="ml-auto size-4" />
            </DropdownMenu.SubTrigger>
            <DropdownMenu.Portal>
              <DropdownMenu.SubContent className="z-50 min-w-40 rounded-lg border border-line bg-surface p-1 shadow-lg">
                {reached.map((phase) => (
                  <DropdownMenu.Item
                    key={phase}
                    className={itemClass}
                    onSelect={() => onRewind(phase)}
                  >
                    {phase}
                  </DropdownMenu.Item>
                ))}
              </DropdownMenu.SubContent>
            </DropdownMenu.Portal>
          </DropdownMenu.Sub>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Item
            className={`${itemClass} text-danger`}
            disabled={!allowed.cancel}
            onSelect={() => onAction({ kind: "cancel" })}
          >
            <Ban aria-hidden className="size-4" /> Cancel run
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
