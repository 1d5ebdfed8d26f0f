import { basename } from "node:path";
import type { DbClient } from "@phaseboard/db";

/**
 * Makes sure the repository at `path` is a project, creating it on first sight.
 * The name defaults to the folder's name.
 */
export async function registerProject(db: DbClient, path: string, name = basename(path)) {
  return db.project.upsert({
    where: { path },
    create: { name, path },
    update: {},
  });
}
