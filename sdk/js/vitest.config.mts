// Unit tests of the browser SDK (npm run test:unit): the core and the React
// wrapper in happy-dom with fake timers, the React wrapper on React 19 and
// React 18, and the size budgets of the built bundles.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** React 18, installed in its own workspace (test/react18). */
const react18 = (name: string) => here(`./test/react18/node_modules/${name}`);

const browser = {
  environment: "happy-dom",
  environmentOptions: { happyDOM: { url: "https://vendor.example/app" } },
  setupFiles: [here("./test/setup.ts")],
  restoreMocks: true,
  unstubGlobals: true,
};

export default defineConfig({
  resolve: { alias: { "@oriel/js": here("./core/src/index.ts") } },
  test: {
    root: here("."),
    projects: [
      { extends: true, test: { ...browser, name: "core", include: ["core/test/**/*.test.ts"] } },
      { extends: true, test: { ...browser, name: "react", include: ["react/test/**/*.test.ts"], env: { REACT_MAJOR: "19" } } },
      {
        extends: true,
        resolve: { alias: { react: react18("react"), "react-dom": react18("react-dom") } },
        test: { ...browser, name: "react18", include: ["react/test/**/*.test.ts"], env: { REACT_MAJOR: "18" } },
      },
      { extends: true, test: { name: "size", environment: "node", include: ["test/**/*.test.ts"] } },
    ],
  },
});
