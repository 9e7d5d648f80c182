"""Check Mermaid diagrams with the real, pinned Mermaid.

Long-lived V8 isolates (PyPI ``mini-racer``; one per core, at most two), each in a small child
process that is killed when a diagram overruns its deadline (``child.py``), each load
``mermaid.min.js`` once; every diagram is then checked by ``mermaid.parse`` -- mermaid's own
grammars plus the checks its diagram databases run while parsing. No browser, no process per diagram, no grammar of our own: what
passes here is what the pinned mermaid accepts in the reader's browser.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from types import TracebackType
from typing import Any

from netarch.safety import excerpt
from netarch.validate.child import write_message as child_write
from netarch.validate.linemap import LineMap, split_lines
from netarch.validate.verdicts import VerdictStore, engine_key

MERMAID_VERSION = "12.3.0"
# mermaid's ``maxTextSize`` default: longer text renders as a "Maximum text size in diagram
# exceeded" placeholder, although ``parse`` accepts it.
MAX_TEXT_SIZE = 50_000
# Generous: the slowest real diagram we measured parses in well under a second.
DEFAULT_TIMEOUT_S = 30.0
# All the parsing of one run (a build, a `serve` rebuild, a check): a site of 2,000 diagrams
# takes well under a minute, while hostile text could add up one deadline per diagram.
DEFAULT_BUDGET_S = 300.0
# A diagram left unchecked because the run's budget is spent: an error, never a pass.
BUDGET = "MERMAID_BUDGET"
BUDGET_HINT = (
    "fix the slow diagrams reported before it (MERMAID_TIMEOUT), or raise"
    " NETARCH_MERMAID_BUDGET (seconds of Mermaid parsing per run)"
)


class MermaidNotFound(Exception):
    """The pinned ``mermaid.min.js`` could not be located."""


# The code of a diagram that renders without an error, but not as written (a warning).
MISDRAWN = "MERMAID_MISDRAWN"


@dataclass(frozen=True)
class MermaidProblem:
    """One problem in one diagram."""

    line: int  # 1-based line in the diagram text as given (0 = unknown)
    column: int  # 1-based (0 = unknown)
    message: str
    code: str = "MERMAID"

    @property
    def is_error(self) -> bool:
        """False for a warning: the diagram renders, but not as its text says."""
        return self.code != MISDRAWN


def find_mermaid_js(start: Path | None = None) -> Path:
    """Locate ``mermaid.min.js`` as :func:`netarch.validate.mermaid_build.locate_mermaid` does,
    from ``start`` (default: the working directory)."""
    from netarch.validate.mermaid_build import locate_mermaid

    return locate_mermaid(start=start).path


# Mermaid 12 deep-copies its whole configuration (~1,000 values) on every ``getConfig()`` --
# dozens of times per diagram, e.g. once per class member -- with a merge that adds each key
# through ``Object.defineProperty(obj, key, {value, writable, enumerable, configurable: true})``.
# That runtime call (and the dictionary-mode objects it leaves behind) was 70 % of all checking
# time (measured with node --cpu-prof). The replacement below behaves as the native function
# does, down to the order of every getter and proxy trap it runs:
# - A key that is not a string, a target that is not an object, and a descriptor that is not a
#   plain object (a Proxy, a class instance, a null-prototype object...) go to the native
#   function before anything is read.
# - A plain descriptor's four data fields are read once each, in ToPropertyDescriptor's order.
#   Reading one without testing it first (`in`) is the same there: no Proxy sees the test,
#   and an absent field reads as undefined without running anything.
# - An enumerable, configurable, writable data property (no get, no set), new to an extensible
#   non-Proxy object whose prototype is Object.prototype (not a typed array, whose [[Set]]
#   differs) and absent from Object.prototype too (no setter or read-only property in the
#   way), is then made by assignment: [[Set]] ends in the very same [[DefineOwnProperty]] call.
#   Every Proxy made after this point is tracked.
# - Anything else finishes reading the descriptor as the specification does (get, then set
#   unless get is not callable) and calls the native function: with the descriptor itself when
#   reading it again runs nothing (no accessor among its fields), else with a null-prototype
#   record of what was read. The one difference left is in that last case, for an invalid
#   descriptor: V8's message shows the record as "[object Object]" instead of "#<Object>".
# mermaid.min.js itself is not changed: it is byte-identical to what the site serves.
_DEFINE_PROPERTY_FAST_PATH = r"""
(function () {
  const nativeDefineProperty = Object.defineProperty;
  const ObjectPrototype = Object.prototype;
  const getPrototypeOf = Object.getPrototypeOf;
  const isExtensible = Object.isExtensible;
  const isView = ArrayBuffer.isView;
  const proxies = new WeakSet();
  const NativeProxy = globalThis.Proxy;
  function Proxy(target, handler) {
    if (new.target === undefined) return NativeProxy(target, handler);  // throws, as native
    const proxy = new NativeProxy(target, handler);
    proxies.add(proxy);
    return proxy;
  }
  Proxy.revocable = function revocable(target, handler) {
    const result = NativeProxy.revocable(target, handler);
    proxies.add(result.proxy);
    return result;
  };
  globalThis.Proxy = Proxy;
  // True when reading the descriptor's fields again runs no code: no field is an accessor,
  // own or inherited (the caller has made sure no Proxy is involved).
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const FIELDS = ['enumerable', 'configurable', 'value', 'writable', 'get', 'set'];
  const readingIsInert = (attributes) => {
    for (let o = attributes; o !== null; o = getPrototypeOf(o)) {
      for (const name of FIELDS) {
        const own = getOwnPropertyDescriptor(o, name);
        if (own !== undefined && !('value' in own)) return false;
      }
    }
    return true;
  };
  // The rest of ToPropertyDescriptor after the four data fields were read, then the native
  // function: on the descriptor itself if reading it again runs no code (its error messages
  // name it), else on a null-prototype record of the fields read.
  function slowPath(object, key, attributes, enumerable, configurable, value, writable) {
    const descriptor = {__proto__: null};
    if ('enumerable' in attributes) descriptor.enumerable = enumerable;
    if ('configurable' in attributes) descriptor.configurable = configurable;
    if ('value' in attributes) descriptor.value = value;
    if ('writable' in attributes) descriptor.writable = writable;
    if ('get' in attributes) descriptor.get = attributes.get;
    // A getter that is not a function throws before `set` is looked at.
    const get = descriptor.get;
    if ((get === undefined || typeof get === 'function') && 'set' in attributes) {
      descriptor.set = attributes.set;
    }
    if (readingIsInert(attributes)) return nativeDefineProperty(object, key, attributes);
    return nativeDefineProperty(object, key, descriptor);
  }
  Object.defineProperty = function defineProperty(object, key, attributes) {
    // Other keys, targets and descriptors: the native function, before anything is read.
    if (typeof key !== 'string' || object === null || typeof object !== 'object' ||
        attributes === null || typeof attributes !== 'object' || proxies.has(attributes) ||
        getPrototypeOf(attributes) !== ObjectPrototype) {
      return nativeDefineProperty(object, key, attributes);
    }
    // ToPropertyDescriptor's order. Reading a field without first testing it (`in`) is the
    // same here: no Proxy can see the test, and an absent field reads as undefined unseen.
    const enumerable = attributes.enumerable;
    const configurable = attributes.configurable;
    const value = attributes.value;
    const writable = attributes.writable;
    if (enumerable && configurable && writable && !('get' in attributes) &&
        !('set' in attributes) && !proxies.has(object) &&
        getPrototypeOf(object) === ObjectPrototype && !isView(object) && !(key in object) &&
        isExtensible(object)) {
      object[key] = value;
      return object;
    }
    return slowPath(object, key, attributes, enumerable, configurable, value, writable);
  };
})();
"""

# Installed before mermaid.min.js is evaluated. Without a window, the DOMPurify bundled in
# mermaid returns a bare object (isSupported = false) and every diagram that sanitises labels
# fails with "DOMPurify.addHook is not a function". The only moment we can reach that object is
# when DOMPurify assigns ``isSupported = false`` on it, hence the one-shot setter on
# Object.prototype (removed right after loading). Sanitising does not matter for parsing.
_PRELUDE = r"""
(function () {
  const noop = function () {};
  Object.defineProperty(Object.prototype, 'isSupported', {
    configurable: true,
    set(value) {
      Object.defineProperty(this, 'isSupported',
        {value: value, writable: true, configurable: true, enumerable: true});
      if (value === false && typeof this === 'function' && Array.isArray(this.removed)) {
        this.sanitize = function (dirty) { return dirty; };
        this.isValidAttribute = function () { return true; };
        for (const name of ['addHook', 'removeHook', 'removeHooks', 'removeAllHooks',
                            'setConfig', 'clearConfig']) {
          this[name] = noop;
        }
        globalThis.__netarchPurifyPatched = true;
      }
    },
  });
  // V8 without a host has no structuredClone; mermaid clones plain config/data objects.
  if (typeof globalThis.structuredClone !== 'function') {
    globalThis.structuredClone = function clone(value, seen) {
      if (value === null || typeof value !== 'object') return value;
      seen = seen || new Map();
      if (seen.has(value)) return seen.get(value);
      let copy;
      if (value instanceof Date) copy = new Date(value.getTime());
      else if (value instanceof RegExp) copy = new RegExp(value.source, value.flags);
      else if (value instanceof Map) copy = new Map();
      else if (value instanceof Set) copy = new Set();
      else if (Array.isArray(value)) copy = [];
      else copy = {};
      seen.set(value, copy);
      if (value instanceof Map)
        for (const [k, v] of value) copy.set(clone(k, seen), clone(v, seen));
      else if (value instanceof Set) for (const v of value) copy.add(clone(v, seen));
      else if (!(value instanceof Date) && !(value instanceof RegExp))
        for (const key of Object.keys(value)) copy[key] = clone(value[key], seen);
      return copy;
    };
  }
  // Other browser globals bare V8 lacks that mermaid's parse path can reach. URL: sanitizeUrl
  // runs `new URL(href)` for http(s) links (`click a "https://..."`) while parsing; the stand-in
  // parses absolute URLs only, as it is only ever given those.
  if (typeof globalThis.URL !== 'function') {
    globalThis.URL = class URL {
      constructor(href) {
        const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(
          String(href).trim());
        if (!m) throw new TypeError(`Failed to construct 'URL': Invalid URL`);
        const host = m[2] || '';
        const at = host.lastIndexOf('@');
        const hostport = at >= 0 ? host.slice(at + 1) : host;
        const colon = hostport.lastIndexOf(':');
        this._userinfo = at >= 0 ? host.slice(0, at + 1) : '';
        this.protocol = m[1];
        this.hostname = colon > 0 && !hostport.endsWith(']') ? hostport.slice(0, colon) : hostport;
        this.port = colon > 0 && !hostport.endsWith(']') ? hostport.slice(colon + 1) : '';
        this._slashes = m[2] !== undefined;
        this.pathname = m[3] || (this._slashes ? '/' : '');
        this.search = m[4] || '';
        this.hash = m[5] || '';
      }
      get host() { return this.hostname + (this.port ? ':' + this.port : ''); }
      get origin() { return this.protocol + '//' + this.host; }
      get href() {
        return this.protocol + (this._slashes ? '//' + this._userinfo + this.host : '') +
          this.pathname + this.search + this.hash;
      }
      toString() { return this.href; }
      toJSON() { return this.href; }
      static canParse(href) {
        try { new URL(href); return true; } catch (e) { return false; }
      }
    };
  }
  if (typeof globalThis.performance !== 'object') {
    globalThis.performance = {now: () => Date.now(), timeOrigin: Date.now()};
  }
  if (typeof globalThis.queueMicrotask !== 'function') {
    globalThis.queueMicrotask = (callback) => { Promise.resolve().then(callback); };
  }
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  if (typeof globalThis.btoa !== 'function') {
    globalThis.btoa = function (data) {
      data = String(data);
      let out = '';
      for (let i = 0; i < data.length; i += 3) {
        const a = data.charCodeAt(i), b = data.charCodeAt(i + 1), c = data.charCodeAt(i + 2);
        if (a > 255 || b > 255 || c > 255) throw new Error('btoa: character out of range');
        const n = (a << 16) | ((b || 0) << 8) | (c || 0);
        out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
          (i + 1 < data.length ? B64[(n >> 6) & 63] : '=') +
          (i + 2 < data.length ? B64[n & 63] : '=');
      }
      return out;
    };
  }
  if (typeof globalThis.atob !== 'function') {
    globalThis.atob = function (data) {
      data = String(data).replace(/[\s=]+/g, '');
      let out = '', bits = 0, value = 0;
      for (const ch of data) {
        const index = B64.indexOf(ch);
        if (index < 0) throw new Error('atob: invalid character');
        value = (value << 6) | index;
        bits += 6;
        if (bits >= 8) { bits -= 8; out += String.fromCharCode((value >> bits) & 255); }
      }
      return out;
    };
  }
  if (typeof globalThis.TextEncoder !== 'function') {
    globalThis.TextEncoder = class TextEncoder {
      encode(text) {
        const utf8 = unescape(encodeURIComponent(String(text)));
        return Uint8Array.from(utf8, (ch) => ch.charCodeAt(0));
      }
    };
  }
})();
"""

# The checker: resolves to a JSON string so only one value crosses the V8 boundary.
_HARNESS = r"""
delete Object.prototype.isSupported;
// A minimal ``window``, defined only now that mermaid (and its DOMPurify) is loaded. The
// sequence parser reads ``window?.CSS.supports('color', word)`` to tell a box colour from its
// title (``box Aqua Group``); without ``window`` that line is a ReferenceError. The answer
// only decides colour vs. title text, never validity, so CSS colour names and syntax suffice.
if (typeof globalThis.window === 'undefined') {
  const NAMED = new Set((
    'aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue ' +
    'blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk ' +
    'crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki ' +
    'darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen ' +
    'darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue ' +
    'dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite ' +
    'gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki ' +
    'lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan ' +
    'lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen ' +
    'lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen ' +
    'magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen ' +
    'mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream ' +
    'mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid ' +
    'palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum ' +
    'powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown ' +
    'seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen ' +
    'steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow ' +
    'yellowgreen transparent currentcolor').split(' '));
  const isColor = (value) => {
    const v = String(value).trim().toLowerCase();
    return NAMED.has(v) || /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.test(v) ||
      /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(.*\)$/.test(v);
  };
  globalThis.window = {CSS: {supports: (property, value) => isColor(value)}};
}
(function () {
  function describe(err, type, phase) {
    const hash = err && err.hash ? err.hash : null;
    const loc = hash && hash.loc ? hash.loc : null;
    return {
      ok: false, type: type, phase: phase,
      name: (err && err.name) || 'Error',
      message: String((err && err.message) || err),
      loc: loc ? {first_line: loc.first_line, first_column: loc.first_column,
                  last_line: loc.last_line, last_column: loc.last_column} : null,
      token: hash && typeof hash.token === 'string' ? hash.token : null,
    };
  }
  // What mermaid.render draws differently from what was written, without any error: found in
  // the diagram's database, reported as warnings ({warning: true}).
  const GANTT_REFERENCE = {after: /^after\s+([\d\w- ]+)/, until: /^until\s+([\d\w- ]+)/};
  function ganttUnknownTasks(tasks) {
    // getStartDate / getEndDate skip ids they cannot find (a console warning at most), and
    // when none is left the task starts, or ends, today.
    const known = new Set(tasks.map((task) => task.id));
    const issues = [];
    for (const task of tasks) {
      const raw = task.raw || {};
      const written = {after: raw.startTime && raw.startTime.startData,
                       until: raw.endTime && raw.endTime.data};
      for (const word of ['after', 'until']) {
        const match = GANTT_REFERENCE[word].exec(String(written[word] || '').trim());
        if (!match) continue;
        const ids = match[1].split(' ').filter((id) => id !== '');
        const missing = ids.filter((id) => !known.has(id));
        for (const id of missing) {
          const fallback = missing.length === ids.length
            ? `so it ${word === 'after' ? 'starts' : 'ends'} today` : 'so mermaid ignores it';
          issues.push({kind: 'gantt-unknown-task', warning: true, ids: [word, id],
                       message: `task "${task.id}" is scheduled ${word} "${id}", but no task ` +
                                `has that id, ${fallback}`});
        }
      }
    }
    return issues;
  }
  function blockTooWide(db) {
    const issues = [];
    for (const block of db.getBlocksFlat()) {
      const columns = block.columns;
      if (typeof columns !== 'number' || columns < 1) continue;  // -1: as many as needed
      for (const child of block.children || []) {
        const width = child.widthInColumns || 1;
        if (width <= columns) continue;
        issues.push({kind: 'block-too-wide', warning: true, ids: [String(child.id), String(width)],
                     message: `block "${child.id}" spans ${width} columns, but ` +
                              `${block.id === 'root' ? 'the diagram' : `"${block.id}"`} has ` +
                              `${columns}: mermaid draws it past the edge`});
      }
    }
    return issues;
  }
  function xychartMissingValues(db) {
    const data = db.getXYChartData();
    if (!data.xAxis || data.xAxis.type !== 'band') return [];
    const issues = [];
    data.plots.forEach((plot, index) => {
      const empty = plot.data.filter((point) => point[1] == null).map((point) => point[0]);
      if (empty.length === 0) return;
      issues.push({kind: 'xychart-missing-values', warning: true, ids: [String(index)],
                   message: `the ${plot.type} has ${plot.data.length - empty.length} ` +
                            `value(s) for ${data.xAxis.categories.length} x-axis categories: mermaid ` +
                            `leaves ${empty.map((c) => `"${c}"`).join(', ')} empty`});
    });
    return issues;
  }
  // Failures mermaid.parse lets through and mermaid.render then hits, reproduced from the
  // diagram's own database, plus the drawings above that render but not as written (each one
  // verified against mermaid.render in Chromium, see tests).
  const renderChecks = {
    // The gantt renderer calls getTasks(), which throws "Invalid date:..." for bad dates.
    gantt(db) { return ganttUnknownTasks(db.getTasks()); },
    block: blockTooWide,
    xychart: xychartMissingValues,
    // d3-sankey (computeNodeDepths) throws "circular link" for any cycle.
    sankey(db) {
      const graph = db.getGraph();
      const next = new Map();
      for (const link of graph.links) {
        if (!next.has(link.source)) next.set(link.source, []);
        next.get(link.source).push(link.target);
      }
      const state = new Map();  // 1: on the DFS stack, 2: done
      let back = null;
      const visit = (node) => {
        state.set(node, 1);
        for (const target of next.get(node) || []) {
          if (back) return;
          if (state.get(target) === 1) { back = [node, target]; return; }
          if (!state.has(target)) visit(target);
        }
        state.set(node, 2);
      };
      for (const node of next.keys()) { if (!state.has(node) && !back) visit(node); }
      if (!back) return [];
      return [{kind: 'sankey-cycle', ids: back,
               message: `the links form a cycle (${back[0]} -> ${back[1]} closes it); ` +
                        'the sankey renderer fails with "circular link"'}];
    },
    // A note on a state that is never declared yields a node without shape, and the
    // renderer fails with "No such shape: undefined".
    stateDiagram(db) {
      return db.getData().nodes.filter((node) => !node.shape).map((node) => ({
        kind: 'state-undefined', ids: [String(node.id)],
        message: `state "${node.id}" is referenced (e.g. by a note) but never defined; ` +
                 'the renderer fails with "No such shape: undefined"'}));
    },
  };
  // A relationship naming neither a requirement nor an element becomes an edge to nowhere; the
  // layout fails with "Id must be a string or an integer: 'null'".
  renderChecks.requirement = function (db) {
    const known = new Set([...db.getRequirements().keys(), ...db.getElements().keys()]);
    const issues = [];
    for (const rel of db.getRelationships()) {
      for (const name of [rel.src, rel.dst]) {
        if (known.has(name)) continue;
        issues.push({kind: 'requirement-undefined', ids: [rel.src, rel.type, rel.dst],
                     message: `"${name}" in "${rel.src} - ${rel.type} -> ${rel.dst}" is neither ` +
                              'a requirement nor an element; the renderer fails ' +
                              '("Id must be a string or an integer")'});
      }
    }
    return issues;
  };
  // The configuration a diagram gives itself (an init directive, front matter) may carry CSS
  // (themeCSS, fontFamily...), which Mermaid writes into the page's <style> as it is: a url()
  // or an @import there makes every reader's browser fetch that address. A CSS escape ("\\")
  // could spell either, so it counts too.
  const FETCHING_CSS = /(?:url|image|image-set|cross-fade|src)\s*\(|@import|\\/i;
  function cssFetches(config) {
    const found = [];
    const visit = (value, key, depth) => {
      if (depth > 32) return;
      if (typeof value === 'string') {
        if (FETCHING_CSS.test(value)) found.push(key);
      } else if (value && typeof value === 'object') {
        for (const child of Object.keys(value)) visit(value[child], child, depth + 1);
      }
    };
    visit(config, '', 0);
    return found;
  }
  globalThis.__netarchCheck = async function (text) {
    let type = null;
    try { type = mermaid.detectType(text); } catch (e) { type = null; }
    let result = null;
    try {
      result = await mermaid.parse(text);
      type = (result && result.diagramType) || type;
    } catch (err) {
      return JSON.stringify(describe(err, type, 'parse'));
    }
    const fetches = cssFetches(result && result.config);
    if (fetches.length) {
      return JSON.stringify({ok: false, type: type, phase: 'config', issues: fetches.map((key) => ({
        kind: 'css-fetch', ids: [key], code: 'MERMAID_CSS',
        message: `the diagram's configuration sets ${key} to CSS that loads an address` +
                 ' (url(), @import or a CSS escape): every reader\'s browser would fetch it' +
                 ' from outside the site'}))});
    }
    const check = renderChecks[type];
    // Building the diagram again costs a second parse: only when the check can find something.
    const relevant = {stateDiagram: /\bnote\b/i, block: /\bcolumns\b/,
                      xychart: /x-axis[^\n]*\[/}[type];
    if (relevant && !relevant.test(text)) return JSON.stringify({ok: true, type: type});
    if (!check) return JSON.stringify({ok: true, type: type});
    try {
      // parse() keeps no handle on the database; this builds (and parses) the diagram again.
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      const issues = check(diagram.db);
      return JSON.stringify({ok: issues.length === 0, type: type, phase: 'render',
                             issues: issues});
    } catch (err) {
      return JSON.stringify(describe(err, type, 'render'));
    }
  };
  // Registers mermaid's built-in diagram types (what parse() does on its first call), so that
  // detectType works before anything has been parsed.
  mermaid.registerExternalDiagrams([]);
  globalThis.__netarchVersion = async function () {
    await mermaid.parse('info');
    const diagram = await mermaid.mermaidAPI.getDiagramFromText('info');
    return diagram.db.getVersion();
  };
})();
"""

# "Parse error on line 2, column 6: Expecting ..." from the langium grammars (@mermaid-js/parser);
# one message lists every error, each may continue over several lines.
_LANGIUM_ERROR = re.compile(
    r"(?P<kind>Parse|Lexer) error on line (?P<line>\d+), column (?P<col>\d+): "
    r"(?P<msg>.*?)(?=\s*(?:Parse|Lexer) error on line \d+, column \d+:|\Z)",
    re.DOTALL,
)
# "Parse error on line 4:" / "Lexical error on line 2. Unrecognized text." from jison grammars.
_JISON_HEAD = re.compile(r"^(?P<kind>Parse|Lexical) error on line (?P<line>\d+)[:.]\s*(?P<rest>.*)")


def default_timeout() -> float:
    """Seconds one diagram may take: ``$NETARCH_MERMAID_TIMEOUT``, else 30."""
    return _positive_seconds("NETARCH_MERMAID_TIMEOUT", DEFAULT_TIMEOUT_S)


def default_budget() -> float:
    """Seconds of Mermaid parsing one run may spend in all: ``$NETARCH_MERMAID_BUDGET``,
    else 300."""
    return _positive_seconds("NETARCH_MERMAID_BUDGET", DEFAULT_BUDGET_S)


def _positive_seconds(variable: str, default: float) -> float:
    try:
        seconds = float(os.environ.get(variable, ""))
    except ValueError:
        return default
    return seconds if 0 < seconds < float("inf") else default


class RunBudget:
    """Seconds of Mermaid work one run may spend in all (parsing in V8, rendering in
    Chromium), shared by the threads that check its diagrams."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds if seconds is not None else default_budget()
        self.spent_s = 0.0
        self._lock = threading.Lock()

    def reset(self) -> None:
        """A new run begins (a `serve` rebuild): the whole budget again."""
        with self._lock:
            self.spent_s = 0.0

    def deadline(self, timeout_s: float) -> float | None:
        """Seconds the next diagram may take: ``timeout_s``, or less if the budget has less
        left; None once it is spent."""
        with self._lock:
            left = self.seconds - self.spent_s
        return min(timeout_s, left) if left > 0 else None

    def spend(self, seconds: float) -> None:
        with self._lock:
            self.spent_s += seconds

    def problems(self) -> list[MermaidProblem]:
        """What a diagram left unchecked is reported as."""
        message = (
            f"diagram not checked: this run's Mermaid budget ({self.seconds:g} s of parsing,"
            " NETARCH_MERMAID_BUDGET) was spent before it"
        )
        return [MermaidProblem(0, 0, message, BUDGET)]


@cache
def mini_racer_version() -> str:
    """The installed mini-racer (V8) version: part of every cache key. Once per process, as
    reading package metadata walks ``sys.path``."""
    from importlib.metadata import version

    return version("mini-racer")


def default_workers() -> int:
    """Isolates to run: ``$NETARCH_MERMAID_WORKERS``, else one per CPU core, at most two.

    Each isolate holds its own copy of mermaid (~70 MB); two let a build check two diagrams
    at once, and measured, more than two gain nothing on two cores.
    """
    env = os.environ.get("NETARCH_MERMAID_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


class _Isolate:
    """One V8 isolate with mermaid loaded (in a ``_Child`` process), used only from its own
    worker thread, which serialises the requests over the child's pipe and replaces the child
    when it overruns or dies."""

    def __init__(self, source: bytes, mermaid_js: Path, timeout_s: float, name: str) -> None:
        self._source = source
        self._mermaid_js = mermaid_js
        self.timeout_s = timeout_s
        self._ctx: Any = None
        self._worker: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=name
        )

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        if self._worker is None:
            raise RuntimeError("MermaidValidator is closed")
        return self._worker.submit(function, *args)

    def evaluate(self, code: str, timeout_s: float | None = None) -> Any:
        """The value of ``code``; TimeoutError after ``timeout_s`` (default: the isolate's)."""
        return self.submit(self._eval, code, timeout_s).result()

    def start(self) -> None:  # on the worker thread
        try:
            source = self._source.decode("utf-8")
        except UnicodeDecodeError:
            raise MermaidNotFound(
                f"{self._mermaid_js}: cannot read it as JavaScript (not UTF-8 text)"
            ) from None
        child = _Child(self.timeout_s)
        try:
            for code in (_DEFINE_PROPERTY_FAST_PATH, _PRELUDE):
                child.eval(code, _START_TIMEOUT_S)
            try:
                child.eval(source, _START_TIMEOUT_S)
            except _ChildCrashed:
                raise
            except _ChildError as error:
                # Only V8's first line: the next ones quote the script's source text.
                reason = str(error).strip().split("\n", 1)[0]
                raise MermaidNotFound(
                    f"{self._mermaid_js} cannot run in netarch's checker"
                    f" ({excerpt(reason, 160)}); netarch checks with mermaid"
                    f" {MERMAID_VERSION}: point it at that build, or remove this one to use the"
                    " copy shipped with netarch"
                ) from None
            if not child.eval(
                "!!(globalThis.mermaid && typeof mermaid.parse === 'function')", _START_TIMEOUT_S
            ):
                raise MermaidNotFound(f"{self._mermaid_js} did not define a global `mermaid`.")
            child.eval(_HARNESS, _START_TIMEOUT_S)
        except TimeoutError:
            child.close()
            raise MermaidNotFound(
                f"{self._mermaid_js} did not load within {_START_TIMEOUT_S:g} s"
            ) from None
        except _ChildCrashed:
            child.close()
            raise MermaidNotFound(
                f"{self._mermaid_js}: the process loading it ended (out of memory? the limit"
                " is NETARCH_MERMAID_MEMORY bytes, default 2 GB)"
            ) from None
        except BaseException:
            child.close()
            raise
        self._ctx = child

    def _eval(self, code: str, timeout_s: float | None = None) -> Any:  # on the worker thread
        try:
            return self._ctx.eval(code, self.timeout_s if timeout_s is None else timeout_s)
        except _ChildCrashed:
            raise
        except _ChildError as error:
            raise RuntimeError(f"mermaid harness failed: {error}") from None

    def restart(self) -> None:  # on the worker thread
        self.stop()
        self.start()

    def stop(self) -> None:  # on the worker thread
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.submit(self.stop).result()
            worker.shutdown(wait=True)


# Loading mermaid.min.js takes ~0.8 s; a file that takes far longer is not the real one.
_START_TIMEOUT_S = 60.0
_CHILD = Path(__file__).with_name("child.py")


class _ChildError(Exception):
    """The JavaScript the child evaluated threw."""


class _ChildCrashed(_ChildError):
    """The child process ended mid-evaluation: out of memory, or killed."""


class _Child:
    """A ``child.py`` process: one V8 isolate that can be killed when it overruns."""

    def __init__(self, timeout_s: float) -> None:
        # -I: the child imports only the standard library and mini-racer, whatever the
        # environment says; it gets no terminal and keeps its stderr out of the report.
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(_CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def eval(self, code: str, timeout_s: float) -> Any:
        """The value of ``code`` (awaited if a promise); TimeoutError after ``timeout_s``,
        with the child killed."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            child_write(self.process.stdin, {"code": code})
            reply = _read_reply(self.process.stdout, time.monotonic() + timeout_s)
        except TimeoutError:
            self.close()
            raise
        except (OSError, ValueError):
            self.close()
            raise _ChildCrashed("the Mermaid process ended unexpectedly") from None
        if "error" in reply:
            raise _ChildError(str(reply["error"]))
        return reply.get("value")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with suppress(OSError):
                    stream.close()


def _read_reply(stream: Any, deadline: float) -> Any:
    header = _read_exact(stream, 4, deadline)
    return json.loads(_read_exact(stream, int.from_bytes(header, "big"), deadline))


def _read_exact(stream: Any, size: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    fd = stream.fileno()
    while size > 0:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise ValueError("end of stream")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class MermaidValidator:
    """Checks diagram text with mermaid.parse in long-lived in-process V8 isolates.

    One isolate is started (and checked) before the constructor returns; the others start in
    the background and join as soon as they are ready, so one diagram never waits for them.
    Each check takes a free isolate; several threads (or :meth:`check_many`) check several
    diagrams at once. Verdicts are cached by content.

    With ``cache_dir``, verdicts are also kept on disk for later runs (:mod:`.verdicts`), and
    the isolates start only when a diagram is not found there: a run whose diagrams are all
    known never starts V8.

    All the parsing of a run may take at most ``budget`` (a :class:`RunBudget`, summed over the
    isolates, restarts after a timeout included); past it, a diagram not known yet is reported
    as ``MERMAID_BUDGET``, unchecked. :meth:`reset_budget` starts a new run (a `serve` rebuild).

    Create the first validator of a process on the main thread (see ``__init__``).
    """

    def __init__(
        self,
        mermaid_js: Path | None = None,
        *,
        timeout_s: float | None = None,
        workers: int | None = None,
        cache_dir: Path | None = None,
        budget: RunBudget | None = None,
    ):
        self.mermaid_js = Path(mermaid_js) if mermaid_js else find_mermaid_js()
        timeout_s = timeout_s if timeout_s is not None else default_timeout()
        self._timeout_s = timeout_s
        self.workers = max(1, workers or default_workers())
        # Bytes: the engine key hashes them as they are, and a run whose verdicts are all
        # cached never decodes 5 MB of JavaScript (``_Isolate.start`` does, in the child's turn).
        try:
            self._source = self.mermaid_js.read_bytes()
        except OSError as error:
            message = f"{self.mermaid_js}: cannot read it as JavaScript ({error})"
            raise MermaidNotFound(message) from None
        self._lock = threading.Lock()  # cache and counters; never held while V8 works
        self._cache: dict[str, tuple[MermaidProblem, ...]] = {}
        self._timed_out: dict[str, float] = {}  # diagram hash -> the deadline it overran
        self.budget = budget if budget is not None else RunBudget()
        self.cache_hits = 0
        self.stored_hits = 0  # verdicts read from cache_dir
        self.parses = 0
        self._version: str | None = None
        self._closed = False
        self._store = VerdictStore.for_engine(cache_dir, self._engine_key()) if cache_dir else None
        # Each isolate lives in a child process (see ``child.py``): V8 starts only there, and
        # only when a diagram is not known from cache_dir.
        self._isolates = [
            _Isolate(self._source, self.mermaid_js, timeout_s, f"netarch-mermaid-{index}")
            for index in range(self.workers)
        ]
        self._free: queue.SimpleQueue[_Isolate] = queue.SimpleQueue()
        self._starting: list[Future[Any]] = []
        self._first_started: Future[Any] | None = None
        self._start_lock = threading.Lock()
        self.started = False
        if self._store is None:
            self._start()

    @property
    def stored_verdicts(self) -> int:
        """Verdicts of this engine found in ``cache_dir`` (0 without one)."""
        return len(self._store) if self._store is not None else 0

    def start_in_background(self) -> None:
        """Start the isolates now and return at once: for a caller that knows diagrams are
        coming, so that V8's start-up (~0.5 s of a core) overlaps its own work. A start that
        fails is reported by the first check that needs it, and by nothing if none does."""
        with self._start_lock:
            if not self._closed:
                self._begin_start()

    def _begin_start(self) -> Future[Any]:  # under _start_lock
        if self._first_started is None:
            # All start at once (each on its own thread, so on its own core); only the first
            # is waited for. Starting the others later would make a short run wait for them
            # at close.
            first, *others = self._isolates
            self._first_started = first.submit(first.start)
            for isolate in others:
                started = isolate.submit(isolate.start)
                started.add_done_callback(partial(self._joined, isolate))
                self._starting.append(started)
        return self._first_started

    def _start(self) -> None:
        """Start every isolate (unless started in the background); return once the first one
        is ready."""
        with self._start_lock:
            if self.started:
                return
            if self._closed:
                raise RuntimeError("MermaidValidator is closed")
            try:
                self._begin_start().result()
            except BaseException:
                self.close()
                raise
            self._free.put(self._isolates[0])
            self.started = True

    def _engine_key(self) -> str:
        return engine_key(
            [
                self._source,
                _DEFINE_PROPERTY_FAST_PATH,
                _PRELUDE,
                _HARNESS,
                f"mini-racer {mini_racer_version()}",
            ]
        )

    def _joined(self, isolate: _Isolate, started: Future[Any]) -> None:
        # A background isolate that failed to start is left out; the others carry on.
        if not started.cancelled() and started.exception() is None and not self._closed:
            self._free.put(isolate)

    @contextmanager
    def _isolate(self) -> Iterator[_Isolate]:
        if self._closed:
            raise RuntimeError("MermaidValidator is closed")
        if not self.started:  # the lock only until the isolates are up, not on every check
            self._start()
        isolate = self._free.get()
        try:
            yield isolate
        finally:
            self._free.put(isolate)

    def reset_budget(self) -> None:
        """A new run begins (a `serve` rebuild): its parsing gets the whole budget again."""
        self.budget.reset()

    @property
    def timeout_s(self) -> float:
        """Seconds one diagram may take before its isolate is replaced."""
        return self._timeout_s

    @timeout_s.setter
    def timeout_s(self, seconds: float) -> None:
        self._timeout_s = seconds
        for isolate in self._isolates:
            isolate.timeout_s = seconds

    @property
    def version(self) -> str:
        """The loaded mermaid's own version string (asked once, when first needed: it costs the
        start-up of one more grammar, ~0.25 s)."""
        if self._version is None:
            with self._isolate() as isolate:
                self._version = str(isolate.evaluate("__netarchVersion()"))
        return self._version

    def close(self) -> None:
        """Stop the isolates; write the verdicts of new diagrams to ``cache_dir``, if any."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._store is not None:
            self._store.save()
        for started in [self._first_started, *self._starting]:
            if started is not None:
                started.exception()  # wait: an isolate must not be closed while it starts
        for isolate in self._isolates:
            isolate.close()

    def __enter__(self) -> MermaidValidator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- checking ---------------------------------------------------------------------------
    def check(self, text: str) -> list[MermaidProblem]:
        """All problems in one diagram (empty list: the pinned mermaid accepts it)."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            cached = self._cache.get(key)
            if cached is None and self._timed_out.get(key, -1.0) >= self._timeout_s:
                cached = self._timed_out_problems()  # would only time out again
            if cached is not None:
                self.cache_hits += 1
                return list(cached)
        problems = self._stored_problems(key, text)
        if problems is not None:
            with self._lock:
                self.stored_hits += 1
        else:
            problems_list, raw = self._check_uncached(text)
            problems = tuple(problems_list)
            if raw is not None and self._store is not None:
                self._store.put(key, raw)
        with self._lock:
            if any(p.code == BUDGET for p in problems):
                pass  # not a verdict: checked again once there is budget (the next run)
            elif any(p.code == "MERMAID_TIMEOUT" for p in problems):
                # Never kept on disk (a faster machine may finish it), but not parsed twice in
                # one run either, unless the deadline grows.
                self._timed_out[key] = self._timeout_s
            else:
                self._cache[key] = problems
        return list(problems)

    def _timed_out_problems(self) -> tuple[MermaidProblem, ...]:
        message = f"mermaid did not finish parsing within {self.timeout_s:g} s"
        return (MermaidProblem(0, 0, message, "MERMAID_TIMEOUT"),)

    def _stored_problems(self, key: str, text: str) -> tuple[MermaidProblem, ...] | None:
        raw = self._store.get(key) if self._store is not None else None
        if raw is None:
            return None
        try:
            return tuple(_problems_from_result(text, raw))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a damaged entry: parse the diagram again

    def check_many(self, texts: Sequence[str]) -> list[list[MermaidProblem]]:
        """:meth:`check` for each text, on all isolates at once; results in the same order."""
        if len(texts) < 2 or self.workers < 2:
            return [self.check(text) for text in texts]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="netarch-check") as pool:
            return list(pool.map(self.check, texts))

    def detect_type(self, text: str) -> str | None:
        """mermaid's id for the diagram's type (``"flowchart-v2"``, ``"sequence"``...), or None."""
        with self._isolate() as isolate:
            found = isolate.evaluate(
                f"(() => {{ try {{ return mermaid.detectType({json.dumps(text)}); }}"
                " catch (e) { return null; } })()",
            )
        return found if isinstance(found, str) else None

    def _check_uncached(self, text: str) -> tuple[list[MermaidProblem], str | None]:
        """The problems, and the engine's raw answer (None if V8 gave none: keep nothing)."""
        if not text.strip():
            return [MermaidProblem(0, 0, "empty Mermaid diagram", "MERMAID_EMPTY")], None
        if len(text) > MAX_TEXT_SIZE:
            # parse would say OK, but the browser shows a placeholder instead of the diagram.
            return [
                MermaidProblem(
                    0,
                    0,
                    f"diagram is {len(text):,} characters; mermaid renders at most "
                    f"{MAX_TEXT_SIZE:,} (maxTextSize) and shows 'Maximum text size in diagram "
                    "exceeded' instead",
                    "MERMAID_SIZE",
                )
            ], None
        with self._isolate() as isolate:
            deadline = self.budget.deadline(self._timeout_s)
            if deadline is None:
                return self.budget.problems(), None
            started = time.monotonic()
            try:
                raw = isolate.evaluate(f"__netarchCheck({json.dumps(text)})", deadline)
            except TimeoutError:
                # The child was killed mid-parse (a regex gone cubic, a loop): start a fresh one.
                isolate.submit(isolate.restart).result()
                raw = None
            except _ChildCrashed:
                # Out of memory (child.MEMORY_BYTES): V8 aborted. Reported, never cached.
                isolate.submit(isolate.restart).result()
                message = "mermaid ran out of memory parsing this diagram"
                return [MermaidProblem(0, 0, message, "MERMAID_LIMIT")], None
            finally:
                self.budget.spend(time.monotonic() - started)
        if raw is None:
            if deadline < self._timeout_s:  # stopped by the budget, not by its own deadline
                return self.budget.problems(), None
            return list(self._timed_out_problems()), None
        with self._lock:
            self.parses += 1
        return _problems_from_result(text, str(raw)), str(raw)


def _problems_from_result(text: str, raw: str) -> list[MermaidProblem]:
    """Problems from ``__netarchCheck``'s JSON answer for ``text``."""
    result = json.loads(raw)
    if result["ok"]:
        return []
    return problems_from_error(text, result)


def problems_from_error(text: str, error: dict[str, Any]) -> list[MermaidProblem]:
    """Turn mermaid's failure (as described by the JS harnesses) into located problems.

    Shared with :mod:`netarch.validate.render`, whose page reports errors the same way.
    """
    if error.get("issues"):
        return [
            MermaidProblem(
                _locate(text, issue["message"], None, issue.get("kind"), issue.get("ids")),
                0,
                issue["message"],
                issue.get("code") or (MISDRAWN if issue.get("warning") else "MERMAID_RENDER"),
            )
            for issue in error["issues"]
        ]
    message: str = error.get("message") or error.get("name") or "mermaid rejected the diagram"
    # Both mermaid.parse and mermaid.render hand every parser the cleaned text (linemap.py).
    linemap = LineMap.build(text)

    if error.get("name") == "UnknownDiagramError":
        # The type is read from the first line mermaid sees (after front matter etc.).
        first, _ = linemap.to_original(1)
        return [
            MermaidProblem(
                first,
                0,
                "unknown diagram type: the first line must name a diagram type "
                "(flowchart, sequenceDiagram, classDiagram, ...)",
            )
        ]

    # Langium grammars (@mermaid-js/parser) list every error, each with its own position.
    langium = list(_LANGIUM_ERROR.finditer(message))
    if langium:
        problems = []
        for match in langium:
            line, col = linemap.to_original(int(match["line"]), int(match["col"]))
            kind = "Parse error" if match["kind"] == "Parse" else "Lexical error"
            detail = " ".join(match["msg"].replace("`\n`", "end of line").split())
            problems.append(MermaidProblem(line, col, f"{kind}: {detail}"))
        return sorted(problems, key=lambda p: (p.line, p.column))

    head = _JISON_HEAD.match(message)
    if head:
        # jison's "on line N" (== loc.last_line) is where the lexer stopped; loc.first_line is
        # often the token *before* the error (gantt, timeline), so it is not used for the line.
        line = int(head["line"])
        loc = error.get("loc") or {}
        column = 0
        if loc.get("first_line") == loc.get("last_line") == line and isinstance(
            loc.get("first_column"), int
        ):
            column = loc["first_column"] + 1  # jison columns are 0-based
        line, column = linemap.to_original(line, column)
        return [MermaidProblem(line, column, _jison_message(head["kind"], message))]

    # Errors raised by a diagram database (or a renderer) carry no position: best effort.
    first_line = message.strip().splitlines()[0] if message.strip() else message
    code = "MERMAID_RENDER" if error.get("phase") == "render" else "MERMAID"
    said = _PROSE_POSITION.search(message)
    if said:  # the position is only in the words of the message
        line, column = linemap.to_original(int(said["line"]), int(said["col"] or 0))
        words = " ".join(message.replace("'\n'", "end of line").split())
        return [MermaidProblem(line, column, words, code)]
    return [MermaidProblem(_locate(text, message, error.get("token")), 0, first_line, code)]


# Newer parsers that write the position into the message only: "... at line 4, column 31
# [98,99)" (usecase), "Duplicate frame number 2 on line 5" (eventmodeling); 1-based, counted
# like every other mermaid line number.
_PROSE_POSITION = re.compile(r"\b(?:at|on) line (?P<line>\d+)(?:, column (?P<col>\d+))?")


# Messages of position-less errors that name what is wrong, and how to find where it is
# written: (message regex, line regex built from the match, True = the LAST matching line,
# e.g. the second definition of a duplicate).
_ID = r"(?<![\w-]){}(?![\w-])"
_NAMED: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str], bool], ...] = (
    # gantt (render): "Invalid date:2024-13-45"
    (re.compile(r"^Invalid date:\s*(.+)$", re.M), lambda m: re.escape(m[1]), False),
    # sequence: "Trying to inactivate an inactive participant (B)"
    (
        re.compile(r"inactivate an inactive participant \((.+?)\)"),
        lambda m: rf"^\s*deactivate\s+{re.escape(m[1])}\s*$",
        False,
    ),
    # architecture: "The right-hand id [b] does not yet exist."
    (
        re.compile(r"The (?:left|right)-hand id \[(.+?)\] does not yet exist"),
        lambda m: "--.*{0}|{0}.*--".format(_ID.format(re.escape(m[1]))),
        False,
    ),
    # architecture: "The service id [a] is already in use by another node"
    (
        re.compile(r"The (\w+) id \[(.+?)\] is already in use"),
        lambda m: rf"^\s*(?:service|group|junction)\s+{_ID.format(re.escape(m[2]))}",
        True,
    ),
    # packet: "Packet block 20 - 31 is not contiguous. It should start from 16."
    (
        re.compile(r"Packet block (\d+)(?: - (\d+))? is not contiguous"),
        lambda m: r"^\s*" + m[1] + r"\s*(?:-\s*" + (m[2] or r"\d+") + r"\s*)?:",
        False,
    ),
    # flowchart: "No such shape: nosuchshape."
    (
        re.compile(r"No such shape: ([\w-]+)\."),
        lambda m: rf"shape\s*:\s*{re.escape(m[1])}(?![\w-])",
        False,
    ),
    # pie: '"a" has invalid value: -1. Negative values are not allowed in pie charts...'
    (
        re.compile(r'^"(.*)" has invalid value'),
        lambda m: r'^\s*"' + re.escape(m[1]) + r'"\s*:',
        False,
    ),
    # venn: "unknown set identifier: B"
    (
        re.compile(r"unknown set identifier: (.+)$", re.M),
        lambda m: rf"^\s*union\b.*{_ID.format(re.escape(m[1].strip()))}",
        False,
    ),
)


