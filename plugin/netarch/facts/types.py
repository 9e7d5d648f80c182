"""The network facts: what a network engineer reasons about, whichever product provides it.

Each fact has a stable ``identity`` (the same thing read from the model and, later, from a
cluster's real configuration has the same identity, so two fact sets can be compared) and an
``origin``: which part of the core or which kit provided it, and where it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from netarch.facts.addresses import AddressSet, IPAddress, IPNetwork

ModelPath = tuple[str | int, ...]

# The core's own sections provide facts under this name; a kit under its own name.
CORE = "core"

# What an address range is for.
RangeRole = Literal[
    "pod",  # the cluster's pod CIDR, or a CNI's pool of pod addresses
    "service",  # ClusterIPs
    "join",  # a CNI's node-to-pod network
    "node-network",  # a network the nodes are attached to
    "node-pod-range",  # the pod range of one node (Node.spec.podCIDRs)
    "subnet",  # a zone's subnet (its own role in ``purpose``)
    "cluster-cidr",  # what kube-proxy takes for the pod range (clusterCIDR)
]

# What a single address is.
AddressRole = Literal[
    "node",
    "node-interface",
    "vip",  # a floating address (the control-plane VIP, a kube-vip address)
    "pod-gateway",
    "dns",  # the cluster DNS Service, a node-local DNS cache
    "component",
    "bgp-peer",
    "workload",
    "cluster-ip",
]

# How load-balancer addresses are made reachable.
Announcement = Literal["l2", "bgp", "cloud", "node-addresses"]

# Who a BGP session belongs to.
SessionKind = Literal[
    "peer",  # the cluster's speakers to a router of the network
    "node-mesh",  # a CNI's full mesh between the nodes
    "route-reflector",  # the nodes to a route reflector
    "lb-announcer",  # a load balancer announcing its addresses
]


@dataclass(frozen=True)
class Origin:
    """Where a fact came from: the provider, and the model path (with its file:line:col) or,
    for facts read from real configuration, the object and field that hold it."""

    provider: str
    path: ModelPath | None = None
    file: str = ""
    line: int = 0
    column: int = 0
    # A configuration object (netarch drift): its kind, namespace, name and field.
    kind: str = ""
    namespace: str = ""
    name: str = ""
    field: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        if self.kind:
            obj = "/".join(p for p in (self.namespace, self.name) if p)
            where = f"{where} {self.kind} {obj}".strip() + (f" {self.field}" if self.field else "")
        return where

    def at(self, *steps: str | int) -> ModelPath:
        """A path under the fact's own element (the fact's path when it has none)."""
        return (*(self.path or ()), *steps)


@dataclass(frozen=True)
class AddressRange:
    role: RangeRole
    # The range as written, and the CIDRs that cover exactly its addresses.
    addresses: AddressSet
    origin: Origin
    # The element the range belongs to (a node for its pod range, a zone subnet's id ...).
    owner: str = ""
    # What it is, in words for messages ("pod CIDR", "Calico IP pool default-ipv4").
    label: str = ""
    # A zone subnet's own role (nodes, pods, load-balancers ...).
    purpose: str = ""

    @property
    def family(self) -> int:
        return self.addresses.version

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        return self.addresses.networks

    @property
    def identity(self) -> tuple[str, ...]:
        return ("range", self.role, self.owner, self.addresses.text)


@dataclass(frozen=True)
class HostAddress:
    role: AddressRole
    address: IPAddress
    origin: Origin
    owner: str = ""
    label: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        return ("address", self.role, self.owner, str(self.address))


@dataclass(frozen=True)
class LoadBalancerPool:
    """Addresses handed to Services of type LoadBalancer, and how they are announced."""

    id: str
    entries: tuple[AddressSet, ...]
    origin: Origin
    # The product's word for it in messages ("MetalLB pool", "kube-vip range").
    label: str = "load-balancer pool"
    announcements: tuple[Announcement, ...] = ()
    # The component that announces the addresses, and the nodes that may (empty: all nodes).
    announcer: str = ""
    nodes: tuple[str, ...] = ()
    # For each L2 announcement, what makes it: (its name, where it is written, its nodes).
    announced_by: tuple[tuple[str, ModelPath, tuple[str, ...]], ...] = ()

    @property
    def identity(self) -> tuple[str, ...]:
        return ("lb-pool", self.id)


# Bytes each encapsulation adds over an IPv4 underlay without options: outer IPv4 20 + UDP 8 +
# VXLAN or Geneve header 8 + inner Ethernet 14; IP-in-IP one IPv4 header; STT 72. Over an
# IPv6 underlay the outer header is IPv6's 40 bytes instead of 20 (RFC 8200), 20 more.
TUNNEL_OVERHEAD_IPV4 = {"geneve": 50, "vxlan": 50, "ipip": 20, "stt": 72, "none": 0}
IPV6_EXTRA = 20


@dataclass(frozen=True)
class Tunnel:
    encapsulation: str
    origin: Origin
    udp_port: int | None = None
    # The address families of the node addresses the tunnel runs between.
    underlay_families: tuple[int, ...] = ()
    pod_mtu: int | None = None
    underlay_mtu: int | None = None
    encryption: str = "none"
    extra_encapsulation: int = 0
    # Bytes the CNI reserves over IPv4 where it reserves more than the headers (its kit's).
    reserved_ipv4: int | None = None
    reserved_by: str = ""

    def overhead(self, version: int) -> int:
        base = self.reserved_ipv4
        if base is None:
            base = TUNNEL_OVERHEAD_IPV4.get(self.encapsulation, 0)
        if base and version == 6:
            base += IPV6_EXTRA
        return base

    @property
    def identity(self) -> tuple[str, ...]:
        return ("tunnel", self.encapsulation)


@dataclass(frozen=True)
class BgpSession:
    """One BGP session (or a set of alike sessions from several nodes), wherever it is written."""

    peer_id: str
    # The element that defines the peer.
    path: ModelPath
    address: object
    # (what, where, value) of each ASN the session uses: the local one and the peer's.
    asns: tuple[tuple[str, ModelPath, int], ...]
    ibgp: bool
    # The key that makes the session multihop (None: single hop).
    multihop_key: str | None
    hold_time: object = None
    keepalive_time: object = None
    kind: SessionKind = "peer"
    provider: str = CORE
    # The component that speaks BGP on the nodes, the nodes that do (empty: all), and the
    # router at the other end (a component), if the model names one.
    speaker: str = ""
    nodes: tuple[str, ...] = ()
    router: str = ""
    zone: str = ""
    local_asn: int | None = None
    peer_asn: int | None = None
    # Whether the peer reflects routes to the other iBGP speakers (RFC 4456).
    reflector: bool = False

    @property
    def identity(self) -> tuple[str, ...]:
        return ("bgp-session", self.kind, str(self.speaker), str(self.address or self.peer_id))


@dataclass(frozen=True)
class ServiceProxy:
    """What implements Services on the nodes: kube-proxy (does it run, in which mode) or a
    component that replaces it."""

    kind: Literal["kube-proxy", "replacement"]
    origin: Origin
    # kube-proxy: runs (True), removed (False) or not said (None); its mode and options.
    runs: bool | None = None
    mode: str = ""
    strict_arp: bool | None = None
    cluster_cidrs: tuple[AddressRange, ...] = ()
    # replacement: the component.
    component: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        return ("service-proxy", self.kind, self.component)


@dataclass(frozen=True)
class PolicyEngine:
    component: str
    origin: Origin

    @property
    def identity(self) -> tuple[str, ...]:
        return ("policy-engine", self.component)


@dataclass(frozen=True)
class Policy:
    id: str
    action: str
    origin: Origin
    enforced_by: str = ""
    tier: str = ""
    priority: int | None = None
    # Position among the policies of its tier as written (rules are evaluated in order).
    order: int = 0
    direction: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        return ("policy", self.id)


@dataclass(frozen=True)
class Workload:
    """A pod (in a tenant or not), where it runs and its address."""

    id: str
    origin: Origin
    namespace: str = ""
    tenant: str = ""
    node: str = ""
    address: IPAddress | None = None
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def identity(self) -> tuple[str, ...]:
        return ("workload", self.namespace, self.id)


@dataclass(frozen=True)
class LoadBalancedService:
    """A Service (or Ingress, Gateway) with its external addresses, ports and backends."""

    id: str
    name: str
    origin: Origin
    addresses: tuple[tuple[IPAddress, ModelPath], ...] = ()
    ports: tuple[int, ...] = ()
    pool: str = ""
    external_traffic_policy: str = "Cluster"
    backends: tuple[str, ...] = ()

    @property
    def identity(self) -> tuple[str, ...]:
        return ("service", self.name)


@dataclass(frozen=True)
class OpenPort:
    """One entry of the firewall matrix: traffic allowed from one end to the other."""

    source: str
    destination: str
    protocol: str
    low: int | None
    high: int | None
    origin: Origin

    def matches(self, protocol: str, port: int) -> bool:
        if self.protocol != protocol:
            return False
        return self.low is not None and self.high is not None and self.low <= port <= self.high

    @property
    def identity(self) -> tuple[str, ...]:
        return ("port", self.source, self.destination, self.protocol, f"{self.low}-{self.high}")


@dataclass(frozen=True)
class GatewayListener:
    """Where a Gateway (Gateway API) accepts connections."""

    gateway: str
    name: str
    port: int
    protocol: str
    origin: Origin
    hostname: str = ""
    # The controller that implements the Gateway's class (GatewayClass controllerName).
    controller: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        return ("listener", self.gateway, self.name)


@dataclass(frozen=True)
class GatewayRoute:
    """A route (HTTPRoute, TLSRoute ...) attached to a Gateway, or to one of its listeners."""

    id: str
    kind: str
    gateway: str
    origin: Origin
    listener: str = ""
    hostnames: tuple[str, ...] = ()
    backends: tuple[str, ...] = ()

    @property
    def identity(self) -> tuple[str, ...]:
        return ("route", self.kind, self.id)


Fact = (
    AddressRange
    | HostAddress
    | LoadBalancerPool
    | Tunnel
    | BgpSession
    | ServiceProxy
    | PolicyEngine
    | Policy
    | Workload
    | LoadBalancedService
    | OpenPort
    | GatewayListener
    | GatewayRoute
)


@dataclass
class Facts:
    """Every fact of one model, by type, in the order they were provided."""

    ranges: list[AddressRange] = field(default_factory=list)
    addresses: list[HostAddress] = field(default_factory=list)
    pools: list[LoadBalancerPool] = field(default_factory=list)
    tunnels: list[Tunnel] = field(default_factory=list)
    sessions: list[BgpSession] = field(default_factory=list)
    proxies: list[ServiceProxy] = field(default_factory=list)
    engines: list[PolicyEngine] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    services: list[LoadBalancedService] = field(default_factory=list)
    ports: list[OpenPort] = field(default_factory=list)
    listeners: list[GatewayListener] = field(default_factory=list)
    routes: list[GatewayRoute] = field(default_factory=list)

    def add(self, fact: Fact) -> None:
        bucket = {
            AddressRange: self.ranges,
            HostAddress: self.addresses,
            LoadBalancerPool: self.pools,
            Tunnel: self.tunnels,
            BgpSession: self.sessions,
            ServiceProxy: self.proxies,
            PolicyEngine: self.engines,
            Policy: self.policies,
            Workload: self.workloads,
            LoadBalancedService: self.services,
            OpenPort: self.ports,
            GatewayListener: self.listeners,
            GatewayRoute: self.routes,
        }.get(type(fact))
        if bucket is None:
            raise TypeError(f"not a network fact: {fact!r}")
        bucket.append(fact)  # type: ignore[arg-type]

    def all(self) -> list[Fact]:
        return [
            *self.ranges,
            *self.addresses,
            *self.pools,
            *self.tunnels,
            *self.sessions,
            *self.proxies,
            *self.engines,
            *self.policies,
            *self.workloads,
            *self.services,
            *self.ports,
            *self.listeners,
            *self.routes,
        ]

    def of_role(self, *roles: str) -> list[AddressRange]:
        return [r for r in self.ranges if r.role in roles]

    def addresses_of(self, *roles: str) -> list[HostAddress]:
        return [a for a in self.addresses if a.role in roles]
