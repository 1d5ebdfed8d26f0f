import type { Command } from "commander";
import type { RunDto } from "../api/wireTypes.js";
import { withConnection } from "../connection/withConnection.js";
import { CommandFailedError } from "../errors/CommandFailedError.js";
import { UsageError } from "../errors/UsageError.js";
import { Output } from "../output/Output.js";
import {
  type JsonOptions,
  type ProjectOptions,
  withExamples,
  withJsonOption,
  withProjectOption,
} from "../program/commandOptions.js";

/** `path:line text` or `path:line:old text` (a removed line, by its number before the run). */
const COMMENT = /^(?<path>[^\s:][^:]*):(?<line>\d+)(?::(?<side>old|new))?\s+(?<body>[\s\S]+)$/;

export interface ParsedComment {
  path: string;
  line: number;
  side: "old" | "new";
  body: string;
}

/** One `--comment` value as the review endpoint takes it; a usage error names the bad one. */
export function parseReviewComment(value: string): ParsedComment {
  const match = COMMENT.exec(value.trim());
  const line = Number(match?.groups?.line);
  if (!match?.groups || !(line >= 1)) {
    throw new UsageError(
      `--comment ${JSON.stringify(value)}: expected "path:line text" (or "path:line:old text" for a removed line), e.g. "src/app.ts:12 Rename this"`,
      { code: "BAD_COMMENT" },
    );
  }
  return {
    path: match.groups.path as string,
    line,
    side: match.groups.side === "old" ? "old" : "new",
    body: (match.groups.body as string).trim(),
  };
}

export function registerReviewCommand(program: Command): void {
  const command = program
    .command("review")
    .description(
      "send review comments on a run's diff to its agent: a follow-up step resumes the agent's session with them",
    )
    .argument("<id>", "run id")
    .option(
      "-c, --comment <path:line text>",
      'a comment on a line of the diff (repeatable); "path:line:old text" for a removed line',
      (value: string, previous: ParsedComment[] = []) => [...previous, parseReviewComment(value)],
    )
    .option("-s, --summary <text>", "what applies to the whole change")
    .option("--step <stepId>", "the agent step whose session continues (default: the newest)")
    .option("--wait", "wait until the follow-up ends (always, without a running server)")
    .action(
      async (
        id: string,
        options: ProjectOptions &
          JsonOptions & {
            comment?: ParsedComment[];
            summary?: string;
            step?: string;
            wait?: boolean;
          },
      ) => {
        if (!options.comment?.length) {
          throw new UsageError("a review needs at least one --comment", { code: "NO_COMMENTS" });
        }
        const out = new Output(options);
        await withConnection(
          options,
          async ({ api, mode }) => {
            const sent = await api.review(id, {
              comments: options.comment ?? [],
              ...(options.summary !== undefined && { summary: options.summary }),
              ...(options.step !== undefined && { step_id: options.step }),
            });
            // An embedded server ends with this command: the follow-up must end first.
            if (!options.wait && mode === "server") {
              out.result(sent, () =>
                out.line(
                  `Sent ${sent.comments} comment(s) to ${sent.agent}: ${sent.step_key} resumes session ${sent.session_id}; follow it with: phaseboard logs ${id} --follow`,
                ),
              );
              return;
            }
            out.spin(`${sent.step_key}: ${sent.agent} is addressing ${sent.comments} comment(s)`);
            const status = await stepEnd(() => api.getRun(id), sent.step_id);
            out.stopSpinner();
            out.result({ ...sent, status }, () =>
              out.line(
                `${sent.step_key} ${status}: ${sent.comments} comment(s) sent to ${sent.agent}; see: phaseboard diff ${id}`,
              ),
            );
            if (status !== "completed") {
              throw new CommandFailedError(
                `the review follow-up ${sent.step_key} ended ${status}`,
                {
                  code: "FOLLOW_UP_FAILED",
                },
              );
            }
          },
          { runId: id },
        );
      },
    );
  withProjectOption(command);
  withJsonOption(command);
  withExamples(command, [
    'phaseboard review ckx1abc -c "src/app.ts:12 Rename this to total"',
    'phaseboard review ckx1abc -c "README.md:3:old Keep this line" -s "Close; two things"',
  ]);
}

/** Polls the run until the follow-up step is no longer running; answers its status. */
async function stepEnd(getRun: () => Promise<RunDto>, stepId: string): Promise<string> {
  for (;;) {
    const run = await getRun();
    const step = run.steps?.find((candidate) => candidate.id === stepId);
    if (step && step.status !== "running" && step.status !== "pending") return step.status;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
