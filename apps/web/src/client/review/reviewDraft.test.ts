import { describe, expect, it } from "vitest";
import {
  anchorKey,
  anchorOf,
  type DraftComment,
  draftsInDiff,
  reviewBody,
  saveDraft,
} from "./reviewDraft";

const draft = (over: Partial<DraftComment>): DraftComment => ({
  id: "1",
  path: "src/a.ts",
  line: 1,
  side: "new",
  body: "x",
  ...over,
});

describe("review drafts", () => {
  it("anchors removed lines by their old number and every other line by its new one", () => {
    expect(anchorOf("a.ts", { type: "delete", content: "gone", lineNumber: 7 })).toEqual({
      path: "a.ts",
      line: 7,
      side: "old",
    });
    expect(anchorOf("a.ts", { type: "insert", content: "new", lineNumber: 9 })).toEqual({
      path: "a.ts",
      line: 9,
      side: "new",
    });
    expect(
      anchorOf("a.ts", { type: "normal", content: "same", oldLineNumber: 4, newLineNumber: 6 }),
    ).toEqual({ path: "a.ts", line: 6, side: "new" });
    expect(anchorKey({ path: "a.ts", line: 6, side: "new" })).not.toBe(
      anchorKey({ path: "a.ts", line: 6, side: "old" }),
    );
  });

  it("adds, edits in place and drops a comment whose text is emptied", () => {
    let drafts = saveDraft([], draft({ id: "1", body: "  first  " }));
    drafts = saveDraft(drafts, draft({ id: "2", body: "second" }));
    expect(drafts.map((d) => d.body)).toEqual(["first", "second"]);
    drafts = saveDraft(drafts, draft({ id: "1", body: "first, edited" }));
    expect(drafts.map((d) => d.body)).toEqual(["first, edited", "second"]);
    drafts = saveDraft(drafts, draft({ id: "2", body: "   " }));
    expect(drafts.map((d) => d.id)).toEqual(["1"]);
  });

  it("sends the comments in the order git lists files, with the summary only when there is one", () => {
    const drafts = [
      draft({ id: "1", path: "src/b.ts", line: 3 }),
      draft({ id: "2", path: "README.md", line: 10 }),
      draft({ id: "3", path: "src/b.ts", line: 1, side: "old" }),
    ];
    expect(reviewBody(drafts, "  ")).toEqual({
      comments: [
        { path: "README.md", line: 10, side: "new", body: "x" },
        { path: "src/b.ts", line: 1, side: "old", body: "x" },
        { path: "src/b.ts", line: 3, side: "new", body: "x" },
      ],
    });
    expect(reviewBody(drafts, "Looks close").summary).toBe("Looks close");
  });

  it("keeps only the drafts on files the diff still has", () => {
    const drafts = [draft({ id: "1", path: "kept.ts" }), draft({ id: "2", path: "gone.ts" })];
    expect(draftsInDiff(drafts, new Set(["kept.ts"])).map((d) => d.id)).toEqual(["1"]);
  });
});