_XY_SERIES = re.compile(r"^\s*(?:bar|line)\b")


def _locate(
    text: str,
    message: str,
    token: object = None,
    kind: str | None = None,
    ids: list[str] | None = None,
) -> int:
    """Best-effort line (0 = unknown) for an error that mermaid reports without one."""
    patterns: list[tuple[str, bool]] = []
    if kind == "sankey-cycle" and ids and len(ids) == 2:
        source, target = (re.escape(x) for x in ids)
        patterns.append((rf'^\s*"?{source}"?\s*,\s*"?{target}"?\s*,', False))
    elif kind == "requirement-undefined" and ids and len(ids) == 3:
        source, rel, target = (re.escape(x) for x in ids)
        patterns.append((rf"^\s*{source}\s*-\s*{rel}\s*->\s*{target}\s*$", False))
        patterns.append((rf"^\s*{target}\s*<-\s*{rel}\s*-\s*{source}\s*$", False))
    elif kind == "state-undefined" and ids:
        name = re.escape(ids[0])
        patterns += [(rf"\bof\s+{name}(?![\w-])", False), (_ID.format(name), False)]
    elif kind == "gantt-unknown-task" and ids and len(ids) == 2:
        word, name = (re.escape(x) for x in ids)
        patterns.append((rf"\b{word}\s+(?:[\w-]+\s+)*{name}(?![\w-])", False))
    elif kind == "block-too-wide" and ids and len(ids) == 2:
        name, width = (re.escape(x) for x in ids)
        patterns.append((rf"{_ID.format(name)}[^:\n]*:\s*{width}\b", False))
    elif kind == "css-fetch" and ids:
        # The key in an init directive (often line 1) or in front matter.
        key = re.compile(rf"""(?<![\w-])["']?{re.escape(ids[0])}["']?\s*:""")
        return next((n for n, line in enumerate(split_lines(text), 1) if key.search(line)), 0)
    elif kind == "xychart-missing-values" and ids and ids[0].isdigit():
        series = [n for n, line in enumerate(split_lines(text), 1) if _XY_SERIES.match(line)]
        return series[int(ids[0])] if int(ids[0]) < len(series) else 0
    for regex, build, last in _NAMED:
        match = regex.search(message)
        if match:
            patterns.append((build(match), last))
    if isinstance(token, str) and token.strip():
        patterns.append((re.escape(token.strip()), False))
    # Line 1 names the diagram type; the culprit is never there.
    numbered = list(enumerate(split_lines(text), start=1))[1:]
    for pattern, last in patterns:
        compiled = re.compile(pattern)
        hits = [number for number, line in numbered if compiled.search(line)]
        if hits:
            return hits[-1] if last else hits[0]
    return 0


def _jison_message(kind: str, message: str) -> str:
    """Keep jison's verdict; drop its line number (it counts the cleaned text) and the
    two-line ASCII-art context that follows the headline."""
    lines = message.splitlines()
    head = _JISON_HEAD.match(lines[0])
    parts = [head["rest"].strip()] if head and head["rest"].strip() else []
    pointer = next((i for i, line in enumerate(lines) if re.fullmatch(r"-*\^", line.strip())), None)
    if pointer is not None:
        parts.extend(line.strip() for line in lines[pointer + 1 :] if line.strip())
    label = "Parse error" if kind == "Parse" else "Lexical error"
    return f"{label}: {' '.join(parts)}" if parts else label
