import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { describe, expect, it } from "vitest";
import { runScriptStep } from "../steps/runScriptStep.js";
import { parseYamlTemplate } from "../yaml/parseYamlTemplate.js";
import { interpolate } from "./interpolate.js";
import { shellScriptIndex, unsafeShellInterpolation } from "./unsafeShellInterpolation.js";

function template(command: string): string {
  return `name: X\nphases: [a]\nsteps:\n  - id: s\n    phase: a\n    type: script\n    command: ${command}\n`;
}

describe("unsafeShellInterpolation", () => {
  it.each([
    ['echo "B:{{ args.x }}"', "double-quoted"],
    ["echo 'C:{{ args.x }}'", "single-quoted"],
    ["echo `echo {{ args.x }}`", "backquoted"],
    ['echo "$(echo "{{ args.x }}")"', "double-quoted"],
    ["cat <<EOF\nhello {{ args.x }}\nEOF", "here-document"],
    ["cat <<-'END'\n\t{{ args.x }}\n\tEND", "here-document"],
  ])("finds the {{ }} in %j (%s)", (command, position) => {
    expect(unsafeShellInterpolation(command)).toMatchObject({ position, expression: "args.x" });
  });

  it.each([
    "echo B:{{ args.x }}",
    'echo "B:"{{ args.x }}',
    "echo 'a' {{ args.x }} \"b\"",
    'echo "$(echo {{ args.x }})"',
    "echo $(echo {{ args.x }})",
    'echo \\"{{ args.x }}',
    "cat <<EOF\nfixed text\nEOF\necho {{ args.x }}",
    "cat <<< {{ args.x }}",
    "# it's a comment\necho {{ args.x }}",
  ])("accepts %j, where the value is one quoted word", (command) => {
    expect(unsafeShellInterpolation(command)).toBeUndefined();
  });
});

describe("shellScriptIndex", () => {
  it.each([
    [["sh", "-c", "s"], 2],
    [["/bin/bash", "-e", "-c", "s", "name"], 3],
    [["bash", "-ec", "s"], 2],
    [["/usr/bin/env", "bash", "-o", "pipefail", "-c", "s"], 5],
    [["busybox", "sh", "-c", "s"], 3],
    [["sh", "script.sh", "{{ args.x }}"], undefined],
    [["printf", "%s", "sh"], undefined],
  ])("in %j is %j", (argv, index) => {
    expect(shellScriptIndex(argv)).toBe(index);
  });
});

describe("a YAML script command", () => {
  it.each([
    [
      'echo "B:{{ args.x }}"',
      /t\.yaml:7:22 steps\[0\]\.command: \{\{ args\.x \}\} is inside double quotes, .*echo "text:"\{\{ args\.x \}\}/,
    ],
    ["echo 'C:{{ args.x }}'", /t\.yaml:7:22 steps\[0\]\.command: .* inside single quotes/],
    [
      '[sh, -c, "echo {{ args.x }}"]',
      /t\.yaml:7:29 steps\[0\]\.command\[2\]: \{\{ args\.x \}\} is in the script a shell runs, .*\[sh, -c, 'echo "\$1"', sh, "\{\{ args\.x \}\}"\]/,
    ],
  ])("refuses %s at load time, at its line and column, naming the safe form", (command, says) => {
    let error: unknown;
    try {
      parseYamlTemplate(template(command), "t.yaml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: "UNSAFE_INTERPOLATION" });
    expect((error as Error).message).toMatch(says);
  });

  it("loads a value passed as an argument of sh -c, and a bare one", () => {
    expect(() =>
      parseYamlTemplate(template(`[sh, -c, 'echo "B:$1"', sh, "{{ args.x }}"]`), "t.yaml"),
    ).not.toThrow();
    expect(() => parseYamlTemplate(template("echo B:{{ args.x }}"), "t.yaml")).not.toThrow();
  });

  it("runs the safe forms without running $( ) from the argument", async () => {
    const dir = tempDir("interp");
    const marker = join(dir, "pwned");
    const args = { x: `$(touch ${marker})"'\`touch ${marker}\`` };
    for (const command of [
      "echo B:{{ args.x }}",
      'echo "B:"{{ args.x }}',
      'echo "$(echo {{ args.x }})"',
    ]) {
      expect(unsafeShellInterpolation(command)).toBeUndefined();
      const out = await runScriptStep(
        { command: interpolate(command, { args }, "shell") },
        {
          stepKey: "s",
          attempt: 1,
          signal: new AbortController().signal,
          workdir: dir,
          emit: () => {},
          killGraceMs: 200,
        },
      );
      expect(out.data.stdout).toContain(args.x);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
