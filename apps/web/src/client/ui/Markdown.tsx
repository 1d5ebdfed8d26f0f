import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/** Summaries and comments are Markdown; raw HTML in them is shown as text, never run. */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="prose-pb">
      <ReactMarkdown remarkPlugins={[remarkGfm]}>{text}</ReactMarkdown>
    </div>
  );
}
