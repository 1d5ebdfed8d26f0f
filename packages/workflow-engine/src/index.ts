/** Phaseboard's workflow engine: templates, durable execution and checkpoints. */
export const WORKFLOW_ENGINE_VERSION = 1;
