import "./polyfillPromiseWithResolvers.js";

export { JournalRunStore } from "./JournalRunStore.js";
export { type PhaseboardRun, phaseboardRun, type RestateRunInput } from "./phaseboardRun.js";
export {
  RestateExecutor,
  type RestateExecutorOptions,
} from "./RestateExecutor.js";
export { RestateJournal } from "./RestateJournal.js";
export {
  FileRestateRunRecords,
  type PinnedRestateRun,
  type RestateRunRecords,
} from "./RestateRunRecords.js";
export { RestateRuns } from "./RestateRuns.js";
export { RestateUnreachableError } from "./RestateUnreachableError.js";
export {
  type FeedRead,
  type ProgressBatch,
  type ProgressEntry,
  type RunEvent,
  type RunEvents,
  runEvents,
} from "./RunEvents.js";
export { type InboxEntry, type RunInbox, runInbox } from "./RunInbox.js";
export { type ParkingState, type RunParking, runParking } from "./RunParking.js";
export {
  isRequestIdentityKey,
  loadOrCreateRequestIdentity,
  publicKeyOf,
  type RequestIdentity,
} from "./requestIdentity.js";
export {
  checkRestateReachable,
  findInvocation,
  queryAdmin,
  type RestateAddresses,
  registerDeployment,
  sqlText,
} from "./restateAdmin.js";
export { type StepJobFlags, stepJobFlags } from "./StepJobFlags.js";
export {
  type CompleteAnswer,
  type NextJob,
  type PauseRequest,
  type QueuedJob,
  type StepJobQueue,
  stepJobQueue,
  type TakenJob,
} from "./StepJobQueue.js";
export { type StepJobShard, stepJobShard } from "./StepJobShard.js";
export { type StepJobWaits, stepJobWaits } from "./StepJobWaits.js";
export { StepProgressSender, type StepProgressSenderOptions } from "./StepProgressSender.js";
export { checkWorkerId, StepWorker, type StepWorkerOptions } from "./StepWorker.js";
export { type RestateEndpointServer, serveRestateEndpoint } from "./serveRestateEndpoint.js";
export { STEP_JOB_SHARDS, shardKeys, shardOf } from "./stepJobShards.js";
