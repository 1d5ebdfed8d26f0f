import { readFileSync } from "node:fs";

/** Phaseboard's version, from the repository's package.json. */
export const version: string = (
  JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
