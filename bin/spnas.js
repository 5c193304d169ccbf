#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's require hook: no build step between an edit and a run.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
