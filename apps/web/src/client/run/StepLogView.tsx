import { ChevronRight, Wrench } from "lucide-react";
import { useLayoutEffect, useMemo, useRef } from "react";
import { useStepLog } from "../api/queries";
import type { RunStep } from "../api/types";
import { Markdown } from "../ui/Markdown";
import { Skeleton } from "../ui/Skeleton";
import { AnsiText } from "./AnsiText";
import { parseStepLog } from "./parseStepLog";

/**
 * A step's live log. It follows the tail while the reader is at the bottom, and stays put
 * when they scrolled up to read something.
 */
export function StepLogView({ step }: { step: RunStep }) {
  const log = useStepLog(step.id, "events");
  const entries = useMemo(() => parseStepLog(log.data?.content ?? ""), [log.data?.content]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when entries grow
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [entries]);
  if (log.isLoading) return <Skeleton className="h-40 w-full" />;
  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={`Log of ${step.name}`}
      // Focusable so the log can be scrolled from the keyboard.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
      tabIndex={0}
      onScroll={(event) => {
        const el = event.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
      className="max-h-[52vh] min-h-40 overflow-y-auto rounded-lg border border-line bg-[#0d1117] p-3 font-mono text-[12px] leading-relaxed text-[#e6edf3]"
    >
      {entries.length === 0 ? (
        <p className="text-[#8b949e]">
          {step.status === "pending" ? "This step has not started yet." : "No output yet."}
        </p>
      ) : (
        entries.map((entry, index) => {
          const key = index;
          switch (entry.kind) {
            case "text":
              return (
                <pre
                  key={key}
                  className={`whitespace-pre-wrap break-words ${entry.stream === "stderr" ? "text-[#ffa198]" : ""}`}
                >
                  <AnsiText text={entry.text} />
                </pre>
              );
            case "message":
              return (
                <div
                  key={key}
                  className="prose-log my-2 rounded-md bg-white/5 px-3 py-2 font-sans text-[13px] text-[#e6edf3]"
                >
                  <Markdown text={entry.text} onDark />
                </div>
              );
            case "tool":
              return (
                <details key={key} className="group my-1 rounded-md border border-white/10">
                  <summary className="flex cursor-pointer list-none items-center gap-1.5 px-2 py-1 text-[#8b949e] hover:text-[#e6edf3]">
                    <ChevronRight
                      aria-hidden
                      className="size-3 transition-transform group-open:rotate-90"
                    />
                    <Wrench aria-hidden className="size-3" />
                    <span className="text-[#d2a8ff]">{entry.name}</span>
                    <span className="truncate">{summarizeInput(entry.input)}</span>
                    {entry.isError ? <span className="ml-auto text-[#ffa198]">error</span> : null}
                  </summary>
                  <pre className="border-t border-white/10 px-2 py-1.5 whitespace-pre-wrap text-[#8b949e]">
                    {JSON.stringify(entry.input, null, 2)}
                  </pre>
                  {entry.output !== undefined ? (
                    <pre className="border-t border-white/10 px-2 py-1.5 whitespace-pre-wrap">
                      <AnsiText text={entry.output} />
                    </pre>
                  ) : null}
                </details>
              );
            case "note":
              return (
                <p key={key} className="my-1 text-[11px] text-[#8b949e]">
                  — {entry.text}
                </p>
              );
            default:
              return null;
          }
        })
      )}
    </div>
  );
}

function summarizeInput(input: unknown): string {
  if (input && typeof input === "object") {
    const first = Object.values(input as Record<string, unknown>).find(
      (v) => typeof v === "string",
    );
    if (typeof first === "string") return first.split("\n")[0] ?? "";
  }
  return "";
}
