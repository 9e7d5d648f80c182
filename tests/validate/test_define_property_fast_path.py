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
    "descriptor getters run once each, in the specification's order": "const d = {"
    "get enumerable() { log.push('enumerable'); return true; }, "
    "get configurable() { log.push('configurable'); return true; }, "
    "get value() { log.push('value'); return 1; }, "
    "get writable() { log.push('writable'); return true; }}; const o = {}; "
    "Object.defineProperty(o, 'k', d); return o;",
    "a descriptor getter that turns the fast path down runs once": "const d = {"
    "get enumerable() { log.push('enumerable'); return false; }, value: 1, writable: true, "
    "configurable: true}; const o = {}; Object.defineProperty(o, 'k', d); return o;",
    "proxy descriptor: has and get traps in the specification's order": "const d = new Proxy("
    "{value: 1, writable: true, enumerable: true, configurable: true}, "
    "{has(t, k) { log.push('has ' + String(k)); return k in t; }, "
    "get(t, k) { log.push('get ' + String(k)); return t[k]; }}); const o = {}; "
    "Object.defineProperty(o, 'k', d); return o;",
    "proxy descriptor that turns the fast path down: traps run once": "const d = new Proxy("
    "{value: 1, writable: true, enumerable: false, configurable: true}, "
    "{has(t, k) { log.push('has ' + String(k)); return k in t; }, "
    "get(t, k) { log.push('get ' + String(k)); return t[k]; }}); const o = {}; "
    "Object.defineProperty(o, 'k', d); return o;",
    "object whose prototype is a Proxy": "const o = Object.create(new Proxy({}, "
    "{has(t, k) { log.push('has ' + String(k)); return k in t; }, "
    "set(t, k, v) { log.push('set ' + String(k)); return true; }})); "
    "Object.defineProperty(o, 'k', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); return o;",
    "descriptor whose prototype is a Proxy: has, not get, for an absent field": "const d = "
    "Object.create(new Proxy({}, {has(t, k) { log.push('has ' + String(k)); return false; }, "
    "get(t, k) { log.push('get ' + String(k)); return undefined; }})); d.enumerable = true; "
    "d.configurable = true; d.writable = true; const o = {}; "
    "Object.defineProperty(o, 'k', d); return o;",
    "a setter with writable is invalid": "const o = {}; Object.defineProperty(o, 'k', "
    "{set(v) {}, writable: true, enumerable: true, configurable: true}); return o;",
    "redefining through a getter keeps the attributes it does not name": "const o = {}; "
    "Object.defineProperty(o, 'k', {value: 1, writable: true, enumerable: true, "
    "configurable: true}); Object.defineProperty(o, 'k', {get value() { log.push('value'); "
    "return 2; }}); return o;",
    "undefined attributes": "Object.defineProperty({}, 'k', undefined); return {};",
    "typed array whose prototype is Object.prototype": "const a = new Uint8Array(2); "
    "Object.setPrototypeOf(a, Object.prototype); Object.defineProperty(a, '10', {value: 1, "
    "writable: true, enumerable: true, configurable: true}); return a;",
    "a getter that is not a function: the same TypeError, set not read": "const d = {get: 1, "
    "get set() { log.push('set read'); return undefined; }}; "
    "Object.defineProperty({}, 'k', d); return {};",
    "truthy attributes that are not booleans": "const o = {}; Object.defineProperty(o, 'k', "
    "{value: 1, writable: 1, enumerable: 'yes', configurable: {}}); return o;",
    "a key whose ToPropertyKey has side effects": "const o = {}; const key = {toString() "
    "{ log.push('toString'); return 'k'; }}; Object.defineProperty(o, key, {value: 1, "
    "writable: true, enumerable: true, configurable: true}); return o;",
    "a function as the descriptor": "const d = function () {}; d.value = 3; d.writable = true; "
    "d.enumerable = true; d.configurable = true; const o = {}; "
    "Object.defineProperty(o, 'k', d); return o;",
    "attributes that are not an object": "Object.defineProperty({}, 'k', 1); return {};",
}

# Describes the outcome of one case as JSON: what a program could observe.
_OBSERVE = r"""
(function (body) {
  const log = [];
  let result, error = null;
  try { result = new Function('log', body)(log); }
  catch (e) { error = e.constructor.name + ': ' + e.message; }
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
    assert fast.eval("Object.defineProperty.toString().includes('object[key] = value')")


# An invalid descriptor whose fields cannot be read again unobserved (here: an accessor named
# `get` on Object.prototype). The native function then receives a record of the fields already
# read, so each accessor still runs once, but V8's message shows that record differently.
_INVALID_WITH_ACCESSOR = (
    "Object.defineProperty(Object.prototype, 'get', {get() { log.push('prototype get'); "
    "return undefined; }, configurable: true}); try { Object.defineProperty({}, 'k', "
    "{value: 1, writable: true, enumerable: true, configurable: true}); } finally { "
    "delete Object.prototype.get; } return {};"
)


def test_the_one_difference_left_is_how_the_message_shows_the_descriptor(
    isolates: tuple[MiniRacer, MiniRacer],
) -> None:
    native, fast = isolates
    expected = _observe(native, _INVALID_WITH_ACCESSOR)
    observed = _observe(fast, _INVALID_WITH_ACCESSOR)
    assert observed["log"] == expected["log"] == ["prototype get"]
    assert str(expected["error"]).endswith("#<Object>")
    assert observed["error"] == str(expected["error"]).replace("#<Object>", "[object Object]")
