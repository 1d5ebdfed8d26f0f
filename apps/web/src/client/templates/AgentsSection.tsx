import { AlertTriangle, Bot } from "lucide-react";
import type { ProjectAgent } from "../api/types";

/**
 * The agents the project's steps may name: the built-in CLIs and the ones declared in
 * `.agent/agents/`, with why an agent cannot run and what is wrong with a broken
 * declaration (shown like a broken template).
 */
export function AgentsSection({ agents }: { agents: readonly ProjectAgent[] }) {
  return (
    <section aria-labelledby="agents-heading" className="mt-8">
      <h2 id="agents-heading" className="text-base font-semibold tracking-tight">
        Agents
      </h2>
      <p className="mt-1 mb-3 text-sm text-muted">
        Built in, and declared in{" "}
        <code className="font-mono text-[12px]">.agent/agents/&lt;name&gt;.yaml</code>
      </p>
      <ul className="flex flex-col gap-2">
        {agents.map((agent) => (
          <li key={`${agent.kind}:${agent.name}:${agent.path ?? ""}`}>
            <AgentRow agent={agent} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AgentRow({ agent }: { agent: ProjectAgent }) {
  const state = agent.error
    ? "broken"
    : agent.available
      ? "ready"
      : agent.installed
        ? "not signed in"
        : "not installed";
  return (
    <article
      aria-label={`Agent ${agent.name}`}
      data-agent-kind={agent.kind}
      className={`rounded-xl border bg-surface p-3 ${agent.error ? "border-red-300 dark:border-red-900" : "border-line"}`}
    >
      <div className="flex items-start gap-3">
        <div className="grid size-8 shrink-0 place-items-center rounded-lg bg-sunken text-muted">
          <Bot aria-hidden className="size-4" />
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-mono text-[14px] font-semibold">{agent.name}</h3>
            <span className="rounded bg-sunken px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-muted uppercase">
              {agent.kind}
            </span>
            {agent.output && agent.kind === "declared" ? (
              <span className="text-xs text-muted">output: {agent.output}</span>
            ) : null}
            <span
              data-agent-state={state}
              className={`text-xs font-medium ${state === "ready" ? "text-green-700 dark:text-green-400" : "text-muted"}`}
            >
              {state}
              {agent.version ? ` · ${agent.version}` : ""}
            </span>
          </div>
          {agent.path ? (
            <p className="truncate font-mono text-xs text-faint">{agent.path}</p>
          ) : null}
          {agent.description ? (
            <p className="mt-1 text-sm text-muted">{agent.description}</p>
          ) : null}
          {agent.reason && !agent.error ? (
            <p className="mt-1 text-xs text-muted">{withInlineCode(agent.reason)}</p>
          ) : null}
        </div>
      </div>
      {agent.error ? (
        <div
          role="alert"
          className="mt-2 flex gap-2 rounded-lg bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
          <pre className="font-mono text-xs whitespace-pre-wrap">{agent.error.message}</pre>
        </div>
      ) : null}
    </article>
  );
}

/** `backticked` words of a server message as code, the rest as text. */
function withInlineCode(text: string) {
  return text.split("`").map((part, index) =>
    index % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string.
      <code key={index} className="rounded bg-sunken px-1 font-mono text-[11px] text-ink">
        {part}
      </code>
    ) : (
      part
    ),
  );
}
