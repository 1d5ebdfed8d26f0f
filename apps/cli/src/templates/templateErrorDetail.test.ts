import { describe, expect, it } from "vitest";
import { templateErrorDetail } from "./templateErrorDetail.js";

describe("templateErrorDetail", () => {
  it("drops the engine's location prefix and keeps the first line", () => {
    expect(
      templateErrorDetail({
        name: "TemplateLoadError",
        code: "UNKNOWN_PHASE",
        file: "/p/a.yaml",
        line: 6,
        column: 12,
        message: '/p/a.yaml:6:12 steps[0].phase: phase "x" is unknown\nmore',
      }),
    ).toBe('steps[0].phase: phase "x" is unknown');
    expect(
      templateErrorDetail({
        name: "E",
        code: "C",
        file: "/p/a.ts",
        message: "/p/a.ts no default export",
      }),
    ).toBe("no default export");
  });

  it("keeps a message that carries no location as it is", () => {
    expect(templateErrorDetail({ name: "E", code: "C", file: "/p/a.ts", message: "boom" })).toBe(
      "boom",
    );
  });
});
