/** Phaseboard's workflow engine: templates, durable execution and checkpoints. */
export type {
  ApprovalDecision,
  ChildRunResult,
  ExecResult,
  ParallelOptions,
  WorkflowContext,
} from "./types/context.js";
export type {
  DefinitionSnapshot,
  JsonSchema,
  LoadedTemplate,
  StaticStep,
  TemplateError,
  TemplateFormat,
  WorkflowDefinition,
  WorkflowTrigger,
} from "./types/definition.js";
export type {
  ExecutorOptions,
  RunHandle,
  RunHost,
  RunOutcome,
  StartRunInput,
  WorkflowExecutorApi,
} from "./types/executor.js";
export type {
  RunObserver,
  RunStatus,
  StepLogEvent,
  StepStatus,
} from "./types/observer.js";
export type {
  AgentPermission,
  AgentStepConfig,
  Duration,
  FunctionStepConfig,
  RetryPolicy,
  ScriptStepConfig,
  SerializedError,
  StepConfig,
  StepResult,
  StepRuntime,
  StepType,
} from "./types/step.js";
