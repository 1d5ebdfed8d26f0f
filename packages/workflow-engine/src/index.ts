/** Phaseboard's workflow engine: templates, durable execution and checkpoints. */

// execution
export type { Checkpoint, StepMeta } from "./checkpoint/Checkpoint.js";
export { CHECKPOINTS_KEPT, CheckpointStore } from "./checkpoint/CheckpointStore.js";
export { rewindCheckpoint } from "./checkpoint/rewindCheckpoint.js";
export { AgentRunnerMissingError } from "./errors/AgentRunnerMissingError.js";
export { AgentStepFailedError } from "./errors/AgentStepFailedError.js";
export { CheckpointCorruptError } from "./errors/CheckpointCorruptError.js";
export { DefinitionRequiredError } from "./errors/DefinitionRequiredError.js";
export { EngineError } from "./errors/EngineError.js";
export { ExecutionsDirNotWritableError } from "./errors/ExecutionsDirNotWritableError.js";
export { HostMissingError } from "./errors/HostMissingError.js";
export { InvalidDurationError } from "./errors/InvalidDurationError.js";
export { NonRetriableStepError } from "./errors/NonRetriableStepError.js";
export { ParallelDependencyError } from "./errors/ParallelDependencyError.js";
export { RunActiveError } from "./errors/RunActiveError.js";
export { RunCancelledError } from "./errors/RunCancelledError.js";
export { RunEndedError } from "./errors/RunEndedError.js";
export { RunLockedError } from "./errors/RunLockedError.js";
export { RunNotFoundError } from "./errors/RunNotFoundError.js";
export { ScriptFailedError } from "./errors/ScriptFailedError.js";
export { SignalTimeoutError } from "./errors/SignalTimeoutError.js";
export { StepFailedError } from "./errors/StepFailedError.js";
export { StepRefusedError } from "./errors/StepRefusedError.js";
export { StepTimeoutError } from "./errors/StepTimeoutError.js";
export { deserializeError, serializeError } from "./errors/serializeError.js";
export { TemplateChangedError } from "./errors/TemplateChangedError.js";
export { UnknownPhaseError } from "./errors/UnknownPhaseError.js";
export { durationToMs } from "./execution/durationToMs.js";
export { retryDelayMs } from "./execution/retryDelayMs.js";
export { WorkflowExecutor } from "./execution/WorkflowExecutor.js";
export { findExpiredRuns } from "./lease/findExpiredRuns.js";
export {
  isLockStale,
  isProcessAlive,
  type LockOwner,
  RunLock,
  readLockOwner,
} from "./lease/RunLock.js";
export { killProcessGroup, processGroupAlive } from "./steps/killProcessGroup.js";
export { runStepJob, type StepJobRuntime, settleStepJob } from "./steps/runStepJob.js";
export { bundleStoreDir, pinBundle } from "./storage/pinBundle.js";
export { executionsDir, type RunPaths, runPaths } from "./storage/runPaths.js";
export { writeFileAtomic, writeFileAtomicAsync } from "./storage/writeFileAtomic.js";
export { FileRunStore } from "./store/FileRunStore.js";
export type {
  PinnedRun,
  RunLease,
  RunStore,
  StepLogWriter,
  StoredSignal,
} from "./store/RunStore.js";
export type {
  ApprovalDecision,
  ChildRunResult,
  ChildWorkspace,
  ExecResult,
  OpenedPullRequest,
  ParallelOptions,
  PullRequestOptions,
  ReceivedSignal,
  RunDiff,
  RunDiffFile,
  WorkflowContext,
} from "./types/context.js";
export type {
  Budget,
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
  ExtraStepHandle,
  ExtraStepInput,
  RunHandle,
  RunHost,
  RunOutcome,
  StartRunInput,
  WorkflowExecutorApi,
} from "./types/executor.js";
export type { JournaledRun, RunJournal, StepJob, StepJobOutcome } from "./types/journal.js";
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

export {
  AgentDeclarationError,
  type AgentDeclarationErrorCode,
} from "./agents/AgentDeclarationError.js";
export { agentDeclarationSchema } from "./agents/agentDeclarationSchema.js";
export { agentsDir, discoverAgents } from "./agents/discoverAgents.js";
export { knownAgentNames } from "./agents/knownAgentNames.js";
export type { LoadedAgentDeclaration } from "./agents/LoadedAgentDeclaration.js";
export { AGENT_NAME, parseAgentDeclaration } from "./agents/parseAgentDeclaration.js";
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
export { typecheckTemplate } from "./templates/typecheckTemplate.js";
export { validateArgs } from "./templates/validateArgs.js";
export type { StepOutcome, YamlRunResult } from "./yaml/createYamlExecute.js";
export { DEFAULT_MAX_VISITS } from "./yaml/createYamlExecute.js";
export { isBranchName } from "./yaml/isBranchName.js";
export { parseYamlTemplate } from "./yaml/parseYamlTemplate.js";
export { RoutingLimitError } from "./yaml/RoutingLimitError.js";
export type { YamlTemplateChecks } from "./yaml/validateYamlTemplate.js";
export { YamlStepFailedError } from "./yaml/YamlStepFailedError.js";
export type { YamlStep, YamlTemplate } from "./yaml/yamlTemplateSchema.js";
