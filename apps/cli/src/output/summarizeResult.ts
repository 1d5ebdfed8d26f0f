/** A run's result on one line, cut short: the full value is one `status ID --json` away. */
export function summarizeResult(result: unknown, max = 160): string {
  const text = JSON.stringify(result) ?? String(result);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
