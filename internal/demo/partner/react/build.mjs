// Builds the demo partner app's React page (npm run build:demo): app.jsx,
// React and @oriel/react (from the SDK's sources) in one minified ES module,
// ../static/react-app.js, which is committed so that `oriel demo` runs
// without Node. The build is deterministic, so `make js` can rebuild it and
// fail when the committed file is stale.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..', '..');

await build({
  absWorkingDir: repo,
  entryPoints: [join(here, 'app.jsx')],
  outfile: join(here, '..', 'static', 'react-app.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  platform: 'browser',
  minify: true,
  jsx: 'automatic',
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  alias: {
    '@oriel/react': './sdk/js/react/src/index.ts',
    '@oriel/js': './sdk/js/core/src/index.ts',
  },
});
