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

// templates

export type { CompiledExpression, ExpressionScope } from "./expressions/compileExpression.js";
export { compileExpression } from "./expressions/compileExpression.js";
export { ExpressionError } from "./expressions/ExpressionError.js";
export { interpolate, interpolateDeep, interpolateValue } from "./expressions/interpolate.js";
export { cronTriggerProblem } from "./parser/cronTriggerProblem.js";
export { ArgsValidationError } from "./templates/ArgsValidationError.js";
export type { DefineWorkflowInput } from "./templates/defineWorkflow.js";
export { defineWorkflow, isWorkflowDefinition } from "./templates/defineWorkflow.js";
export type { TemplatePlan } from "./templates/describeTemplate.js";
export { describeTemplate } from "./templates/describeTemplate.js";
export { discoverTemplates } from "./templates/discoverTemplates.js";
export { loadDefinitionFromSnapshot } from "./templates/loadDefinitionFromSnapshot.js";
export { isTemplateFile, loadTemplate, SNAPSHOT_BUNDLE_FILE } from "./templates/loadTemplate.js";
export type { TemplateErrorCode } from "./templates/TemplateLoadError.js";
export { TemplateLoadError } from "./templates/TemplateLoadError.js";
export { validateArgs } from "./templates/validateArgs.js";
export type { StepOutcome, YamlRunResult } from "./yaml/createYamlExecute.js";
export { DEFAULT_MAX_VISITS } from "./yaml/createYamlExecute.js";
export { parseYamlTemplate } from "./yaml/parseYamlTemplate.js";
export { RoutingLimitError } from "./yaml/RoutingLimitError.js";
export { YamlStepFailedError } from "./yaml/YamlStepFailedError.js";
export type { YamlStep, YamlTemplate } from "./yaml/yamlTemplateSchema.js";
