/**
 * A branch name git and the host CLIs accept as one argument: no spaces, no `..`, no leading
 * `-` (which a CLI would read as an option), no control or glob characters.
 */
export function isBranchName(name: string): boolean {
  return (
    /^[A-Za-z0-9._/-]+$/.test(name) &&
    !name.startsWith("-") &&
    !name.startsWith("/") &&
    !name.endsWith("/") &&
    !name.endsWith(".lock") &&
    !name.includes("..") &&
    !name.includes("//") &&
    name.length <= 200
  );
}
