// Size budgets of the bundles the server serves under /sdk/ (built by
// npm run build:sdk into web/dist/sdk/), minified and gzipped.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, test } from "vitest";

const dist = fileURLToPath(new URL("../../../web/dist/sdk/", import.meta.url));

function gzipped(name: string): number {
  const path = dist + name;
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build:sdk`);
  return gzipSync(readFileSync(path)).length;
}

test.each([
  ["oriel.js", "the core, script tag", 3000],
  ["oriel.mjs", "the core, ESM", 3000],
  ["oriel-react.mjs", "the React wrapper, without React and the core", 1500],
])("%s (%s) is at most %i bytes minified and gzipped", (name, _, budget) => {
  const size = gzipped(name);
  console.log(`${name}: ${size} B gzip`);
  expect(size).toBeLessThanOrEqual(budget);
});

test("the React bundle takes the core from beside it, and React from the page", () => {
  const source = readFileSync(dist + "oriel-react.mjs", "utf8");
  expect(source).toMatch(/from"\.\/oriel\.mjs"/);
  expect(source).toMatch(/from"react"/);
  expect(source).not.toContain("createOriel=");
});
