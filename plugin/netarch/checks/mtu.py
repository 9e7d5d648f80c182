"""Section D of network-domain-checks.md: MTU and tunnels.

Header sizes and ports are the encapsulations' own (RFCs, IANA); where the CNI that builds the
overlay takes more or listens elsewhere by default, its kit says so (``Kit.overlay_overhead``,
``Kit.overlay_ports``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.facts import facts_of
from netarch.model.network import Model, ModelPath
from netarch.registry import Kit, kit_of_product, product_of

SECTION = "MTU and tunnels"
DOC = "network-domain-checks.md §D"
OVERLAY: ModelPath = ("cluster", "overlay")
# Header sizes per encapsulation and family: netarch.facts.types.TUNNEL_OVERHEAD_IPV4.
# IANA ports: Geneve RFC 8926, VXLAN RFC 7348.
STANDARD_PORT = {"geneve": 6081, "vxlan": 4789}


def _default_port(model: Model, kind: str) -> tuple[int | None, str]:
    """The UDP port the overlay uses unless told otherwise, and whose default it is."""
    kit = _cni_kit(model)
    if kit is not None and kind in kit.overlay_ports:
        return kit.overlay_ports[kind], f"{kit.title}'s default"
    return STANDARD_PORT.get(kind), "the IANA port"


def overlay_port(model: Model) -> int | None:
    """The UDP port the overlay runs on: the one the model sets, else the default."""
    overlay = _overlay(model)
    if isinstance(overlay.get("udp_port"), int):
        return overlay["udp_port"]
    return _default_port(model, str(overlay.get("type")))[0]


def _cni_kit(model: Model) -> Kit | None:
    """The active kit of the product that builds the overlay (``cluster.cni``)."""
    return kit_of_product(model, product_of(model, model.section("cluster").get("cni")))


def _overlay(model: Model) -> dict[str, Any]:
    value = model.section("cluster").get("overlay")
    return value if isinstance(value, dict) else {}


def _underlays(model: Model) -> list[tuple[int, ModelPath, str]]:
    """(MTU, where, what) of the overlay's underlay MTU and every node MTU."""
    found: list[tuple[int, ModelPath, str]] = []
    overlay = _overlay(model)
    if isinstance(overlay.get("underlay_mtu"), int):
        found.append((overlay["underlay_mtu"], (*OVERLAY, "underlay_mtu"), "the underlay MTU"))
    for index, node in enumerate(model.items("nodes")):
        if isinstance(node.get("mtu"), int):
            found.append((node["mtu"], ("nodes", index, "mtu"), f"node {node['id']}'s MTU"))
    return found


def _headroom(model: Model, overlay: dict[str, Any]) -> tuple[int, str]:
    """Bytes taken below the pod MTU, and how to say so: the tunnel's overhead over the family
    of the node addresses it runs between (IPv6's outer header is 20 bytes longer)."""
    tunnel = next(iter(facts_of(model).tunnels), None)
    kind = overlay.get("type", "none")
    if tunnel is None:
        return 0, "no tunnel overhead"
    version = max(tunnel.underlay_families or (4,))
    overhead = tunnel.overhead(version)
    whose = f" as {tunnel.reserved_by} reserves it" if tunnel.reserved_by else ""
    over = " over IPv6" if version == 6 and overhead else ""
    extra = tunnel.extra_encapsulation
    words = (
        f"{overhead} bytes of {kind.upper()} overhead{over}{whose}"
        if overhead
        else "no tunnel overhead"
    )
    if extra:
        words += f" and {extra} bytes of further encapsulation"
    return overhead + extra, words


