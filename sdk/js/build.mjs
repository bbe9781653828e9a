// Builds the browser SDK (npm run build:sdk):
//   sdk/js/core/dist/   @oriel/js: index.js (ESM), index.d.ts, oriel.js (script tag, global Oriel), oriel.mjs
//   sdk/js/react/dist/  @oriel/react: index.js (ESM; react and @oriel/js external), index.d.ts
//   web/dist/sdk/       what the server embeds and serves under /sdk/: oriel.js, oriel.mjs, and
//                       oriel-react.mjs (React external, the core imported from ./oriel.mjs)
// The output depends only on the sources and the pinned tool versions (no
// timestamps, no absolute paths), so `make test` can rebuild it and compare
// it with the committed web/dist/sdk/.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const sdk = dirname(fileURLToPath(import.meta.url));
const repo = join(sdk, "..", "..");
const web = join(repo, "web", "dist", "sdk");
const core = join(sdk, "core");
const react = join(sdk, "react");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

const common = { absWorkingDir: sdk, bundle: true, target: "es2020", platform: "browser", legalComments: "none", logLevel: "warning" };
const minified = { ...common, minify: true };

for (const dir of [join(core, "dist"), join(react, "dist"), web]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

// The core, then the React wrapper, whose declarations import the core's.
const coreEntry = join(core, "src", "index.ts");
await build({ ...common, entryPoints: [coreEntry], format: "esm", outfile: join(core, "dist", "index.js") });
await build({ ...minified, entryPoints: [coreEntry], format: "esm", outfile: join(core, "dist", "oriel.mjs") });
await build({ ...minified, entryPoints: [join(core, "src", "global.ts")], format: "iife", outfile: join(core, "dist", "oriel.js") });
execFileSync(process.execPath, [tsc, "-p", join(core, "tsconfig.json")], { stdio: "inherit" });

const reactEntry = join(react, "src", "index.ts");
await build({ ...common, entryPoints: [reactEntry], format: "esm", external: ["react", "@oriel/js"], outfile: join(react, "dist", "index.js") });
execFileSync(process.execPath, [tsc, "-p", join(react, "tsconfig.json")], { stdio: "inherit" });

for (const name of ["oriel.js", "oriel.mjs"]) copyFileSync(join(core, "dist", name), join(web, name));
await build({
  ...minified,
  entryPoints: [reactEntry],
  format: "esm",
  external: ["react"],
  outfile: join(web, "oriel-react.mjs"),
  plugins: [
    {
      name: "core-beside",
      setup(b) {
        b.onResolve({ filter: /^@oriel\/js$/ }, () => ({ path: "./oriel.mjs", external: true }));
      },
    },
  ],
});
