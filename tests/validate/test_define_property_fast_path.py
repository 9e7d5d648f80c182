"""The engine's Object.defineProperty fast path must be indistinguishable from the native one.

Each case runs in two fresh V8 isolates -- one with the native function, one with the fast path
installed -- and everything observable (return value, thrown error, resulting own properties,
prototype, setters and proxy traps called) must be the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from py_mini_racer import MiniRacer, init_mini_racer

from netarch.validate.engine import _DEFINE_PROPERTY_FAST_PATH

# name -> JS body run as a function; `log` records side effects; it returns the target object.
CASES = {
    "new key on a plain object": "const o = {a: 1}; "
    "Object.defineProperty(o, 'b', {value: 2, writable: true, enumerable: true, "
    "configurable: true}); return o;",
    "the exact call mermaid's config merge makes, repeated": "const o = {}; "
    "for (const k of ['x', 'y', 'z']) Object.defineProperty(o, k, "
    "{value: void 0, writable: true, enumerable: true, configurable: true}); return o;",
    "existing own key is redefined natively": "const o = {}; "
    "Object.defineProperty(o, 'k', {value: 1, writable: false, configurable: false}); "
    "Object.defineProperty(o, 'k', {value: 2, writable: true, enumerable: true, "
    "configurable: true}); return o;",
    "non-enumerable descriptor": "const o = {}; "
    "Object.defineProperty(o, 'k', {value: 1, writable: true, enumerable: false, "
    "configurable: true}); return o;",
    "accessor descriptor": "const o = {}; "
    "Object.defineProperty(o, 'k', {get() { return 5; }, enumerable: true, "
    "configurable: true}); return o;",
    "value and get: undefined together is invalid": "const o = {}; "
    "Object.defineProperty(o, 'k', {value: 1, get: undefined, writable: true, "
    "enumerable: true, configurable: true}); return o;",
    "key shadowing Object.prototype (toString)": "const o = {}; "
    "Object.defineProperty(o, 'toString', {value: 7, writable: true, enumerable: true, "
    "configurable: true}); log.push(Object.prototype.toString === o.toString); return o;",
    "__proto__ becomes an own property, not the prototype": "const o = {}; "
    "Object.defineProperty(o, '__proto__', {value: {p: 1}, writable: true, enumerable: true, "
    "configurable: true}); log.push(Object.getPrototypeOf(o) === Object.prototype); return o;",
    "setter on Object.prototype is not called": "let called = 0; "
    "Object.defineProperty(Object.prototype, 'trap', {set(v) { called++; }, "
    "configurable: true}); const o = {}; "
    "Object.defineProperty(o, 'trap', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); delete Object.prototype.trap; log.push(called); return o;",
    "read-only key on Object.prototype does not block": "Object.defineProperty("
    "Object.prototype, 'fixed', {value: 0, writable: false, configurable: true}); const o = {};"
    " Object.defineProperty(o, 'fixed', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); delete Object.prototype.fixed; return o;",
    "frozen object": "const o = Object.freeze({}); "
    "Object.defineProperty(o, 'k', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); return o;",
    "non-extensible object": "const o = Object.preventExtensions({a: 1}); "
    "Object.defineProperty(o, 'k', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); return o;",
    "proxy: defineProperty trap, not set trap": "const target = {}; const p = new Proxy(target, "
    "{set() { log.push('set'); return true; }, defineProperty(t, k, d) { log.push('define'); "
    "return Reflect.defineProperty(t, k, d); }}); Object.defineProperty(p, 'k', {value: 1, "
    "writable: true, enumerable: true, configurable: true}); return target;",
    "revocable proxy": "const target = {}; const {proxy} = Proxy.revocable(target, "
    "{set() { throw new Error('set trap'); }}); Object.defineProperty(proxy, 'k', {value: 1, "
    "writable: true, enumerable: true, configurable: true}); return target;",
    "Proxy without new still throws": "Proxy({}, {}); return {};",
    "symbol key": "const s = Symbol('s'); const o = {}; Object.defineProperty(o, s, "
    "{value: 1, writable: true, enumerable: true, configurable: true}); "
    "log.push(o[s]); return o;",
    "null-prototype object": "const o = Object.create(null); Object.defineProperty(o, 'k', "
    "{value: 1, writable: true, enumerable: true, configurable: true}); return o;",
    "array index and length": "const a = [1]; Object.defineProperty(a, '3', {value: 4, "
    "writable: true, enumerable: true, configurable: true}); log.push(a.length); return a;",
    "class instance": "class C {}; const o = new C(); Object.defineProperty(o, 'k', "
    "{value: 1, writable: true, enumerable: true, configurable: true}); return o;",
    "primitive target": "Object.defineProperty(1, 'k', {value: 1}); return {};",
    "descriptor with inherited fields": "const d = Object.create({value: 9, writable: true, "
    "enumerable: true, configurable: true}); const o = {}; Object.defineProperty(o, 'k', d); "
    "return o;",
    "numeric-looking key on a plain object": "const o = {}; Object.defineProperty(o, '10', "
    "{value: 'ten', writable: true, enumerable: true, configurable: true}); "
    "Object.defineProperty(o, '2', {value: 'two', writable: true, enumerable: true, "
    "configurable: true}); return o;",
}

# Describes the outcome of one case as JSON: what a program could observe.
_OBSERVE = r"""
(function (body) {
  const log = [];
  let result, error = null;
  try { result = new Function('log', body)(log); }
  catch (e) { error = e.constructor.name; }
  const describe = (o) => {
    if (o === null || typeof o !== 'object') return String(o);
    const keys = Reflect.ownKeys(o).map(String);
    const props = {};
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      props[String(key)] = {value: typeof d.value === 'object' ? JSON.stringify(d.value) :
                                   String(d.value),
                            writable: d.writable, enumerable: d.enumerable,
                            configurable: d.configurable, accessor: 'get' in d};
    }
    const proto = Object.getPrototypeOf(o);
    return {keys, props, proto: proto === Object.prototype ? 'Object.prototype' :
                                proto === null ? 'null' : proto.constructor.name,
            extensible: Object.isExtensible(o)};
  };
  return JSON.stringify({error, log: log.map(String), result: error ? null : describe(result)});
})
"""


@pytest.fixture(scope="module")
def isolates() -> Iterator[tuple[MiniRacer, MiniRacer]]:
    init_mini_racer(ignore_duplicate_init=True)
    native, fast = MiniRacer(), MiniRacer()
    fast.eval(_DEFINE_PROPERTY_FAST_PATH)
    try:
        yield native, fast
    finally:
        native.close()
        fast.close()


def _observe(ctx: MiniRacer, body: str) -> dict[str, object]:
    return json.loads(ctx.eval(f"{_OBSERVE}({json.dumps(body)})"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_observable_result_as_native(isolates: tuple[MiniRacer, MiniRacer], name: str) -> None:
    native, fast = isolates
    expected = _observe(native, CASES[name])
    assert _observe(fast, CASES[name]) == expected


def test_the_fast_path_is_taken_for_mermaids_call(isolates: tuple[MiniRacer, MiniRacer]) -> None:
    # Guard against a fast path that silently never applies: the native function, not
    # the installed one, is what a plain object must *not* reach for mermaid's descriptor.
    _, fast = isolates
    assert fast.eval("Object.defineProperty.name") == "defineProperty"
    assert fast.eval("Object.defineProperty.toString().includes('object[key] = descriptor.value')")
