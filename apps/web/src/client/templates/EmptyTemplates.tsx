import { FileCode2, FolderTree } from "lucide-react";
import type { Project } from "../api/types";
import { CopyButton } from "../ui/CopyButton";
import { exampleTemplate, exampleTemplateFileName } from "./exampleTemplate";

/** No templates yet: teach how to add the first one instead of showing an empty board. */
export function EmptyTemplates({ project }: { project: Project }) {
  const folder = ".agent/workflows/definitions";
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-3xl px-6 py-12" data-empty-state="templates">
        <div className="mb-6 flex items-start gap-4">
          <div className="grid size-11 shrink-0 place-items-center rounded-xl bg-accent-soft text-accent">
            <FileCode2 aria-hidden className="size-5" />
          </div>
          <div>
            <h1 className="text-xl font-semibold tracking-tight">
              Add your first workflow template
            </h1>
            <p className="mt-1 text-sm text-muted">
              A template names the phases a task goes through — they become this board's columns —
              and the steps that run in each: agents, scripts or TypeScript functions.
            </p>
          </div>
        </div>
        <ol className="space-y-5 text-sm">
          <li>
            <p className="mb-2 font-medium">
              1. Save this file as{" "}
              <code className="rounded bg-sunken px-1.5 py-0.5 font-mono text-[13px]">
                {folder}/{exampleTemplateFileName}
              </code>
            </p>
            <div className="overflow-hidden rounded-lg border border-line bg-surface">
              <div className="flex items-center justify-between border-b border-line px-3 py-1.5">
                <span className="inline-flex items-center gap-1.5 font-mono text-xs text-muted">
                  <FolderTree aria-hidden className="size-3.5" />
                  {exampleTemplateFileName}
                </span>
                <CopyButton text={exampleTemplate} label="Copy file" />
              </div>
              <pre
                className="max-h-80 overflow-auto p-3 font-mono text-[12px] leading-relaxed"
                // Scrollable, so it must be reachable from the keyboard.
                // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
                tabIndex={0}
              >
                {exampleTemplate}
              </pre>
            </div>
          </li>
          <li>
            <p className="font-medium">2. Where it goes</p>
            <p className="mt-1 text-muted">
              In this project,{" "}
              <code className="rounded bg-sunken px-1 font-mono text-[12px]">
                {project.path}/{folder}/
              </code>
              . TypeScript templates (<code className="font-mono">.ts</code>, with{" "}
              <code className="font-mono">defineWorkflow</code>) work there too.
            </p>
          </li>
          <li>
            <p className="font-medium">3. Start a run</p>
            <p className="mt-1 text-muted">
              The template appears here as soon as the file is saved; then press{" "}
              <strong className="text-ink">New run</strong>, or use the{" "}
              <code className="rounded bg-sunken px-1 font-mono text-[12px]">phaseboard run</code>{" "}
              command.
            </p>
          </li>
        </ol>
      </div>
    </div>
  );
}
