import { parseTemplateString } from "./parseTemplateString.js";

/** Where in a shell script a `{{ }}` sits when shell-quoting its value would not hold. */
export type UnsafeShellPosition =
  | "double-quoted"
  | "single-quoted"
  | "backquoted"
  | "here-document";

export interface UnsafeShellInterpolation {
  position: UnsafeShellPosition;
  /** Index of the `{{` in the text. */
  offset: number;
  /** The expression's source, to write the safe form with. */
  expression: string;
}

type Context = "plain" | "dq" | "sq" | "bq" | "cmdsub";

/**
 * Finds the `{{ }}` of a `sh -c` command string that sit where a shell-quoted value is not
 * one literal word: inside "…", '…', `…` or a here-document. There the quotes the engine
 * adds are themselves text (or, in a here-document, `$(…)` in the value still runs), so
 * such a template is refused rather than guessed at. A `{{ }}` in a bare position, or
 * inside `$( … )`, is safe: the value is quoted for the context it lands in.
 *
 * The scanner reads the template's literal text only; values never reach it.
 */
export function unsafeShellInterpolation(command: string): UnsafeShellInterpolation | undefined {
  const stack: Context[] = ["plain"];
  const top = () => stack[stack.length - 1] ?? "plain";
  /** Delimiters of here-documents whose body starts at the next newline. */
  const pendingHeredocs: Array<{ word: string; stripTabs: boolean }> = [];
  let heredoc: { word: string; stripTabs: boolean } | undefined;
  let lineStart = true;
  let line = "";

  for (const segment of parseTemplateString(command)) {
    if (segment.kind === "expression") {
      const context = top();
      const position: UnsafeShellPosition | undefined = heredoc
        ? "here-document"
        : context === "dq"
          ? "double-quoted"
          : context === "sq"
            ? "single-quoted"
            : context === "bq"
              ? "backquoted"
              : undefined;
      if (position) {
        return { position, offset: segment.offset, expression: segment.expression.source };
      }
      lineStart = false;
      line += "\u0000";
      continue;
    }
    const text = segment.text;
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (heredoc) {
        if (char === "\n") {
          const candidate = heredoc.stripTabs ? line.replace(/^\t+/, "") : line;
          if (candidate === heredoc.word) heredoc = pendingHeredocs.shift();
          line = "";
        } else line += char;
        continue;
      }
      const context = top();
      if (context === "sq") {
        if (char === "'") stack.pop();
        continue;
      }
      if (char === "\\") {
        i++;
        continue;
      }
      if (context === "bq") {
        if (char === "`") stack.pop();
        continue;
      }
      if (context === "dq") {
        if (char === '"') stack.pop();
        else if (char === "`") stack.push("bq");
        else if (char === "$" && text[i + 1] === "(") {
          stack.push("cmdsub");
          i++;
        }
        continue;
      }
      // plain or inside $( … )
      if (char === "'") stack.push("sq");
      else if (char === '"') stack.push("dq");
      else if (char === "`") stack.push("bq");
      else if (char === "$" && text[i + 1] === "(") {
        stack.push("cmdsub");
        i++;
      } else if (char === ")" && context === "cmdsub") stack.pop();
      else if (char === "#" && lineStart) {
        while (i + 1 < text.length && text[i + 1] !== "\n") i++;
      } else if (char === "<" && text[i + 1] === "<" && text[i + 2] !== "<") {
        const match = /^<<(-?)\s*(['"]?)([^\s'"<>;&|()]+)\2/.exec(text.slice(i));
        if (match) {
          pendingHeredocs.push({ word: match[3] as string, stripTabs: match[1] === "-" });
          i += match[0].length - 1;
        }
      } else if (char === "\n" && pendingHeredocs.length > 0) {
        heredoc = pendingHeredocs.shift();
        line = "";
      }
      lineStart = char === "\n" || (lineStart && /[\s;&|(]/.test(char));
    }
  }
  return undefined;
}

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox"]);

/**
 * In an argv command, the element a shell runs as its script (`[sh, -c, SCRIPT, …]`,
 * also `bash -ec`, `/usr/bin/env bash -c`). Its index, or undefined when there is none.
 */
export function shellScriptIndex(argv: readonly string[]): number | undefined {
  const shellAt = argv.findIndex((part) => SHELLS.has(part.split("/").pop() ?? ""));
  if (shellAt === -1) return undefined;
  let start = shellAt + 1;
  if (argv[shellAt]?.endsWith("busybox") && argv[start] === "sh") start++;
  let sawC = false;
  for (let i = start; i < argv.length; i++) {
    const part = argv[i] as string;
    if (part === "-o" || part === "+o") {
      i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(part)) {
      if (part.startsWith("-") && part.includes("c")) sawC = true;
      continue;
    }
    return sawC ? i : undefined;
  }
  return undefined;
}
