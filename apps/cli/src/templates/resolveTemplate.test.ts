import { describe, expect, it } from "vitest";
import type { DefinitionDto } from "../api/wireTypes.js";
import { UsageError } from "../errors/UsageError.js";
import { resolveTemplate } from "./resolveTemplate.js";

const definition = (id: string, name: string, path: string): DefinitionDto => ({
  id,
  project_id: "p1",
  identifier: path.replace(/^.*\//, "").replace(/\.[a-z]+$/, ""),
  name,
  description: null,
  path,
  type: path.endsWith(".ts") ? "code" : "yaml",
  phases: ["a"],
  args_schema: null,
  error: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
});
const definitions = [
  definition("c1", "Hello", ".agent/workflows/definitions/hello.yaml"),
  definition("c2", "Review changes", ".agent/workflows/definitions/review-changes.ts"),
];
const context = { projectDir: "/repo", cwd: "/repo/src" };

describe("resolveTemplate", () => {
  it("finds a template by identifier, id, name in any case, or path from the cwd", () => {
    expect(resolveTemplate("review-changes", definitions, context).id).toBe("c2");
    expect(resolveTemplate("c1", definitions, context).id).toBe("c1");
    expect(resolveTemplate("review CHANGES", definitions, context).id).toBe("c2");
    expect(
      resolveTemplate("../.agent/workflows/definitions/hello.yaml", definitions, context).id,
    ).toBe("c1");
  });

  it("lists the available templates when the name matches none", () => {
    expect(() => resolveTemplate("helo", definitions, context)).toThrow(UsageError);
    expect(() => resolveTemplate("helo", definitions, context)).toThrow(
      'no template "helo"; available: hello, review-changes',
    );
  });

  it("points to init when the project has no templates", () => {
    expect(() => resolveTemplate("hello", [], context)).toThrow(/phaseboard init/);
  });
});
