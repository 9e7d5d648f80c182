"""A large cluster's ``kubectl get -o yaml`` dump, made up but shaped like the real thing.

``write_dump(path, nodes=5000, pods=50000)`` writes one ``List`` with Nodes (addresses, pod
ranges, the image lists real nodes carry), Pods, Services and their EndpointSlices, and a few
Secrets, as kubectl prints them (keys sorted, lists at their key's indent). Used by
``bench_config_read.py`` and, small, by the reader's tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

SECRET_CANARY = "Q0FOQVJZLXNlY3JldC12YWx1ZQ=="  # never to appear in any output

_NODE = """\
- apiVersion: v1
  kind: Node
  metadata:
    annotations:
      node.alpha.kubernetes.io/ttl: "0"
      volumes.kubernetes.io/controller-managed-attach-detach: "true"
    labels:
      kubernetes.io/arch: amd64
      kubernetes.io/hostname: node-{i}
      kubernetes.io/os: linux
      topology.kubernetes.io/zone: zone-{zone}
    name: node-{i}
    resourceVersion: "{i}"
    uid: 00000000-0000-4000-8000-{i:012d}
  spec:
    podCIDR: 10.{a}.{b}.0/24
    podCIDRs:
    - 10.{a}.{b}.0/24
  status:
    addresses:
    - address: 192.168.{c}.{d}
      type: InternalIP
    - address: node-{i}
      type: Hostname
    allocatable:
      cpu: "16"
      memory: 65776452Ki
      pods: "110"
    conditions:
    - lastHeartbeatTime: "2026-12-01T10:00:00Z"
      lastTransitionTime: "2026-11-01T10:00:00Z"
      message: kubelet is posting ready status
      reason: KubeletReady
      status: "True"
      type: Ready
    images:
{images}    nodeInfo:
      architecture: amd64
      containerRuntimeVersion: containerd://2.0.1
      kernelVersion: 6.12.5
      kubeletVersion: v1.32.1
      operatingSystem: linux
      osImage: Talos (v1.9.1)
"""
_IMAGE = """\
    - names:
      - registry.example/app-{n}@sha256:{n:064d}
      - registry.example/app-{n}:v1.{n}
      sizeBytes: {size}
"""
_POD = """\
- apiVersion: v1
  kind: Pod
  metadata:
    labels:
      app: shop-{app}
      pod-template-hash: 5d8f9c7b6
    name: shop-{i}
    namespace: tenant-{t}
    ownerReferences:
    - apiVersion: apps/v1
      controller: true
      kind: ReplicaSet
      name: shop-{app}-5d8f9c7b6
      uid: 3f1c2a4e-0000-4000-8000-{i:012d}
    uid: 9a8b7c6d-0000-4000-8000-{i:012d}
  spec:
    containers:
    - image: registry.example/shop:1.2.3
      name: shop
      ports:
      - containerPort: 8080
        name: http
        protocol: TCP
      resources:
        limits:
          cpu: 500m
          memory: 256Mi
        requests:
          cpu: 100m
          memory: 128Mi
      volumeMounts:
      - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
        name: kube-api-access
        readOnly: true
    dnsPolicy: ClusterFirst
    nodeName: node-{node}
    serviceAccountName: default
  status:
    conditions:
    - lastTransitionTime: "2026-11-01T10:00:01Z"
      status: "True"
      type: Ready
    hostIP: 192.168.{c}.{d}
    phase: Running
    podIP: 10.{a}.{b}.{e}
    podIPs:
    - ip: 10.{a}.{b}.{e}
    qosClass: Burstable
"""
_SERVICE = """\
- apiVersion: v1
  kind: Service
  metadata:
    name: shop-{s}
    namespace: tenant-{t}
  spec:
    clusterIP: 10.96.{x}.{y}
    clusterIPs:
    - 10.96.{x}.{y}
    externalTrafficPolicy: Cluster
    ipFamilies:
    - IPv4
    ports:
    - name: http
      port: 80
      protocol: TCP
      targetPort: 8080
    selector:
      app: shop-{s}
    type: {type}
  status:
    loadBalancer: {status}
"""
_SLICE = """\
- addressType: IPv4
  apiVersion: discovery.k8s.io/v1
  endpoints:
{endpoints}  kind: EndpointSlice
  metadata:
    labels:
      kubernetes.io/service-name: shop-{s}
    name: shop-{s}-abcde
    namespace: tenant-{t}
  ports:
  - name: http
    port: 8080
    protocol: TCP
"""
_ENDPOINT = """\
  - addresses:
    - 10.{a}.{b}.{e}
    conditions:
      ready: true
    nodeName: node-{node}
"""
_SECRET = """\
- apiVersion: v1
  data:
    token: {canary}
  kind: Secret
  metadata:
    name: token-{i}
    namespace: tenant-{t}
  type: Opaque
"""


def _pod_address(i: int, per_node: int) -> dict[str, int]:
    node = i // per_node
    return {"node": node, "a": 244 + node // 256 // 256, "b": node % 256, "e": 2 + i % per_node}


def dump_items(nodes: int, pods: int) -> Iterator[str]:
    per_node = max(1, -(-pods // nodes))
    images = "".join(
        _IMAGE.format(n=n, size=100_000_000 + n) for n in range(40)
    )  # real nodes list every image they hold
    for i in range(nodes):
        yield _NODE.format(
            i=i,
            zone=i % 3,
            a=244 + i // 256 // 256,
            b=i % 256,
            c=i // 250,
            d=1 + i % 250,
            images=images,
        )
    for i in range(pods):
        yield _POD.format(i=i, app=i // 10, t=i % 200, c=0, d=1, **_pod_address(i, per_node))
    services = max(1, pods // 10)
    for s in range(services):
        kind = "LoadBalancer" if s % 50 == 0 else "ClusterIP"
        status = f"\n      ingress:\n      - ip: 192.168.200.{s % 250}" if s % 50 == 0 else "{}"
        yield _SERVICE.format(
            s=s, t=(s * 10) % 200, x=s // 250, y=1 + s % 250, type=kind, status=status
        )
        endpoints = "".join(
            _ENDPOINT.format(**_pod_address(s * 10 + k, per_node)) for k in range(10)
        )
        yield _SLICE.format(s=s, t=(s * 10) % 200, endpoints=endpoints)
    for i in range(20):
        yield _SECRET.format(i=i, t=i, canary=SECRET_CANARY)


def write_dump(path: Path, nodes: int = 5000, pods: int = 50_000) -> int:
    """Writes the dump as kubectl's YAML; returns its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("apiVersion: v1\nitems:\n")
        for item in dump_items(nodes, pods):
            out.write(item)
        out.write('kind: List\nmetadata:\n  resourceVersion: ""\n')
    return path.stat().st_size


def write_json_dump(yaml_path: Path, json_path: Path) -> int:
    """The same dump as ``kubectl get -o json`` prints it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with yaml_path.open(encoding="utf-8") as source:
        data = yaml.load(source, Loader=loader)
    json_path.write_text(json.dumps(data, indent=4), encoding="utf-8")
    return json_path.stat().st_size
