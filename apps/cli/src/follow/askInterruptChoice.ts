import { emitKeypressEvents } from "node:readline";

export type InterruptChoice = "detach" | "pause" | "continue";

/**
 * After Ctrl-C while following a run: on a terminal, ask whether to detach (the run goes
 * on) or pause it; a second Ctrl-C detaches. Without a terminal there is nobody to ask,
 * so Ctrl-C detaches, which never stops work the user did not ask to stop.
 */
export async function askInterruptChoice(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<InterruptChoice> {
  if (!stdin.isTTY) return "detach";
  stderr.write("\nDetach and leave the run going (d), pause it (p), or keep following (Enter)? ");
  emitKeypressEvents(stdin);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    const onKey = (_: string, key: { name?: string; ctrl?: boolean } | undefined) => {
      const name = key?.name;
      let choice: InterruptChoice | undefined;
      if (name === "d" || (key?.ctrl && name === "c")) choice = "detach";
      else if (name === "p") choice = "pause";
      else if (name === "return" || name === "enter") choice = "continue";
      if (!choice) return;
      stdin.off("keypress", onKey);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write(`${choice}\n`);
      resolve(choice);
    };
    stdin.on("keypress", onKey);
  });
}
