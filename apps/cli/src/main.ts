// The `phaseboard` command: parse, run one command, exit 0 / 1 (failed) / 2 (usage).
import { CommanderError } from "commander";
import { CliError } from "./errors/CliError.js";
import { toCliError } from "./errors/toCliError.js";
import { colorsFor } from "./output/Output.js";
import { createProgram } from "./program/createProgram.js";

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}
// Every command has finished its work here (serve returns only once stopped); a handle
// some library left open (a socket in its closing handshake) must not keep the command
// hanging. Writes to pipes and files are synchronous on POSIX, so nothing is cut off.
process.exit(process.exitCode ?? 0);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, successfully.
    if (error.exitCode === 0) return 0;
    if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") {
      return 2;
    }
    printError(oneLine(error.message));
    return 2;
  }
  const cliError = error instanceof CliError ? error : toCliError(error);
  printError(cliError.message);
  if (process.env.PHASEBOARD_DEBUG && cliError.cause) console.error(cliError.cause);
  return cliError.exitCode;
}

/** Commander's "error: unknown command 'lst'\n(Did you mean list?)" as one line. */
function oneLine(message: string): string {
  return message
    .replace(/^error: /, "")
    .replace(/\s*\n\(Did you mean (.+)\?\)\s*$/, " (did you mean $1?)")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

function printError(message: string): void {
  const colors = colorsFor(process.stderr);
  // One line whatever the message holds (a JSON parser's excerpt may span lines).
  process.stderr.write(`${colors.red("phaseboard:")} ${message.replace(/\s*\n\s*/g, " ")}\n`);
}
