import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildFailure, build, type Plugin } from "esbuild";
import { TemplateLoadError } from "./TemplateLoadError.js";

const defineWorkflowModule = fileURLToPath(new URL("./defineWorkflow.ts", import.meta.url));

// A template may live in any repository: `@phaseboard/workflow-engine` resolves to this
// package's defineWorkflow, and `zod` stays an import that `importBundle` resolves to the
// running Phaseboard's own copy. So the template needs no install of its own, a bundle is
// a few kilobytes instead of carrying a zod, and every template shares one zod (loaded
// once, and its schemas are the engine's own kind).
const engineImports: Plugin = {
  name: "phaseboard-engine-imports",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@phaseboard\/workflow-engine$/ }, () => ({
      path: defineWorkflowModule,
    }));
    esbuild.onResolve({ filter: /^zod(\/.*)?$/ }, (args) => ({ path: args.path, external: true }));
  },
};

export interface CodeTemplateBundle {
  /** The ESM text a run pins. */
  text: string;
  /** Absolute paths of the files it was built from, outside node_modules. */
  inputs: string[];
}

/** Bundles a TypeScript template and everything it imports into one ESM text. */
export async function bundleCodeTemplate(file: string): Promise<CodeTemplateBundle> {
  try {
    const result = await build({
      entryPoints: [file],
      absWorkingDir: dirname(file),
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "silent",
      plugins: [engineImports],
      metafile: true,
      // Bundled CommonJS dependencies may call require(); ESM has none of its own.
      banner: {
        js: 'import { createRequire as __phaseboardCreateRequire } from "node:module"; const require = __phaseboardCreateRequire(import.meta.url);',
      },
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error("esbuild produced no output");
    const inputs = Object.keys(result.metafile.inputs)
      .map((input) => resolve(dirname(file), input))
      .filter((input) => !input.includes("/node_modules/"));
    return { text: output.text, inputs };
  } catch (error) {
    const first = (error as Partial<BuildFailure>).errors?.[0];
    if (first) {
      throw new TemplateLoadError(
        "TEMPLATE_BUNDLE_FAILED",
        `cannot bundle the template: ${first.text}`,
        {
          // esbuild reports paths relative to absWorkingDir.
          file: first.location?.file ? resolve(dirname(file), first.location.file) : file,
          line: first.location?.line,
          column:
            first.location === null || first.location === undefined
              ? undefined
              : first.location.column + 1,
          cause: error,
        },
      );
    }
    throw new TemplateLoadError(
      "TEMPLATE_BUNDLE_FAILED",
      `cannot bundle the template: ${(error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
  }
}
