"""A small Kubernetes API server on 127.0.0.1 that serves fixture objects, read-only.

Enough of the API for ``kubectl get``: discovery (``/api``, ``/apis`` and each group
version's resource list), lists (all namespaces or one, with a ``metadata.name`` field
selector) and single objects. Every request is recorded, so a test can say what was asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

# kind -> (group, version, plural, namespaced)
RESOURCES = {
    "Namespace": ("", "v1", "namespaces", False),
    "Node": ("", "v1", "nodes", False),
    "Service": ("", "v1", "services", True),
    "ConfigMap": ("", "v1", "configmaps", True),
    "Secret": ("", "v1", "secrets", True),
    "Deployment": ("apps", "v1", "deployments", True),
    "DaemonSet": ("apps", "v1", "daemonsets", True),
    "NetworkPolicy": ("networking.k8s.io", "v1", "networkpolicies", True),
    "ServiceCIDR": ("networking.k8s.io", "v1", "servicecidrs", False),
    "CiliumNetworkPolicy": ("cilium.io", "v2", "ciliumnetworkpolicies", True),
    "CiliumClusterwideNetworkPolicy": (
        "cilium.io",
        "v2",
        "ciliumclusterwidenetworkpolicies",
        False,
    ),
    "CiliumLoadBalancerIPPool": ("cilium.io", "v2", "ciliumloadbalancerippools", False),
    "IPAddressPool": ("metallb.io", "v1beta1", "ipaddresspools", True),
    "L2Advertisement": ("metallb.io", "v1beta1", "l2advertisements", True),
    "BGPAdvertisement": ("metallb.io", "v1beta1", "bgpadvertisements", True),
    "BGPPeer": ("metallb.io", "v1beta2", "bgppeers", True),
}


class FakeApiServer:
    def __init__(self, objects: Iterable[dict[str, Any]]) -> None:
        self.objects = [o for o in objects if isinstance(o, dict) and o.get("kind") in RESOURCES]
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path))
                status, body = server.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                server.requests.append(("POST", self.path))
                self.send_response(405)
                self.end_headers()

            do_PUT = do_PATCH = do_DELETE = do_POST

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @classmethod
    def from_files(cls, *paths: Path) -> FakeApiServer:
        objects: list[dict[str, Any]] = []
        for path in paths:
            for document in yaml.safe_load_all(path.read_text()):
                objects.append(document)
        return cls(objects)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def kubeconfig(self, path: Path) -> Path:
        path.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
                    "users": [{"name": "reader", "user": {"token": "fake-token"}}],
                    "contexts": [
                        {"name": "fake", "context": {"cluster": "fake", "user": "reader"}}
                    ],
                    "current-context": "fake",
                }
            )
        )
        return path

    # --- answers

    def answer(self, raw: str) -> tuple[int, Any]:
        parts = urlsplit(raw)
        path = [p for p in parts.path.split("/") if p]
        query = parse_qs(parts.query)
        if path == ["version"]:
            return 200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"}
        if path == ["api"]:
            return 200, {"kind": "APIVersions", "versions": ["v1"]}
        if path == ["apis"]:
            groups: dict[str, list[str]] = {}
            for group, version, _, _ in RESOURCES.values():
                if group:
                    groups.setdefault(group, [])
                    if version not in groups[group]:
                        groups[group].append(version)
            return 200, {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [
                    {
                        "name": group,
                        "versions": [
                            {"groupVersion": f"{group}/{v}", "version": v} for v in versions
                        ],
                        "preferredVersion": {
                            "groupVersion": f"{group}/{versions[0]}",
                            "version": versions[0],
                        },
                    }
                    for group, versions in groups.items()
                ],
            }
        if path[:1] == ["api"] and len(path) == 2:
            return 200, self.resource_list("", path[1])
        if path[:1] == ["apis"] and len(path) == 3:
            return 200, self.resource_list(path[1], path[2])
        if len(path) < 3 or path[0] not in ("api", "apis") or (path[0] == "apis" and len(path) < 4):
            return 404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
        group, version, rest = (
            ("", path[1], path[2:]) if path[0] == "api" else (path[1], path[2], path[3:])
        )
        namespace = None
        if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) > 2:
            namespace, rest = rest[1], rest[2:]
        kind = next(
            (
                k
                for k, (g, v, plural, _) in RESOURCES.items()
                if (g, v, plural) == (group, version, rest[0])
            ),
            None,
        )
        if kind is None:
            return 404, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404}
        selected = [
            o
            for o in self.objects
            if o["kind"] == kind
            and (namespace is None or o["metadata"].get("namespace") == namespace)
        ]
        if len(rest) == 2:
            found = [o for o in selected if o["metadata"]["name"] == rest[1]]
            if not found:
                return 404, {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "message": f'{rest[0]} "{rest[1]}" not found',
                    "reason": "NotFound",
                    "code": 404,
                }
            return 200, found[0]
        for selector in query.get("fieldSelector", []):
            key, _, value = selector.partition("=")
            if key == "metadata.name":
                selected = [o for o in selected if o["metadata"]["name"] == value]
        return 200, {
            "kind": f"{kind}List",
            "apiVersion": f"{group}/{version}" if group else version,
            "metadata": {"resourceVersion": "1"},
            "items": selected,
        }

    def resource_list(self, group: str, version: str) -> dict[str, Any]:
        return {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": [
                {
                    "name": plural,
                    "singularName": kind.lower(),
                    "namespaced": namespaced,
                    "kind": kind,
                    "verbs": ["get", "list"],
                }
                for kind, (g, v, plural, namespaced) in RESOURCES.items()
                if (g, v) == (group, version)
            ],
        }
