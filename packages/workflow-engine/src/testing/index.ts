/**
 * `@phaseboard/workflow-engine/testing`: what template tests and other RunStore
 * implementations need, kept out of the engine's main entry (it imports vitest).
 */
export {
  type MemoryContextOptions,
  MemoryWorkflowContext,
  type RecordedCall,
} from "./MemoryWorkflowContext.js";
export { runStoreConformance } from "./runStoreConformance.js";
