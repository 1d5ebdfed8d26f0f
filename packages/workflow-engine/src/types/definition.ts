import type { WorkflowContext } from "./context.js";
import type { SerializedError } from "./step.js";

/** A JSON Schema object (draft 2020-12 as produced by zod's toJSONSchema). */
export type JsonSchema = Record<string, unknown>;

export type TemplateFormat = "code" | "yaml";

/** A step the template declares statically (YAML), for the Templates page and dry runs. */
/** A spending limit: dollars, tokens (input + output), or both. */
export interface Budget {
  usd?: number;
  tokens?: number;
}

export interface StaticStep {
  id: string;
  name: string;
  phase: string;
  type: string;
}

export type WorkflowTrigger =
  | { type: "cron"; schedule: string; args?: Record<string, unknown>; timezone?: string }
  | { type: "webhook"; secretEnv?: string; args?: Record<string, unknown> };

/**
 * One model for both template formats. `execute` drives the run through the context
 * API: TypeScript templates supply it; for YAML the engine interprets the steps.
 */
export interface WorkflowDefinition<Args = Record<string, unknown>> {
  name: string;
  description?: string;
  phases: string[];
  /** JSON Schema of the arguments (zod's toJSONSchema for TypeScript templates). */
  argsSchema: JsonSchema;
  /** Present when the template declares its steps statically (YAML). */
  steps?: StaticStep[];
  triggers?: WorkflowTrigger[];
  /** Per-template workspace choice, read by the run manager. */
  workspace?: "worktree" | "shared";
  /** Spend after which a run pauses before its next agent step (a run may override it). */
  budget?: Budget;
  execute(ctx: WorkflowContext<Args>): Promise<unknown>;
}

/** A template file as discovered on disk: parsed, or with the error that stops it. */
export type LoadedTemplate =
  | {
      ok: true;
      /** `implement-feature` for `implement-feature.ts`. */
      identifier: string;
      /** Absolute path of the file. */
      path: string;
      format: TemplateFormat;
      /** sha256 of the file's bytes. */
      sourceHash: string;
      definition: WorkflowDefinition;
      /** What a run pins: JSON-serializable snapshot written to definition.json. */
      snapshot: DefinitionSnapshot;
      /**
       * Code templates: the esbuild bundle's text. A run saves it beside definition.json
       * under the name in `snapshot.source.bundle`, and resumes from it.
       */
      bundle?: string;
    }
  | {
      ok: false;
      identifier: string;
      path: string;
      format: TemplateFormat;
      sourceHash: string;
      error: TemplateError;
    };

export interface DefinitionSnapshot {
  name: string;
  description?: string;
  format: TemplateFormat;
  phases: string[];
  argsSchema: JsonSchema;
  steps?: StaticStep[];
  triggers?: WorkflowTrigger[];
  /**
   * YAML: the parsed document; code: file name of the esbuild bundle saved beside
   * definition.json (`definition.bundle.mjs`).
   */
  source: { yaml: unknown } | { bundle: string };
}

/** Where and why a template does not load; `file:line:col message` when located. */
export interface TemplateError extends SerializedError {
  code: string;
  file: string;
  line?: number;
  column?: number;
}
