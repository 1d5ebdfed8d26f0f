// Bundles the server and the CLI with esbuild: the workspace's own TypeScript becomes one
// ESM file each (apps/web/dist/server.mjs, apps/cli/dist/phaseboard.mjs), so starting
// compiles nothing at run time. Third-party packages stay external (native addons such as
// better-sqlite3, Prisma's WebAssembly, esbuild and typescript are loaded as installed).
//
// Files of the repository locate data beside themselves through `import.meta.url` and
// `import.meta.dirname` (the Prisma migrations, the shipped templates, the built board, the
// engine's source for template type checks). In each bundled file they are rewritten to
// its own source file's place, computed relative to the bundle, so those lookups keep
// working from the bundle as long as the repository's layout is kept (in a checkout and
// in the npm package).
//
// Two ways to name the external packages:
//  - "checkout": by absolute path, resolved from the importing workspace package (pnpm
//    gives every package its own node_modules, so a bare name would not resolve from dist/);
//  - "package": by bare name, for the npm package whose flat node_modules holds them all;
//    the package names and versions are returned so its package.json can depend on them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";

/** What is bundled: entry point (from the repository root) → bundle. */
export const bundleTargets = [
  { name: "server", entry: "apps/web/src/server/main.ts", outfile: "apps/web/dist/server.mjs" },
  { name: "cli", entry: "apps/cli/src/main.ts", outfile: "apps/cli/dist/phaseboard.mjs" },
];

export function loadEsbuild(root) {
  const require = createRequire(join(root, "packages", "workflow-engine", "package.json"));
  return require("esbuild");
}

function packageNameOf(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Builds one target. Returns the bundle's text, its input files (absolute) and, in
 * "package" mode, the external packages it imports with their installed versions.
 */
export async function bundleTarget(root, target, mode) {
  const esbuild = loadEsbuild(root);
  const outDir = dirname(join(root, target.outfile));
  const externals = new Map();
  const layout = {
    name: "phaseboard-layout",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, "utf8");
        if (!/import\.meta\.(url|dirname|filename)/.test(source)) return undefined;
        const fromBundle = JSON.stringify(relative(outDir, args.path).split(sep).join("/"));
        const filename = `__phaseboardFileURLToPath(new URL(${fromBundle}, import.meta.url))`;
        return {
          contents: source
            .replaceAll("import.meta.url", `new URL(${fromBundle}, import.meta.url).href`)
            .replaceAll("import.meta.filename", filename)
            .replaceAll("import.meta.dirname", `__phaseboardDirname(${filename})`),
          loader: "ts",
        };
      });
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith("node:") || args.pluginData === "phaseboard-resolve") {
          return undefined;
        }
        if (args.path.startsWith("@phaseboard/")) return undefined;
        if (mode === "package") {
          const name = packageNameOf(args.path);
          const require = createRequire(join(args.resolveDir, "noop.js"));
          let version;
          try {
            const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8"));
            // Exports such as `"./*": "./dist/cjs/*"` (the MCP SDK) answer the build folder's
            // own package.json, which names no package and no version.
            if (pkg.name === name) version = pkg.version;
          } catch {}
          version ??= findPackageVersion(require, name, args.path);
          if (version) externals.set(name, version);
          return { path: args.path, external: true };
        }
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: "phaseboard-resolve",
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (!resolved.path.includes(`${sep}node_modules${sep}`)) return undefined;
        return { path: resolved.path, external: true };
      });
    },
  };
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, target.entry)],
    bundle: true,
    write: false,
    outfile: join(root, target.outfile),
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    metafile: true,
    legalComments: "none",
    plugins: [layout],
    // Bundled CommonJS sources may call require(); ESM has none of its own.
    banner: {
      js: [
        'import { createRequire as __phaseboardCreateRequire } from "node:module";',
        'import { dirname as __phaseboardDirname } from "node:path";',
        'import { fileURLToPath as __phaseboardFileURLToPath } from "node:url";',
        "const require = __phaseboardCreateRequire(import.meta.url);",
      ].join(" "),
    },
  });
  const output = result.outputFiles.find((file) => file.path.endsWith(".mjs"));
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes("node_modules/"))
    .map((input) => join(root, input));
  return { text: output.text, inputs, externals };
}

// A package whose exports hide package.json: walk up from any file it resolves to.
function findPackageVersion(require, name, specifier) {
  try {
    let dir = dirname(require.resolve(specifier));
    for (let i = 0; i < 6; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
        if (pkg.name === name) return pkg.version;
      } catch {}
      dir = dirname(dir);
    }
  } catch {}
  return undefined;
}
