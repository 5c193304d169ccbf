#!/usr/bin/env node
'use strict';
// The `spnas` command: runs the compiled CLI in dist/ (built by scripts/setup.sh or `npm run build`).
// A build older than the sources is refused, never run. SPNAS_FROM_SOURCE=1 runs the TypeScript
// sources through tsx instead (development only: tsx is a devDependency).
const path = require('node:path');

const root = path.join(__dirname, '..');
let entry;
if (process.env.SPNAS_FROM_SOURCE === '1') {
  require('tsx/cjs');
  entry = path.join(root, 'src', 'cli', 'main.ts');
} else {
  const stale = require('../scripts/build-state.cjs').staleReason(root, { sourcesRequired: false });
  if (stale) {
    process.stderr.write(
      `spnas: the compiled build is out of date (${stale}).\n` +
        'Run `npm run build` (or `bash scripts/setup.sh`), or set SPNAS_FROM_SOURCE=1 to run the sources through tsx.\n',
    );
    process.exit(1);
  }
  entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
