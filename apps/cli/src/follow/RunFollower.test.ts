import { describe, expect, it } from "vitest";
import { Output } from "../output/Output.js";
import { RunFollower } from "./RunFollower.js";

/** An Output writing into strings, as when stdout is a pipe. */
function capture(json = false) {
  let stdout = "";
  const stream = (write: (chunk: string) => void) =>
    ({
      isTTY: false,
      write: (chunk: string) => {
        write(chunk);
        return true;
      },
    }) as unknown as NodeJS.WriteStream;
  const out = new Output(
    { json },
    stream((chunk) => {
      stdout += chunk;
    }),
    stream(() => {}),
  );
  return { out, stdout: () => stdout };
}

const event = (type: string, data: Record<string, unknown>) => ({
  type,
  data: { execution_id: "r1", project_id: "p1", ...data },
});

describe("RunFollower", () => {
  it("prints phases, steps with durations and streamed output, and settles on completion", async () => {
    const { out, stdout } = capture();
    const follower = new RunFollower(out, "r1");
    follower.handle(event("workflow.execution.phase_changed", { current_phase: "build" }));
    follower.handle(event("workflow.step.started", { step_id: "compile", step_name: "Compile" }));
    follower.handle(
      event("workflow.step.progress", { step_id: "compile", output: "ok 1\nok 2\n" }),
    );
    follower.handle(
      event("workflow.step.completed", {
        step_id: "compile",
        status: "completed",
        duration_ms: 1500,
      }),
    );
    follower.handle(event("workflow.execution.status_changed", { status: "completed" }));
    expect(await follower.settled).toBe("completed");
    expect(stdout()).toBe(
      ["▌ build", "  ▸ Compile", "    │ ok 1", "    │ ok 2", "  ✓ Compile 1.5s", ""].join("\n"),
    );
  });

  it("ignores other runs' events and keeps following through waiting", async () => {
    const { out, stdout } = capture();
    const follower = new RunFollower(out, "r1", { stopAt: ["paused"] });
    follower.handle({
      type: "workflow.execution.status_changed",
      data: { execution_id: "r2", status: "failed" },
    });
    follower.handle(event("workflow.execution.status_changed", { status: "waiting" }));
    follower.handle(
      event("workflow.step.progress", { event: { kind: "agent", text: "Thinking" } }),
    );
    follower.handle(event("workflow.execution.status_changed", { status: "paused" }));
    expect(await follower.settled).toBe("paused");
    expect(stdout()).toBe("    │ Thinking\n");
  });

  it("prints each event of the run as JSON with --json", async () => {
    const { out, stdout } = capture(true);
    const follower = new RunFollower(out, "r1");
    follower.handle(event("workflow.execution.status_changed", { status: "failed" }));
    expect(await follower.settled).toBe("failed");
    expect(JSON.parse(stdout())).toMatchObject({ data: { status: "failed" } });
  });
});
