import { describe, expect, it } from "vitest";
import { reviewPrompt } from "./reviewPrompt.js";

describe("reviewPrompt", () => {
  it("lists the comments in file and line order, each under the line it is about", () => {
    const prompt = reviewPrompt({
      branch: "phaseboard/fix-login-1a2b3c4d",
      baseRef: "main",
      summary: "Close, two things.",
      comments: [
        {
          path: "src/b.ts",
          line: 3,
          side: "new",
          body: "Name this `total`.",
          quote: "const t = 1;",
        },
        {
          path: "src/a.ts",
          line: 40,
          side: "old",
          body: "Keep this check.\nIt guards empty input.",
          quote: "  if (!input) return;",
        },
      ],
    });
    expect(prompt).toBe(
      [
        "A reviewer read your changes on phaseboard/fix-login-1a2b3c4d (compared with main) and left 2 comments.",
        "Address each one in the working tree; keep the rest of your changes as they are.",
        "",
        "Overall:",
        "Close, two things.",
        "",
        "1. src/a.ts, removed line 40:",
        "   >   if (!input) return;",
        "   Keep this check.",
        "   It guards empty input.",
        "",
        "2. src/b.ts, line 3:",
        "   > const t = 1;",
        "   Name this `total`.",
        "",
      ].join("\n"),
    );
  });

  it("says 'a comment' for one and leaves the quote out when the line has no text", () => {
    const prompt = reviewPrompt({
      branch: "phaseboard/x",
      baseRef: "HEAD",
      comments: [{ path: "notes.md", line: 1, side: "new", body: "Add a title." }],
    });
    expect(prompt).toContain("left a comment.");
    expect(prompt).not.toContain(">");
    expect(prompt).not.toContain("Overall");
  });
});
