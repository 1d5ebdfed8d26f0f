import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";
import { RunCard } from "../board/RunCard";
import { runLinks } from "./runLinks";
import { StartAfterDialog } from "./StartAfterDialog";

function run(id: string, name: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    project_id: "p1",
    workflow_definition_id: "d1",
    name,
    status: "pending",
    current_phase: null,
    position: "a0",
    created_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

const api = run("a1", "Build API", { status: "running" });
const ship = run("b1", "Ship release");

function renderDialog() {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
  client.setQueryData<Run[]>(queryKeys.runs("p1"), [api, ship]);
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <StartAfterDialog run={ship} onClose={() => {}} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return client;
}

describe("StartAfterDialog", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("links the run to the runs picked, never offering the run itself, and marks the card blocked", async () => {
    const fetch = vi.fn(async () =>
      Response.json({
        data: { ...ship, status: "blocked", error_message: "Waiting for Build API" },
      }),
    );
    vi.stubGlobal("fetch", fetch);
    const client = renderDialog();
    expect(screen.queryByRole("checkbox", { name: /Ship release/ })).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: /Build API/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start after these" }));
    await waitFor(() =>
      expect(client.getQueryData<Run[]>(queryKeys.runs("p1"))?.[1]).toMatchObject({
        status: "blocked",
        after_ids: ["a1"],
      }),
    );
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/workflow-executions/b1/prerequisites");
    expect(JSON.parse(String(init.body))).toEqual({ after: ["a1"] });
  });

  it("leaves the card as it was when the server refuses the link", async () => {
    const fetch = vi.fn(async () =>
      Response.json(
        { error: { code: "DEPENDENCY_CYCLE", message: "after: a dependency cycle" } },
        { status: 409 },
      ),
    );
    vi.stubGlobal("fetch", fetch);
    const client = renderDialog();
    fireEvent.click(screen.getByRole("checkbox", { name: /Build API/ }));
    fireEvent.click(screen.getByRole("button", { name: "Start after these" }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    await waitFor(() =>
      expect(
        (screen.getByRole("button", { name: "Start after these" }) as HTMLButtonElement).disabled,
      ).toBe(false),
    );
    expect(client.getQueryData<Run[]>(queryKeys.runs("p1"))).toEqual([api, ship]);
  });
});

describe("a blocked card", () => {
  afterEach(cleanup);
  // A card reads the project's settings (its Preview button) through the query cache.
  const withClient = (card: React.ReactNode) => (
    <QueryClientProvider client={new QueryClient()}>{card}</QueryClientProvider>
  );

  it("names what it waits for with their statuses, and says which prerequisite failed and why", () => {
    const failed = run("a2", "Build UI", { status: "failed", error_message: "tests failed" });
    const blocked = run("b1", "Ship release", {
      status: "blocked",
      after_ids: ["a1", "a2"],
      error_message:
        "Prerequisite Build UI (a2) failed: tests failed. Start this run anyway or cancel it.",
    });
    const links = runLinks([api, failed, blocked]);
    render(withClient(<RunCard run={blocked} links={links.get("b1")} />));
    const waitsFor = document.querySelector("[data-waits-for]");
    expect(waitsFor?.textContent).toBe("Waits forBuild API(running)Build UI(failed)");
    expect(document.querySelector("[data-blocked-reason]")?.textContent).toBe(
      "Prerequisite Build UI (a2) failed: tests failed. Start this run anyway or cancel it.",
    );
    cleanup();
    render(withClient(<RunCard run={api} links={links.get("a1")} />));
    expect(document.querySelector("[data-unblocks]")?.textContent).toBe("Unblocks 1 run");
  });
});
