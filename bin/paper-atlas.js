#!/usr/bin/env node
// The `paper-atlas` command: a thin launcher for the built CLI bundle.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('paper-atlas: not built yet; run "npm run build" in ' + path.dirname(__dirname) + '\n');
  process.exit(1);
}
require(cli);
