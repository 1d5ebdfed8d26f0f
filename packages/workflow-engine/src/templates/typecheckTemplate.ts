import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TemplateError } from "../types/definition.js";

const require = createRequire(import.meta.url);
const engineIndex = fileURLToPath(new URL("../index.ts", import.meta.url));
const zodTypes = join(dirname(require.resolve("zod/package.json")), "index.d.cts");

/**
 * Type-checks a TypeScript template with the TypeScript compiler API, the way the Build
 * Workflow checks a template before it is used: strict, with `@phaseboard/workflow-engine`
 * and `zod` resolved to Phaseboard's own copies (as the bundler resolves them). Returns
 * one error per diagnostic in the template's own file, with its line and column; an
 * empty list means the template type-checks.
 *
 * @example
 * const errors = await typecheckTemplate("/repo/.agent/workflows/definitions/ship.ts");
 */
export async function typecheckTemplate(file: string): Promise<TemplateError[]> {
  // Loaded on demand: the compiler is large and only builds need it.
  const ts = (await import("typescript")).default;
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    types: ["node"],
    typeRoots: [join(dirname(require.resolve("@types/node/package.json")), "..")],
    paths: {
      "@phaseboard/workflow-engine": [engineIndex],
      zod: [zodTypes],
    },
  });
  const diagnostics = [
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ].filter((d) => d.file === undefined || d.file.fileName === file);
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const error: TemplateError = {
      name: "TemplateTypeError",
      code: "TEMPLATE_TYPE_ERROR",
      message: `TS${diagnostic.code}: ${message}`,
      file,
    };
    if (diagnostic.file && diagnostic.start !== undefined) {
      const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      error.line = position.line + 1;
      error.column = position.character + 1;
    }
    return error;
  });
}
