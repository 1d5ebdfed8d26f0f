import { describe, expect, it } from "vitest";
import { expandArgTemplate, placeholdersIn } from "./expandArgTemplate.js";

describe("expandArgTemplate", () => {
  it("substitutes placeholders inside an argument and keeps the rest literal", () => {
    expect(
      expandArgTemplate(["--model={model}", '--json={"a":1}', "--", "{prompt}"], {
        model: "m1",
        prompt: "hi",
      }),
    ).toEqual(["--model=m1", '--json={"a":1}', "--", "hi"]);
  });

  it("drops an element whose placeholder has no value, and a group as a whole", () => {
    expect(
      expandArgTemplate(["run", "--model={model}", ["--effort", "{model}"], "{prompt}"], {
        prompt: "hi",
      }),
    ).toEqual(["run", "hi"]);
  });

  it("never expands a placeholder that arrives inside a value", () => {
    expect(expandArgTemplate(["{prompt}"], { prompt: "say {model}", model: "m1" })).toEqual([
      "say {model}",
    ]);
  });

  it("puts the resume arguments at {resume} only when a session is resumed", () => {
    const args = ["exec", "{resume}", "{prompt}"];
    const resume = [["resume", "{session}"]];
    expect(expandArgTemplate(args, { prompt: "hi" }, resume)).toEqual(["exec", "hi"]);
    expect(expandArgTemplate(args, { prompt: "hi", session: "s-1" }, resume)).toEqual([
      "exec",
      "resume",
      "s-1",
      "hi",
    ]);
  });

  it("lists the placeholders a template uses", () => {
    expect([...placeholdersIn(["{prompt}", ["--m", "{model}"], "x{bogus}y"])]).toEqual([
      "prompt",
      "model",
      "bogus",
    ]);
  });
});
