import type { AgentArgPlaceholder, AgentArgTemplate } from "./AgentDeclaration.js";

/** `{name}`: lower-case letters only, so JSON or shell braces in an argument stay literal. */
export const PLACEHOLDER = /\{([a-z]+)\}/g;

export type PlaceholderValues = Partial<Record<Exclude<AgentArgPlaceholder, "resume">, string>>;

/**
 * Turns an argument template into an argument vector. Each value is substituted in one
 * pass, so a prompt that itself contains `{model}` is passed on verbatim, and nothing is
 * ever split or read by a shell. An element (or a group) naming a placeholder without a
 * value is left out, so optional flags need no conditionals. The standalone element
 * `{resume}` is replaced by `resume`'s expansion when resuming, and dropped otherwise.
 *
 * @example
 * expandArgTemplate(["run", ["--model", "{model}"], "--", "{prompt}"], { prompt: "hi" });
 * // → ["run", "--", "hi"]
 */
export function expandArgTemplate(
  template: readonly AgentArgTemplate[],
  values: PlaceholderValues,
  resume?: readonly AgentArgTemplate[],
): string[] {
  const out: string[] = [];
  for (const element of template) {
    if (element === "{resume}") {
      if (resume && values.session !== undefined) out.push(...expandArgTemplate(resume, values));
      continue;
    }
    const group = typeof element === "string" ? [element] : element;
    const expanded = group.map((part) => substitute(part, values));
    if (expanded.every((part): part is string => part !== undefined)) out.push(...expanded);
  }
  return out;
}

function substitute(part: string, values: PlaceholderValues): string | undefined {
  let missing = false;
  const result = part.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as keyof PlaceholderValues];
    if (value === undefined) missing = true;
    return value ?? whole;
  });
  return missing ? undefined : result;
}

/** The placeholder names an argument template uses, each once. */
export function placeholdersIn(template: readonly AgentArgTemplate[]): Set<string> {
  const names = new Set<string>();
  for (const element of template) {
    for (const part of typeof element === "string" ? [element] : element) {
      for (const match of part.matchAll(PLACEHOLDER)) names.add(match[1] ?? "");
    }
  }
  return names;
}
