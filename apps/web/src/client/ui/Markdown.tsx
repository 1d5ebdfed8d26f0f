import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/** Summaries and comments are Markdown; raw HTML in them is shown as text, never run. */
export function Markdown({ text, onDark = false }: { text: string; onDark?: boolean }) {
  return (
    <div className={onDark ? "prose-pb prose-pb-on-dark" : "prose-pb"}>
      <ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>
    </div>
  );
}
