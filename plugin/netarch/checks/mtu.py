"""Section D of network-domain-checks.md: MTU and tunnels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from netarch.checks.framework import Finding, rule
from netarch.model.network import Model, ModelPath

SECTION = "MTU and tunnels"
DOC = "network-domain-checks.md §D"
OVERLAY: ModelPath = ("cluster", "overlay")
# Bytes Kube-OVN reserves per encapsulation (pkg/util constants).
OVERHEAD = {"geneve": 100, "vxlan": 50, "stt": 72, "none": 0}
# IANA ports: Geneve RFC 8926, VXLAN RFC 7348.
STANDARD_PORT = {"geneve": 6081, "vxlan": 4789}


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


def _headroom(overlay: dict[str, Any]) -> tuple[int, str]:
    """Bytes taken below the pod MTU, and how to say so."""
    kind = overlay.get("type", "none")
    overhead = OVERHEAD.get(kind, 0)
    extra = overlay.get("extra_encapsulation") or 0
    words = f"{overhead} bytes of {kind.upper()} overhead" if overhead else "no tunnel overhead"
    if extra:
        words += f" and {extra} bytes of further encapsulation"
    return overhead + extra, words


@rule(
    "NA150",
    "error",
    "Pod MTU larger than the underlay allows",
    rationale="Encapsulated pod packets carry the tunnel header on top: Kube-OVN reserves 100"
    " bytes for Geneve, 50 for VXLAN and 72 for STT (plus any further encapsulation such as"
    " WireGuard). A pod MTU above the underlay MTU minus that overhead fragments or drops large"
    " packets; a 1500-byte NIC gives a 1400-byte pod MTU.",
    source="Kube-OVN pkg/util/const.go (GeneveHeaderLength 100, VxlanHeaderLength 50, SttHeaderLength 72) and daemon auto-MTU; Cozystack Windows and MikroTik docs (vNIC MTU 1400)",
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
    taken, words = _headroom(overlay)
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
    rationale="Stacked encapsulation subtracts again: Kube-OVN IPsec (ESP) and WireGuard/KubeSpan"
    " add their own headers under the tunnel, so the pod MTU must leave room beyond the tunnel"
    " overhead (Cozystack recommends Kube-OVN mtu 1222 with KubeSpan).",
    source="Cozystack kubespan and talm docs; platform values comment",
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
    taken, _ = _headroom(overlay)
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
    source="Cozystack kubespan and talm docs",
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
    "Overlay port differs from the encapsulation's standard port",
    rationale="Node firewalls are opened for Geneve on UDP 6081 (VXLAN 4789), and Cilium's device"
    " list in the chained variant names genev_sys_6081; a different port is blocked or missed"
    " unless every one of them is changed too.",
    source="RFC 8926 (IANA UDP 6081); RFC 7348 (UDP 4789); Cilium devices genev_sys_6081",
    reference=DOC + " rule 37",
    hint="use the standard port, or make sure node firewalls and Cilium's devices follow",
    section=SECTION,
)
def overlay_port(model: Model) -> Iterator[Finding]:
    overlay = _overlay(model)
    kind, port = overlay.get("type"), overlay.get("udp_port")
    standard = STANDARD_PORT.get(str(kind))
    if standard is not None and isinstance(port, int) and port != standard:
        yield Finding(
            (*OVERLAY, "udp_port"),
            f"{str(kind).upper()} overlay on UDP {port}, not the standard {standard}",
        )
