export { type RunningProcess, runProcess } from "./runProcess.js";
export { tempDir } from "./tempDir.js";
