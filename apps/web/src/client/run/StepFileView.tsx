import { useStepLog } from "../api/queries";
import type { LogType, RunStep } from "../api/types";
import { Markdown } from "../ui/Markdown";
import { Skeleton } from "../ui/Skeleton";

/** A step's input.json, output.json or summary.md. */
export function StepFileView({ step, type }: { step: RunStep; type: Exclude<LogType, "events"> }) {
  const file = useStepLog(step.id, type);
  if (file.isLoading) return <Skeleton className="h-24 w-full" />;
  const content = file.data?.content;
  if (file.isError || !content?.trim()) {
    const what = { input: "input", output: "output", summary: "summary" }[type];
    return (
      <p className="rounded-lg border border-dashed border-line-strong p-4 text-sm text-faint">
        {step.status === "completed" || type === "input"
          ? `This step has no ${what}.`
          : `The ${what} appears when the step finishes.`}
      </p>
    );
  }
  if (type === "summary") {
    return (
      <div className="rounded-lg border border-line bg-surface p-4">
        <Markdown text={content} />
      </div>
    );
  }
  return (
    <pre
      className="max-h-[52vh] overflow-auto rounded-lg border border-line bg-sunken p-3 font-mono text-[12px] leading-relaxed"
      // Scrollable, so it must be reachable from the keyboard.
      // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
      tabIndex={0}
    >
      {prettyJson(content)}
    </pre>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
