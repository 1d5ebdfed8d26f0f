import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queryKeys } from "../api/queryKeys";
import type { Run, WorkflowDefinition } from "../api/types";
import { NewRunDialog } from "./NewRunDialog";

const project = { id: "p1", name: "acme", path: "/acme" };
const definition: WorkflowDefinition = {
  id: "d1",
  name: "Ship Feature",
  type: "yaml",
  path: ".agent/workflows/definitions/ship.yaml",
  phases: ["plan", "build"],
  args_schema: {
    type: "object",
    properties: { feature: { type: "string", title: "Feature", minLength: 3 } },
    required: ["feature"],
  },
};

function existing(id: string, name: string, status: Run["status"]): Run {
  return {
    id,
    project_id: "p1",
    workflow_definition_id: "d1",
    name,
    status,
    current_phase: null,
    position: "a0",
    created_at: `2026-01-0${id.length}T00:00:00.000Z`,
  };
}

function renderDialog(runs: Run[] = []) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
  client.setQueryData(queryKeys.definitions("p1"), [definition]);
  client.setQueryData<Run[]>(queryKeys.runs("p1"), runs);
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <NewRunDialog project={project} onClose={() => {}} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return client;
}

describe("NewRunDialog", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("shows the schema's message inline and sends nothing while an argument is invalid", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    renderDialog();
    fireEvent.change(screen.getByLabelText("Run name"), { target: { value: "Add search" } });
    fireEvent.change(screen.getByLabelText(/Feature/), { target: { value: "ab" } });
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await screen.findByText(/must NOT have fewer than 3 characters/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("leaves the name out when none is given, so the server names the run after its template", async () => {
    const fetch = vi.fn(async () => Response.json({ data: { id: "r9" } }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    renderDialog();
    fireEvent.change(screen.getByLabelText(/Feature/), { target: { value: "search box" } });
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({
      project_id: "p1",
      workflow_definition_id: "d1",
      args: { feature: "search box" },
    });
  });

  it("sends the template, name and arguments and puts the new card on the board at once", async () => {
    const created: Run = {
      id: "r1",
      project_id: "p1",
      workflow_definition_id: "d1",
      name: "Add search",
      status: "pending",
      current_phase: null,
      position: "a0",
      created_at: "2026-01-01T00:00:00.000Z",
    };
    const fetch = vi.fn(async () => Response.json({ data: created }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    const client = renderDialog();
    fireEvent.change(screen.getByLabelText("Run name"), { target: { value: "Add search" } });
    fireEvent.change(screen.getByLabelText(/Feature/), { target: { value: "search box" } });
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await waitFor(() => expect(client.getQueryData(queryKeys.runs("p1"))).toEqual([created]));
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/workflow-executions");
    expect(JSON.parse(String(init.body))).toEqual({
      project_id: "p1",
      workflow_definition_id: "d1",
      name: "Add search",
      args: { feature: "search box" },
    });
  });

  it("sends after with the runs picked under Start after…, searchable by name, and never offers a failed run", async () => {
    const fetch = vi.fn(async () => Response.json({ data: { id: "r9" } }, { status: 201 }));
    vi.stubGlobal("fetch", fetch);
    renderDialog([
      existing("a1", "Build API", "running"),
      existing("a2", "Build UI", "pending"),
      existing("a3", "Broken build", "failed"),
      existing("a4", "Write docs", "completed"),
    ]);
    const picker = screen.getByRole("list", { name: "Runs to start after" });
    expect(picker.textContent).toContain("Build API");
    expect(picker.textContent).toContain("Running");
    expect(picker.textContent).not.toContain("Broken build");
    fireEvent.change(screen.getByLabelText("Search runs"), { target: { value: "build" } });
    expect(screen.queryByLabelText(/Write docs/)).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: /Build API/ }));
    fireEvent.click(screen.getByRole("checkbox", { name: /Build UI/ }));
    fireEvent.change(screen.getByLabelText(/Feature/), { target: { value: "search box" } });
    fireEvent.click(screen.getByRole("button", { name: "Start run" }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(JSON.parse(String(init.body))).toEqual({
      project_id: "p1",
      workflow_definition_id: "d1",
      args: { feature: "search box" },
      after: ["a1", "a2"],
    });
  });
});
