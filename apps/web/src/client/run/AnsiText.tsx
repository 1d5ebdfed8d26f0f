import Anser from "anser";
import { useMemo } from "react";

/** Script output with its ANSI colours, rendered as React text (never as raw HTML). */
export function AnsiText({ text }: { text: string }) {
  const parts = useMemo(() => Anser.ansiToJson(text, { remove_empty: true }), [text]);
  return (
    <>
      {parts.map((part, index) => (
        <span
          // Parts have no identity beyond their order in a line that never reorders.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          key={index}
          style={{
            color: part.fg ? `rgb(${part.fg})` : undefined,
            backgroundColor: part.bg ? `rgb(${part.bg})` : undefined,
            fontWeight: part.decorations.includes("bold") ? 600 : undefined,
            fontStyle: part.decorations.includes("italic") ? "italic" : undefined,
            textDecoration: part.decorations.includes("underline") ? "underline" : undefined,
          }}
        >
          {part.content}
        </span>
      ))}
    </>
  );
}
