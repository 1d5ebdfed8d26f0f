import { afterEach, describe, expect, it, vi } from "vitest";
import {
  MAX_UPLOAD_BYTES,
  namePastedFile,
  UploadTooLargeError,
  uploadArtifact,
} from "./uploadArtifact";

describe("uploadArtifact", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("refuses a file over 100 MB before sending anything", async () => {
    const fetch = vi.fn();
    vi.stubGlobal("fetch", fetch);
    const big = new File([new Uint8Array(1)], "huge.mov", { type: "video/quicktime" });
    Object.defineProperty(big, "size", { value: MAX_UPLOAD_BYTES + 1 });
    await expect(uploadArtifact("r1", "s1", big)).rejects.toBeInstanceOf(UploadTooLargeError);
    await expect(uploadArtifact("r1", "s1", big)).rejects.toThrow(/limited to 100 MB/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("names a pasted screenshot after the time it was pasted", () => {
    const pasted = new File(["x"], "image.png", { type: "image/png" });
    const named = namePastedFile(pasted, new Date("2026-11-22T20:51:07.123Z"));
    expect(named.name).toBe("screenshot-2026-11-22-20-51-07.png");
    const kept = new File(["x"], "diagram.png", { type: "image/png" });
    expect(namePastedFile(kept).name).toBe("diagram.png");
  });
});
