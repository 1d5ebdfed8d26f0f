/** A review comment with the line it is about, as the agent will read it. */
export interface QuotedComment {
  path: string;
  line: number;
  side: "old" | "new";
  body: string;
  /** The text of the line commented on, when the file has it. */
  quote?: string | undefined;
}

/**
 * The prompt of a review follow-up: what was reviewed, then each comment under the line it
 * is about, in file and line order, so the agent can work through them one by one.
 */
export function reviewPrompt(input: {
  branch: string;
  baseRef: string;
  summary?: string | undefined;
  comments: readonly QuotedComment[];
}): string {
  // Byte order, as git lists the files of a diff.
  const ordered = [...input.comments].sort((a, b) =>
    a.path === b.path ? a.line - b.line : a.path < b.path ? -1 : 1,
  );
  const parts = [
    `A reviewer read your changes on ${input.branch} (compared with ${input.baseRef}) and left ${ordered.length === 1 ? "a comment" : `${ordered.length} comments`}.`,
    "Address each one in the working tree; keep the rest of your changes as they are.",
  ];
  if (input.summary) parts.push("", "Overall:", input.summary);
  ordered.forEach((comment, index) => {
    const where =
      comment.side === "old"
        ? `${comment.path}, removed line ${comment.line}`
        : `${comment.path}, line ${comment.line}`;
    parts.push("", `${index + 1}. ${where}:`);
    if (comment.quote !== undefined) parts.push(`   > ${comment.quote.trimEnd()}`);
    for (const line of comment.body.split("\n")) parts.push(`   ${line}`);
  });
  return `${parts.join("\n")}\n`;
}
