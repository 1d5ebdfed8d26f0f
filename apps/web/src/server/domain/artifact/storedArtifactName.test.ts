import { describe, expect, it } from "vitest";
import { safeSegment, storedArtifactName } from "./storedArtifactName.js";

describe("storedArtifactName", () => {
  it("turns path traversal of either platform into a plain file name", () => {
    expect(storedArtifactName("../../etc/passwd")).toMatch(/^[0-9a-f]{12}-etc_passwd$/);
    expect(storedArtifactName("..\\x.png")).toMatch(/^[0-9a-f]{12}-x\.png$/);
    expect(storedArtifactName("..")).toMatch(/^[0-9a-f]{12}-file$/);
    expect(storedArtifactName("")).toMatch(/^[0-9a-f]{12}-file$/);
  });

  it("keeps two uploads of the same name apart", () => {
    expect(storedArtifactName("shot.png")).not.toBe(storedArtifactName("shot.png"));
  });

  it("keeps a revisited step's key as one folder name", () => {
    expect(safeSegment("build#2")).toBe("build#2");
    expect(safeSegment("../up")).toBe("__up");
  });
});
