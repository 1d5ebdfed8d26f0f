import type { TemplateError } from "@phaseboard/workflow-engine";

/**
 * The engine's template error message without its `file:line:col ` prefix, so the CLI
 * can print the location relative to where the user stands, once.
 */
export function templateErrorDetail(error: TemplateError): string {
  const location =
    error.line === undefined
      ? error.file
      : `${error.file}:${error.line}${error.column === undefined ? "" : `:${error.column}`}`;
  const message = error.message.startsWith(`${location} `)
    ? error.message.slice(location.length + 1)
    : error.message;
  return message.split("\n")[0] ?? message;
}
