import { FileRunStore } from "@phaseboard/workflow-engine";

const stores = new Map<string, FileRunStore>();

/**
 * The store of a project's run data (the engine's seed 004 folders under the project).
 * The server reads and writes run folders only through it, so their layout has one owner.
 */
export function runStoreFor(projectPath: string): FileRunStore {
  let store = stores.get(projectPath);
  if (!store) {
    store = new FileRunStore(projectPath);
    stores.set(projectPath, store);
  }
  return store;
}