@rule(
    "NA150",
    "error",
    "Pod MTU larger than the underlay allows",
    rationale="Encapsulated pod packets carry the tunnel header on top: 50 bytes for VXLAN or"
    " Geneve over IPv4 and 70 over IPv6 (whose header is 20 bytes longer), 20 for IP-in-IP, and more where the CNI reserves room for options (its"
    " kit knows how much), plus any further encapsulation such as WireGuard. A pod MTU above"
    " the underlay MTU minus that overhead fragments or drops large packets.",
    source="RFC 7348 (VXLAN), RFC 8926 (Geneve), RFC 2003 (IP-in-IP), RFC 8200 (IPv6 header);"
    " the CNI's own MTU defaults",
    reference=DOC + " rule 35",
    hint="lower pod_mtu to the underlay MTU minus the overhead, or raise the underlay MTU on every hop",
    section=SECTION,
)
def pod_mtu(model: Model) -> Iterator[Finding]:
    overlay = _overlay(model)
    pod = overlay.get("pod_mtu")
    underlays = _underlays(model)
    if not isinstance(pod, int) or not underlays:
        return
    taken, words = _headroom(model, overlay)
    mtu, where, what = min(underlays, key=lambda u: u[0])
    if pod > mtu - taken:
        yield Finding(
            (*OVERLAY, "pod_mtu"),
            f"pod MTU {pod} exceeds {what} {mtu} minus {words} (= {mtu - taken})",
            hint=f"set pod_mtu to at most {mtu - taken}",
            related=(where,),
        )


@rule(
    "NA151",
    "warning",
    "Encrypted overlay without room for the encryption header",
    rationale="Stacked encapsulation subtracts again: IPsec (ESP) and WireGuard add their own"
    " headers under the tunnel (WireGuard 60 bytes over IPv4, 80 over IPv6), so the pod MTU"
    " must leave room beyond the tunnel overhead.",
    source="RFC 4303 (ESP); WireGuard protocol (message header, UDP, outer IP)",
    reference=DOC + " rule 36",
    hint="declare the encryption overhead in extra_encapsulation and lower pod_mtu to match",
    section=SECTION,
)
def encryption_room(model: Model) -> Iterator[Finding]:
    overlay = _overlay(model)
    encryption = overlay.get("encryption", "none")
    if encryption == "none" or overlay.get("extra_encapsulation"):
        return
    underlays = _underlays(model)
    if not underlays:
        return
    taken, _ = _headroom(model, overlay)
    mtu = min(u[0] for u in underlays)
    pod = overlay.get("pod_mtu", mtu - taken)
    if pod >= mtu - taken:
        yield Finding(
            (*OVERLAY, "encryption"),
            f"the overlay is encrypted with {encryption}, but pod MTU {pod} leaves no room for its header under {mtu} bytes",
            related=((*OVERLAY, "pod_mtu"),) if "pod_mtu" in overlay else (),
        )


@rule(
    "NA152",
    "warning",
    "Node MTUs differ",
    rationale="The overlay assumes one MTU on every node and hop; a node with a smaller MTU"
    " (or a jumbo underlay some node does not support) drops the large packets of its peers.",
    source="RFC 1191 (path MTU discovery); RFC 4459 (MTU and fragmentation with tunnels)",
    reference=DOC + " rule 36",
    hint="set the same MTU on every node NIC and in the overlay's underlay_mtu",
    section=SECTION,
)
def uniform_mtu(model: Model) -> Iterator[Finding]:
    underlays = _underlays(model)
    if len(underlays) < 2:
        return
    reference_mtu, reference_path, reference_what = underlays[0]
    for mtu, where, what in underlays[1:]:
        if mtu != reference_mtu:
            yield Finding(
                where,
                f"{what} is {mtu}, but {reference_what} is {reference_mtu}",
                related=(reference_path,),
            )


@rule(
    "NA153",
    "warning",
    "Overlay port differs from the CNI's default port",
    rationale="Node firewalls and security groups are opened for the port the overlay uses by"
    " default: the CNI's own default where it has one (the Linux kernel's VXLAN port 8472 is"
    " common), else the IANA port (Geneve 6081, VXLAN 4789). Another port is blocked or missed"
    " unless every rule and device name that mentions the port changes too.",
    source="RFC 8926 (IANA UDP 6081); RFC 7348 (UDP 4789); the CNI's documented default",
    reference=DOC + " rule 37",
    hint="use the default port, or make sure node firewalls and the CNI's settings follow",
    section=SECTION,
)
def overlay_port_differs(model: Model) -> Iterator[Finding]:
    overlay = _overlay(model)
    kind, port = str(overlay.get("type")), overlay.get("udp_port")
    standard, whose = _default_port(model, kind)
    if standard is not None and isinstance(port, int) and port != standard:
        yield Finding(
            (*OVERLAY, "udp_port"),
            f"{kind.upper()} overlay on UDP {port}, not {standard}, {whose}",
        )
