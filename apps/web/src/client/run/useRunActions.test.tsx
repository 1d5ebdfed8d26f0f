import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queryKeys } from "../api/queryKeys";
import type { Run } from "../api/types";
import { useRunActions } from "./useRunActions";

const toastError = vi.hoisted(() => vi.fn());
vi.mock("sonner", () => ({ toast: { error: toastError, success: vi.fn() } }));

const run: Run = {
  id: "r1",
  project_id: "p1",
  workflow_definition_id: "d1",
  name: "Add search",
  status: "running",
  current_phase: "build",
  position: "a0",
  created_at: "2026-01-01T00:00:00.000Z",
};

function setup() {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity } } });
  client.setQueryData(queryKeys.runs("p1"), [run]);
  client.setQueryData(queryKeys.run("r1"), run);
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  const { result } = renderHook(() => useRunActions(), { wrapper });
  return { client, result };
}

describe("useRunActions", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    toastError.mockReset();
  });

  it("shows a pause at once and keeps it when the server accepts", async () => {
    let answer: (response: Response) => void = () => {};
    vi.stubGlobal(
      "fetch",
      vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))),
    );
    const { client, result } = setup();
    act(() => result.current.perform(run, { kind: "pause", now: true }));
    await waitFor(() =>
      expect(client.getQueryData<Run>(queryKeys.run("r1"))?.status).toBe("paused"),
    );
    expect(client.getQueryData<Run[]>(queryKeys.runs("p1"))?.[0]?.status).toBe("paused");
    answer(Response.json({ data: { id: "r1", status: "paused" } }));
    await waitFor(() => expect(result.current.isPending).toBe(false));
    expect(client.getQueryData<Run>(queryKeys.run("r1"))?.status).toBe("paused");
    expect(toastError).not.toHaveBeenCalled();
  });

  it("rolls the card back and shows the server's message when the server refuses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        Response.json(
          { error: { code: "RUN_NOT_REWINDABLE", message: "Cannot rewind a run that is running" } },
          { status: 409 },
        ),
      ),
    );
    const { client, result } = setup();
    act(() => result.current.perform(run, { kind: "rewind", phase: "plan" }));
    await waitFor(() => expect(toastError).toHaveBeenCalled());
    expect(toastError.mock.calls[0]?.[0]).toBe(
      "Could not rewind “Add search”: Cannot rewind a run that is running",
    );
    expect(client.getQueryData<Run[]>(queryKeys.runs("p1"))?.[0]).toEqual(run);
    expect(client.getQueryData<Run>(queryKeys.run("r1"))).toEqual(run);
  });
});
