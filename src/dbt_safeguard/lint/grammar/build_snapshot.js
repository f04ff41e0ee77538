'use strict';
// Builds a Node startup snapshot of the grammar helper, warmed up:
//
//     node build_snapshot.js      (run by `safeguard lint --install-grammar` and scripts/bootstrap.sh)
//
// Loading the generated MySQL parser and building its prediction tables
// (ANTLR's DFA) on the first statements of each shape costs about two CPU
// seconds per lint run: as much as sqlfluff's whole lint of a small project.
// A startup snapshot (`node --build-snapshot`, Node >= 18.8) stores the heap
// after the parser is loaded and has parsed warm_up.sql, so every later start
// begins warm. The snapshot only holds one script, so the helper and its
// packages are bundled into one first. The blob is specific to the Node
// binary that built it: .gate-snapshot.json names that binary, and the lint
// uses plain gate.js when the two differ or the blob is missing.
const childProcess = require('child_process');
const fs = require('fs');
const path = require('path');

const HERE = __dirname;
const OUT_DIR = path.join(HERE, 'node_modules');
const BLOB = path.join(OUT_DIR, '.gate-snapshot.blob');
const INFO = path.join(OUT_DIR, '.gate-snapshot.json');
const BUNDLE = path.join(OUT_DIR, '.gate-snapshot-bundle.js');

function filesUnder(dir, suffix) {
  const found = [];
  for (const entry of fs.readdirSync(path.join(HERE, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(rel, suffix));
    else if (entry.name.endsWith(suffix)) found.push(rel);
  }
  return found;
}

function bundle() {
  const files = [
    'gate.js',
    'rewrite.js',
    ...filesUnder('node_modules/antlr4ts', '.js'),
    ...filesUnder('node_modules/ts-mysql-parser/dist/grammar', '.js'),
  ];
  const parts = [
    '"use strict";',
    'const __path = require("path");',
    'const __builtin = require;',
    'const __modules = Object.create(null);',
    'const __json = Object.create(null);',
  ];
  for (const rel of files) {
    const source = fs.readFileSync(path.join(HERE, rel), 'utf8').replace(/^#!.*\n/, '');
    parts.push(`__modules[${JSON.stringify(rel)}] = function (exports, require, module, __filename, __dirname) {\n${source}\n};`);
  }
  const pkg = 'node_modules/ts-mysql-parser/package.json';
  parts.push(`__json[${JSON.stringify(pkg)}] = ${JSON.stringify(JSON.parse(fs.readFileSync(path.join(HERE, pkg), 'utf8')))};`);
  parts.push(`
const __cache = Object.create(null);
function __resolve(fromDir, request) {
  const base = request.startsWith('.') ? __path.posix.join(fromDir, request) : __path.posix.join('node_modules', request);
  for (const candidate of [base, base + '.js', base + '/index.js']) {
    if (candidate in __modules || candidate in __json) return candidate;
  }
  return null;
}
function __load(key) {
  if (key in __json) return __json[key];
  if (key in __cache) return __cache[key].exports;
  const module = { exports: {} };
  __cache[key] = module;
  const dir = __path.posix.dirname(key);
  const localRequire = (request) => {
    const found = __resolve(dir, request);
    return found === null ? __builtin(request) : __load(found);
  };
  __modules[key].call(module.exports, module.exports, localRequire, module, key, dir);
  return module.exports;
}
const __gate = __load('gate.js');
__gate.warmUp(${JSON.stringify(warmUpStatements())});
require('v8').startupSnapshot.setDeserializeMainFunction(() => __gate.main());
`);
  fs.writeFileSync(BUNDLE, parts.join('\n'));
}

// The blob holds the helper's code as it was: grammar_gate.py uses it only
// while these files still have this digest (SNAPSHOT_SOURCES there).
const SOURCES = ['gate.js', 'rewrite.js', 'warm_up.sql'];

function sourcesDigest() {
  const hash = require('crypto').createHash('sha1');
  for (const rel of SOURCES) hash.update(fs.readFileSync(path.join(HERE, rel)));
  return hash.digest('hex');
}

// warm_up.sql: statements separated by lines holding only `;`.
function warmUpStatements() {
  const text = fs.readFileSync(path.join(HERE, 'warm_up.sql'), 'utf8');
  return text.split(/^;\s*$/m).map((s) => s.replace(/^--.*$/gm, '').trim()).filter(Boolean);
}

function main() {
  if (!fs.existsSync(path.join(OUT_DIR, 'ts-mysql-parser'))) {
    console.error('build_snapshot: run `npm ci` first (no node_modules/ts-mysql-parser)');
    return 1;
  }
  for (const stale of [BLOB, INFO]) fs.rmSync(stale, { force: true });
  bundle();
  childProcess.execFileSync(process.execPath, ['--snapshot-blob', BLOB, '--build-snapshot', BUNDLE], { stdio: 'inherit' });
  fs.rmSync(BUNDLE);
  // The check the lint makes: the same node answers from the blob.
  const reply = childProcess.execFileSync(process.execPath, ['--snapshot-blob', BLOB], {
    input: JSON.stringify({ sql: 'SELECT NULL::date', version: '8.0.28' }) + '\n',
  }).toString().trim().split('\n');
  const verdict = JSON.parse(reply[1]);
  if (!JSON.parse(reply[0]).ready || verdict.ok !== false) {
    console.error(`build_snapshot: the snapshot does not answer as gate.js does: ${reply.join(' ')}`);
    fs.rmSync(BLOB, { force: true });
    return 1;
  }
  const node = fs.realpathSync(process.execPath);
  const stat = fs.statSync(node);
  const info = { node, size: stat.size, mtime: stat.mtimeMs, version: process.version, sources: sourcesDigest() };
  fs.writeFileSync(INFO, JSON.stringify(info) + '\n');
  console.log(`build_snapshot: ${path.relative(HERE, BLOB)} (${(fs.statSync(BLOB).size / 1e6).toFixed(0)} MB) for ${node} ${process.version}`);
  return 0;
}

process.exitCode = main();
