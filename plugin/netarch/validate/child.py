"""One V8 isolate in a process of its own, so that a runaway diagram can be stopped.

mermaid.parse is asynchronous: its real work (the grammar, with regular expressions that can
take cubic time on hostile input) runs in V8 microtasks, which neither mini-racer's eval
timeout nor a promise timeout interrupts, and the isolate cannot even be closed while they
run. The parent (``engine._Isolate``) therefore talks to this process over a pipe and kills
it when a diagram overruns its deadline.

Run as a script (``python -I child.py``): it imports nothing from netarch.

Protocol, both ways: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
Requests are ``{"code": "..."}``; replies ``{"value": ...}`` or ``{"error": "...",
"kind": "..."}``. A reply's value is JSON-shaped (the harness returns strings).
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import Any, BinaryIO

_HEADER = struct.Struct(">I")


def read_message(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return json.loads(stream.read(length).decode("utf-8"))


def write_message(stream: BinaryIO, message: Any) -> None:
    body = json.dumps(message).encode("utf-8", "surrogatepass")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


# What the isolate may allocate (V8 reserves far more address space, which does not count);
# past it V8 aborts, the process ends, and the parent reports the diagram.
MEMORY_BYTES = 2_000_000_000


def main() -> int:
    import resource

    limit = int(os.environ.get("NETARCH_MERMAID_MEMORY", MEMORY_BYTES))
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # never above what this process was given
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    from py_mini_racer import JSPromise, MiniRacer

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    ctx = MiniRacer()
    while True:
        request = read_message(stdin)
        if request is None:  # the parent closed the pipe: done
            return 0
        try:
            value = ctx.eval(request["code"])
            if isinstance(value, JSPromise):  # its microtasks run now
                value = value.get()
            reply = {"value": _plain(value)}
        except Exception as error:  # a JS exception, reported to the parent
            reply = {"error": str(error)[:2000], "kind": type(error).__name__}
        write_message(stdout, reply)


if __name__ == "__main__":
    sys.exit(main())
