// Reads diagrams (one JSON string per stdin line) and answers, one JSON line each, with what
// the pinned mermaid's own diagram database made of the text. Used by tests/mermaid only.
'use strict';
const fs = require('fs');
const vm = require('vm');
const readline = require('readline');

const source = fs.readFileSync(process.argv[2], 'utf8');
// Without a window, the DOMPurify bundled in mermaid is a bare object; parsing only needs its
// methods to exist.
const bare = 'return t.isSupported=!1,t;';
if (source.split(bare).length !== 2) throw new Error('mermaid.min.js changed: update the stub');
const stub = 'return t.isSupported=!1,t.sanitize=(x)=>x,t.addHook=()=>{},t.removeHook=()=>{},' +
  't.removeHooks=()=>{},t.removeAllHooks=()=>{},t.setConfig=()=>{},t.clearConfig=()=>{},t;';
vm.runInThisContext(source.replace(bare, stub));
const mermaid = globalThis.mermaid;

async function structure(text) {
  await mermaid.parse(text); // registers the diagram type; throws on invalid text
  // getDiagramFromText does not strip front matter itself (parse does).
  const body = text.replace(/^---\n[\s\S]*?\n---\n/, '');
  const db = (await mermaid.mermaidAPI.getDiagramFromText(body)).db;
  if (db.getVertices) {
    return {
      kind: 'flowchart',
      direction: db.getDirection ? db.getDirection() : null,
      vertices: Object.fromEntries([...db.getVertices().entries()].map(
        ([k, v]) => [k, {text: v.text, type: v.type ?? null, link: v.link ?? null,
                         classes: v.classes ?? []}])),
      edges: db.getEdges().map(e => ({start: e.start, end: e.end, type: e.type,
                                       stroke: e.stroke, text: e.text})),
      subgraphs: db.getSubGraphs().map(s => ({id: s.id, title: s.title, nodes: s.nodes,
                                               dir: s.dir ?? null})),
    };
  }
  return {
    kind: 'sequence',
    actors: Object.fromEntries([...db.getActors().entries()].map(
      ([k, v]) => [k, {description: v.description, type: v.type}])),
    messages: db.getMessages().map(m => ({from: m.from ?? null, to: m.to ?? null,
                                          message: m.message, type: m.type,
                                          placement: m.placement ?? null})),
  };
}

// Answer strictly in order: one request at a time.
let queue = Promise.resolve();
readline.createInterface({input: process.stdin}).on('line', (line) => {
  queue = queue.then(async () => {
    let answer;
    try {
      answer = {ok: true, structure: await structure(JSON.parse(line))};
    } catch (err) {
      answer = {ok: false, error: String((err && err.message) || err)};
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
});
