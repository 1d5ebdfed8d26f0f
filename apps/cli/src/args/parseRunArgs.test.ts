import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors/UsageError.js";
import { parseRunArgs } from "./parseRunArgs.js";

describe("parseRunArgs", () => {
  it("splits key=value at the first = so values may contain =", () => {
    expect(parseRunArgs({ arg: ["query=a=b", "who=world"] })).toEqual({
      query: "a=b",
      who: "world",
    });
  });

  it("reads numbers and booleans as JSON only where the schema does not ask for a string", () => {
    const schema = {
      properties: {
        retries: { type: "integer" },
        dry: { type: "boolean" },
        id: { type: "string" },
      },
    };
    expect(parseRunArgs({ arg: ["retries=3", "dry=true", "id=42"], schema })).toEqual({
      retries: 3,
      dry: true,
      id: "42",
    });
  });

  it("rejects --arg without = as a usage error naming the argument", () => {
    expect(() => parseRunArgs({ arg: ["who"] })).toThrow(UsageError);
    expect(() => parseRunArgs({ arg: ["who"] })).toThrow("--arg who: expected key=value");
    expect(() => parseRunArgs({ arg: ["=x"] })).toThrow("expected key=value");
  });

  it("lets --arg override the same key from --args-file", () => {
    const dir = tempDir("args");
    writeFileSync(join(dir, "args.json"), JSON.stringify({ who: "file", n: 1 }));
    expect(parseRunArgs({ argsFile: "args.json", cwd: dir, arg: ["who=flag"] })).toEqual({
      who: "flag",
      n: 1,
    });
  });

  it("rejects an --args-file that is not a JSON object", () => {
    const dir = tempDir("args");
    writeFileSync(join(dir, "bad.json"), "{ who: ");
    writeFileSync(join(dir, "list.json"), "[1]");
    expect(() => parseRunArgs({ argsFile: "bad.json", cwd: dir })).toThrow(
      /--args-file bad\.json: not valid JSON/,
    );
    expect(() => parseRunArgs({ argsFile: "list.json", cwd: dir })).toThrow(
      "--args-file list.json: expected a JSON object of arguments",
    );
    expect(() => parseRunArgs({ argsFile: "missing.json", cwd: dir })).toThrow(
      "--args-file missing.json: no such file",
    );
  });
});
