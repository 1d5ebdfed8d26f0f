import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { ProjectAgent } from "../api/types";
import { AgentsSection } from "./AgentsSection";

const base: ProjectAgent = {
  name: "claude",
  kind: "built-in",
  description: null,
  command: "claude",
  path: null,
  output: "claude",
  installed: false,
  available: false,
  version: null,
  reason: "`claude` is not on PATH: install it with `npm install -g @anthropic-ai/claude-code`.",
  error: null,
};

describe("AgentsSection", () => {
  afterEach(cleanup);

  it("shows built-in and declared agents, why one cannot run, and a broken declaration's error", () => {
    render(
      <AgentsSection
        agents={[
          base,
          {
            ...base,
            name: "echo",
            kind: "declared",
            description: "Echoes its prompt",
            path: ".agent/agents/echo.yaml",
            output: "text",
            installed: true,
            available: true,
            reason: null,
          },
          {
            ...base,
            name: "broken",
            kind: "declared",
            path: ".agent/agents/broken.yaml",
            output: null,
            reason: "The declaration does not parse; fix its file first.",
            error: {
              message:
                '/p/.agent/agents/broken.yaml:2:9 output: expected one of claude, codex, gemini, text, got "xml"',
              line: 2,
              column: 9,
            },
          },
        ]}
      />,
    );
    const claude = screen.getByRole("article", { name: "Agent claude" });
    expect(within(claude).getByText("not installed")).toBeTruthy();
    expect(within(claude).getByText(/npm install -g @anthropic-ai\/claude-code/)).toBeTruthy();
    const echo = screen.getByRole("article", { name: "Agent echo" });
    expect(within(echo).getByText("ready")).toBeTruthy();
    expect(within(echo).getByText("Echoes its prompt")).toBeTruthy();
    const broken = screen.getByRole("article", { name: "Agent broken" });
    expect(within(broken).getByRole("alert").textContent).toContain("broken.yaml:2:9 output:");
    expect(within(broken).queryByText(/does not parse/)).toBeNull();
  });
});
