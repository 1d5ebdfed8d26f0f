/**
 * Sends `signal` to every process in the group led by `pid` (agents start their own
 * children: shells, language servers, MCP servers). Returns false when none is left.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
