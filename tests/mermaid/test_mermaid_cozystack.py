"""The 14 diagrams of Cozystack's network page, rebuilt with the builder (ids and labels from
/work/shared/design/cozystack-network.md, section 2): each must parse, and Mermaid must see
the same nodes, edges and subgraphs the original has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mermaid_expect import displayed

from netarch.mermaid import Flowchart, SequenceDiagram, Shape

Check = Callable[[Any], dict[str, Any]]


def d1_overview() -> Flowchart:
    fc = Flowchart("TD")
    fc.node("EXT", "External Clients")
    fc.node("RTR", "Upstream Router / Gateway")
    fc.node("MLB", "MetalLB<br/>(L2 ARP / BGP)")
    fc.node("CIL", "Cilium eBPF<br/>(Service Load Balancing + Network Policies)")
    fc.node("OVN", "Kube-OVN<br/>(Pod Networking + IPAM)")
    fc.node("PODS", "Pods")
    for src, dst in [("EXT", "RTR"), ("RTR", "MLB"), ("MLB", "CIL"), ("CIL", "OVN")]:
        fc.edge(src, dst)
    fc.edge("OVN", "PODS")
    return fc


def d2_ingress() -> Flowchart:
    fc = Flowchart("TD")
    fc.node("CLIENT", "External Client")
    fc.node("RTR", "Upstream Router")
    with fc.subgraph("CLUSTER", "Kubernetes Cluster") as cluster:
        for n in (1, 2, 3):
            cluster.node(f"S{n}", f"Node {n}<br/>MetalLB Speaker")
        cluster.node("CIL", "Cilium (eBPF)<br/>Service Load Balancing<br/>DNAT to Pod IP")
        cluster.node("POD", "Target Pod<br/>(Pod CIDR)")
    fc.edge("CLIENT", "RTR", "Traffic to external IP<br/>(e.g. 10.x.x.20)")
    for n in (1, 2, 3):
        fc.edge("RTR", f"S{n}", "L2 (ARP) or BGP")
    for n in (1, 2, 3):
        fc.edge(f"S{n}", "CIL")
    fc.edge("CIL", "POD")
    return fc


def d3_l2() -> SequenceDiagram:
    sd = SequenceDiagram()
    sd.participant("C", "Client")
    sd.participant("L", "Node (MetalLB Leader)")
    sd.participant("CIL", "Cilium (eBPF)")
    sd.participant("P", "Pod")
    sd.message("C", "L", "ARP who-has query for 10.x.x.20?")
    sd.message("L", "C", "ARP reply, 10.x.x.20 is at aa:bb:cc:dd:ee:ff", reply=True)
    sd.message("C", "L", "traffic sent to 10.x.x.20")
    sd.message("L", "CIL", "packet enters the kernel")
    sd.message("CIL", "P", "DNAT → Pod 10.244.x.x:8080")
    return sd


def d4_bgp() -> SequenceDiagram:
    sd = SequenceDiagram()
    for n in (1, 2, 3):
        sd.participant(f"S{n}", f"Node {n} (Speaker)")
    sd.participant("R", "Upstream Router")
    sd.participant("CIL", "Cilium (eBPF)")
    sd.participant("P", "Pod")
    for n in (1, 2, 3):
        sd.message(f"S{n}", "R", f"BGP UPDATE: 10.x.x.20/32 via Node {n}")
    sd.note("R", "ECMP with 3 next hops for the /32")
    for n in (1, 2, 3):
        sd.message("R", f"S{n}", "Traffic (1/3)")
    sd.message("S1", "CIL", "Packet enters kernel")
    sd.message("CIL", "P", "DNAT → Pod")
    return sd


def d5_vlans() -> Flowchart:
    fc = Flowchart("TD")
    fc.node("EXT", "External Traffic")
    with fc.subgraph("VLANs", "Additional VLANs<br/>(Client, DMZ, Public, etc.)") as vlans:
        vlans.node("V1", "VLAN A")
        vlans.node("V2", "VLAN B")
    with fc.subgraph("LB", "MetalLB") as lb:
        lb.node("L2", "L2 Mode → Service → Pod")
        lb.node("BGP", "BGP Mode → Service → Pod")
    fc.edge("EXT", "VLANs")
    fc.edge("V1", "L2")
    fc.edge("V2", "BGP")
    return fc


def d6_iptables_vs_ebpf() -> Flowchart:
    fc = Flowchart("LR")
    with fc.subgraph("IPTABLES", "kube-proxy (iptables)", direction="LR") as ipt:
        ipt.node("P1", "Packet")
        ipt.node("IPT", "iptables<br/>PREROUTING")
        ipt.node("NAT", "NAT chains<br/>O(n) rule traversal")
        ipt.node("DNAT1", "DNAT to Pod")
        ipt.node("POD1", "Pod")
    with fc.subgraph("EBPF", "Cilium (eBPF)", direction="LR") as ebpf:
        ebpf.node("P2", "Packet")
        ebpf.node("BPF", "eBPF program<br/>(TC/XDP)")
        ebpf.node("MAP", "eBPF map lookup<br/>O(1) hash")
        ebpf.node("DNAT2", "DNAT")
        ebpf.node("POD2", "Pod")
    fc.chain(["P1", "IPT", "NAT", "DNAT1", "POD1"])
    fc.chain(["P2", "BPF", "MAP", "DNAT2", "POD2"])
    return fc


def d7_ebpf_architecture() -> Flowchart:
    fc = Flowchart("TD")
    with fc.subgraph("KERNEL", "Kernel Space") as kernel:
        with kernel.subgraph("BPF", "eBPF Programs") as bpf:
            bpf.node("TC", "TC<br/>(ingress/egress)")
            bpf.node("XDP", "XDP<br/>(fastest path)")
            bpf.node("SOCK", "Socket-level<br/>(connect, sendmsg)")
        with kernel.subgraph("MAPS", "eBPF Maps") as maps:
            maps.node("SVC", "Service Tables")
            maps.node("EP", "Endpoint Maps")
            maps.node("POL", "Policy Maps")
    for src in ("TC", "XDP", "SOCK"):
        fc.edge(src, "MAPS")
    return fc


def d8_cni() -> Flowchart:
    fc = Flowchart("TD")
    with fc.subgraph("KO", "Kube-OVN") as ko:
        ko.node("IPAM", "Centralized IPAM — Shared pool 10.244.0.0/16")
        ko.node("OVN", "OVN/OVS Overlay Network (GENEVE)")
        ko.node("SUBNET", "Subnet management per namespace/tenant")
    with fc.subgraph("CIL", "Cilium") as cil:
        cil.node("POLICY", "eBPF Network Policies")
        cil.node("SVCBAL", "Service Load Balancing (kube-proxy replacement)")
        cil.node("IDENT", "Identity-based Security")
        cil.node("HUB", "Observability via Hubble")
    fc.edge("KO", "CIL")
    return fc


def d9_tenant_isolation() -> Flowchart:
    fc = Flowchart("TD")
    tenants = {"TA": ("A", "a", "0.10, 10.244.0.11"), "TB": ("B", "b", "1.20, 10.244.1.21")}
    tenants["TC"] = ("C", "c", "2.30, 10.244.2.31")
    for key, (name, ns, ips) in tenants.items():
        fc.node(key, f"Tenant {name} — Namespace app-{ns}<br/>Pods: 10.244.{ips}")
    fc.node("ENGINE", "Cilium eBPF Policy Engine", Shape.DECISION)
    fc.node("ALLOW", "Same-tenant traffic passes")
    fc.node("DENY", "Cross-tenant traffic dropped")
    for key in tenants:
        fc.edge(key, "ENGINE")
    fc.edge("ENGINE", "ALLOW", "A ↔ A — ALLOWED")
    fc.edge("ENGINE", "DENY", "A ↔ B — DENIED")
    return fc


def d10_identity() -> Flowchart:
    fc = Flowchart("LR")
    fc.node("POD", "Pod: frontend-abc123<br/>Labels: app=frontend,<br/>tenant=acme, env=prod")
    fc.node("AGENT", "Cilium Agent<br/>Hash(labels) → Identity: 12345")
    fc.node("BPFMAP", "eBPF Map<br/>10.244.0.10 → Identity 12345")
    fc.edge("POD", "AGENT")
    fc.edge("AGENT", "BPFMAP")
    return fc


def d11_enforcement_steps() -> Flowchart:
    fc = Flowchart("TD")
    fc.node("PKT", "Packet: 10.244.0.10 → 10.244.1.20")
    fc.node("STEP1", "1. Lookup source identity:<br/>10.244.0.10 → ID 12345 (tenant-a)")
    fc.node("STEP2", "2. Lookup destination identity:<br/>10.244.1.20 → ID 67890 (tenant-b)")
    fc.node("STEP3", "3. Check policy map:<br/>(12345, 67890, TCP, 80) → DENY")
    fc.node("DROP", "4. DROP packet")
    fc.chain(["PKT", "STEP1", "STEP2", "STEP3", "DROP"])
    return fc


EBPF_BULLETS = (
    "eBPF Programs<br/>• Attached to interfaces<br/>• Run in privileged kernel context"
    "<br/>• Verified by the kernel<br/>• Cannot be bypassed by userspace"
    "<br/>• Atomic policy updates"
)


def d12_kernel_enforcement() -> Flowchart:
    fc = Flowchart("TD")
    with fc.subgraph("US", "User Space") as us:
        us.node("PODA", "Pod A<br/>(Tenant A)")
        us.node("PODB", "Pod B<br/>(Tenant B)")
        us.node("NOTE", "Cannot bypass policy —<br/>traffic MUST go through kernel")
    with fc.subgraph("KS", "Kernel Space") as ks:
        ks.node("EBPF", EBPF_BULLETS)
    fc.edge("US", "KS", "all traffic")
    return fc


def d13_summary_external() -> Flowchart:
    fc = Flowchart("LR")
    labels = {"C": "Client", "R": "Router", "M": "MetalLB<br/>(L2/BGP)", "N": "Node"}
    labels |= {"E": "Cilium eBPF", "P": "Pod"}
    for key, label in labels.items():
        fc.node(key, label)
    fc.chain(list(labels))
    return fc


def d14_summary_tenants() -> Flowchart:
    fc = Flowchart("LR")
    fc.node("A", "Pod A")
    fc.node("CHECK", "eBPF<br/>Policy Check", Shape.DECISION)
    fc.node("DENY", "DENY")
    fc.node("ALLOW", "ALLOW → Pod A'")
    fc.edge("A", "CHECK")
    fc.edge("CHECK", "DENY", "Cross-tenant")
    fc.edge("CHECK", "ALLOW", "Same tenant")
    return fc


# name -> (builder, node count, edge count, {subgraph: members})
FLOWCHARTS: dict[str, tuple[Callable[[], Flowchart], int, int, dict[str, list[str]]]] = {
    "D1": (d1_overview, 6, 5, {}),
    "D2": (d2_ingress, 7, 8, {"CLUSTER": ["S1", "S2", "S3", "CIL", "POD"]}),
    "D5": (d5_vlans, 5, 3, {"VLANs": ["V1", "V2"], "LB": ["L2", "BGP"]}),
    "D6": (
        d6_iptables_vs_ebpf,
        10,
        8,
        {
            "IPTABLES": ["P1", "IPT", "NAT", "DNAT1", "POD1"],
            "EBPF": ["P2", "BPF", "MAP", "DNAT2", "POD2"],
        },
    ),
    "D7": (
        d7_ebpf_architecture,
        6,
        3,
        {"KERNEL": ["BPF", "MAPS"], "BPF": ["TC", "XDP", "SOCK"], "MAPS": ["SVC", "EP", "POL"]},
    ),
    "D8": (
        d8_cni,
        7,
        1,
        {"KO": ["IPAM", "OVN", "SUBNET"], "CIL": ["POLICY", "SVCBAL", "IDENT", "HUB"]},
    ),
    "D9": (d9_tenant_isolation, 6, 5, {}),
    "D10": (d10_identity, 3, 2, {}),
    "D11": (d11_enforcement_steps, 5, 4, {}),
    "D12": (d12_kernel_enforcement, 4, 1, {"US": ["PODA", "PODB", "NOTE"], "KS": ["EBPF"]}),
    "D13": (d13_summary_external, 6, 5, {}),
    "D14": (d14_summary_tenants, 4, 3, {}),
}


@pytest.mark.parametrize("name", list(FLOWCHARTS))
def test_cozystack_flowchart(check: Check, name: str) -> None:
    build, nodes, edges, subgraphs = FLOWCHARTS[name]
    fc = build()
    parsed = check(fc.render())
    ids = fc.ids()
    node_ids = {ids[k] for k, v in ids.items() if k not in subgraphs}
    assert len(node_ids) == nodes
    assert node_ids <= set(parsed["vertices"])
    assert len(parsed["edges"]) == edges
    members = {s["id"]: s["nodes"] for s in parsed["subgraphs"]}
    assert members == {ids[g]: [ids[m] for m in keys] for g, keys in subgraphs.items()}


def test_cozystack_ids_and_features_survive() -> None:
    # The original's upper-case mnemonics are kept, except where Mermaid would misread them.
    assert d12_kernel_enforcement().ids() == {
        "US": "US",
        "PODA": "PODA",
        "PODB": "PODB",
        "NOTE": "NOTE_",  # "note" is a sequence keyword; reserved everywhere
        "KS": "KS",
        "EBPF": "EBPF",
    }
    assert d5_vlans().render().text.splitlines()[-3] == "    EXT --> VLANs"
    assert '    CHECK{"eBPF<br/>Policy Check"}' in d14_summary_tenants().render().text.splitlines()
    assert d11_enforcement_steps().render().text.splitlines()[-1] == (
        "    PKT --> STEP1 --> STEP2 --> STEP3 --> DROP"
    )
    assert "        direction LR" in d6_iptables_vs_ebpf().render().text.splitlines()


def test_cozystack_labels_read_back_exactly(check: Check) -> None:
    parsed = check(d9_tenant_isolation().render())
    assert parsed["vertices"]["ENGINE"]["type"] == "diamond"
    # Broken at spaces into lines the browser never wraps again (LABEL_LINE_WIDTH).
    assert displayed(parsed["vertices"]["TA"]["text"]) == (
        "Tenant A — Namespace\napp-a\nPods: 10.244.0.10,\n10.244.0.11"
    )
    assert [displayed(e["text"]) for e in parsed["edges"][3:]] == [
        "A ↔ A — ALLOWED",
        "A ↔ B — DENIED",
    ]
    parsed = check(d14_summary_tenants().render())
    assert displayed(parsed["vertices"]["ALLOW"]["text"]) == "ALLOW → Pod A'"
    parsed = check(d12_kernel_enforcement().render())
    assert displayed(parsed["vertices"]["EBPF"]["text"]).count("\n• ") == 5
    assert [(e["start"], e["end"], e["text"]) for e in parsed["edges"]] == [
        ("US", "KS", "all traffic")
    ]


@pytest.mark.parametrize("build", [d3_l2, d4_bgp], ids=["D3", "D4"])
def test_cozystack_sequences(check: Check, build: Callable[[], SequenceDiagram]) -> None:
    sd = build()
    parsed = check(sd.render())
    assert set(parsed["actors"]) == set(sd.ids().values())
    texts = [displayed(m["message"]) for m in parsed["messages"]]
    if build is d3_l2:
        assert texts[1] == "ARP reply, 10.x.x.20 is at aa:bb:cc:dd:ee:ff"
        assert parsed["messages"][1]["type"] == 1  # dashed reply
        assert texts[-1] == "DNAT → Pod 10.244.x.x:8080"
    else:
        assert texts[0] == "BGP UPDATE: 10.x.x.20/32 via Node 1"
        note = parsed["messages"][3]
        assert (note["type"], note["placement"], note["from"]) == (2, 2, "R")
        assert texts[4:7] == ["Traffic (1/3)"] * 3
