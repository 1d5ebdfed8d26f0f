// The `phaseboard` command.
import { readFileSync } from "node:fs";

const { version } = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
) as { version: string };

const usage = `Usage: phaseboard <command> [options]

Commands:
  --version   print the version
  --help      show this help
`;

const [command] = process.argv.slice(2);
switch (command) {
  case "--version":
  case "-v":
    console.log(version);
    break;
  case undefined:
  case "--help":
  case "-h":
    console.log(usage);
    break;
  default:
    console.error(`phaseboard: unknown command "${command}" (see phaseboard --help)`);
    process.exit(2);
}
