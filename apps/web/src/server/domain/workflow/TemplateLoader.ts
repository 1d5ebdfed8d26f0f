import type { LoadedTemplate } from "@phaseboard/workflow-engine";

/** Reads every template in a `definitions/` folder; a broken file is `{ ok: false, error }`. */
export type TemplateLoader = (dir: string) => Promise<LoadedTemplate[]>;
