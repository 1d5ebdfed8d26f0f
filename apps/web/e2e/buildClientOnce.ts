import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "vite";

const web = join(import.meta.dirname, "..");

/**
 * Builds the board before the browser tests when its sources are newer than the last
 * build, so the tests always drive the code in the tree, and an unchanged tree pays nothing.
 */
export default async function buildClientOnce(): Promise<void> {
  const index = join(web, "dist", "client", "index.html");
  const sources = [
    join(web, "src", "client"),
    join(web, "index.html"),
    join(web, "vite.config.ts"),
  ];
  if (existsSync(index) && newestMtime(sources) <= statSync(index).mtimeMs) return;
  await build({ configFile: join(web, "vite.config.ts"), logLevel: "warn" });
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    newest = stat.isDirectory()
      ? Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))))
      : Math.max(newest, stat.mtimeMs);
  }
  return newest;
}
