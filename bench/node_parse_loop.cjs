// The alternative to netarch's engine, for bench_mermaid_check.py: a bare `mermaid.parse`
// loop in one Node process, as a team would write it to check diagrams in CI.
//
//   node bench/node_parse_loop.cjs MERMAID_MIN_JS FOLDER_OF_MMD_FILES
//
// Prints one JSON line: start-up and loop seconds, each diagram's time, and which were
// rejected. It loads the same mermaid.min.js netarch checks with.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const started = performance.now();
const [mermaidJs, folder] = process.argv.slice(2);

// Without a `window`, the DOMPurify bundled in mermaid has no methods and most diagram types
// fail with "DOMPurify.addHook is not a function". Give the unsupported DOMPurify no-ops as
// it is created (it sets `isSupported = false` on itself), the least a bare loop needs.
Object.defineProperty(Object.prototype, 'isSupported', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'isSupported', { value, writable: true, configurable: true });
    if (value === false && typeof this === 'function') {
      this.sanitize = (dirty) => dirty;
      for (const name of ['addHook', 'removeHook', 'removeHooks', 'removeAllHooks',
                          'setConfig', 'clearConfig']) {
        this[name] = () => {};
      }
    }
  },
});
vm.runInThisContext(fs.readFileSync(mermaidJs, 'utf8'), { filename: mermaidJs });
const mermaid = globalThis.mermaid;
mermaid.initialize({ startOnLoad: false });
const ready = performance.now();

(async () => {
  const names = fs.readdirSync(folder).filter((name) => name.endsWith('.mmd')).sort();
  const times = [];
  const rejected = {};
  for (const name of names) {
    const text = fs.readFileSync(path.join(folder, name), 'utf8');
    const t0 = performance.now();
    try {
      await mermaid.parse(text);
      rejected[name] = false;
    } catch (error) {
      rejected[name] = true;
    }
    times.push((performance.now() - t0) / 1000);
  }
  const done = performance.now();
  process.stdout.write(JSON.stringify({
    startup_s: (ready - started) / 1000,
    loop_s: (done - ready) / 1000,
    per_diagram_s: times,
    verdicts: rejected,
    node: process.version,
  }) + '\n');
})();
