import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { RunCard } from "./RunCard";

function withClient(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
  return (
    <QueryClientProvider client={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>
  );
}

const base: Run = {
  id: "r1",
  project_id: "p1",
  workflow_definition_id: "d1",
  name: "Ship release",
  status: "running",
  current_phase: "build",
  position: "a0",
  created_at: "2026-01-01T00:00:00.000Z",
};

afterEach(cleanup);

describe("a run card", () => {
  it("names the worker that runs its steps when the run has one (restate backend)", () => {
    render(withClient(<RunCard run={{ ...base, step_worker: "laptop-7" }} />));
    const worker = document.querySelector("[data-step-worker]");
    expect(worker?.textContent).toBe("Worker:laptop-7");
    expect(worker?.getAttribute("title")).toBe("Steps run on worker laptop-7");
  });

  it("shows no worker for a run the server executes itself (local backend)", () => {
    render(withClient(<RunCard run={{ ...base, step_worker: null }} />));
    expect(document.querySelector("[data-step-worker]")).toBeNull();
  });
});
