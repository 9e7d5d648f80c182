"""The demo site, built as a user builds it (`mkdocs build --strict`), holds all of Cozystack's page.

Every one of the 14 diagrams, the 5 tables and the 2 configuration examples of the
hand-written page must be in the generated HTML with its content, and the factual errors of
the hand-written page must not be.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PAGES = (
    "",
    "cluster",
    "ingress",
    "service-load-balancing",
    "tenant-isolation",
    "observability",
    "traffic-flows",
)

# Diagram -> (diagram type, texts that must all be in that one diagram).
DIAGRAMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "D1 overview": (
        "flowchart TD",
        (
            "External clients",
            "Upstream router",
            "MetalLB",
            "Cilium eBPF",
            "Kube-OVN",
            "Pods",
            "external_clients --> upstream_router --> metallb --> cilium --> kube_ovn --> pods",
        ),
    ),
    "D2 external ingress": (
        "flowchart TD",
        (
            'subgraph cluster ["Kubernetes cluster"]',
            "Node 1<br/>MetalLB speaker",
            "Node 3<br/>MetalLB speaker",
            "DNAT to pod IP",
            "Traffic to external IP<br/>(192.168.100.200)",
            "L2 (ARP) or BGP",
        ),
    ),
    "D3 L2 mode": (
        "sequenceDiagram",
        (
            "Elected MetalLB speaker (leader) for 192.168.100.200",
            "ARP: who has 192.168.100.200?",
            "-->>external_clients: ARP reply: it is at aa:bb:cc:dd:ee:ff",
            "DNAT → pod 10.244.0.10:8443",
        ),
    ),
    "D4 BGP mode": (
        "sequenceDiagram",
        (
            "BGP UPDATE: 192.168.100.200/32, next hop Node 1",
            "BGP UPDATE: 192.168.100.200/32, next hop Node 3",
            "Note over upstream_router: ECMP: 3 next hops",
            "≈1/3 of flows",
        ),
    ),
    "D5 VLANs": (
        "flowchart TD",
        (
            "Additional VLANs",
            "VLAN A",
            "VLAN B",
            "L2 mode → Service → Pod",
            "BGP mode → Service → Pod",
            "external --> vlans",
        ),
    ),
    "D6 iptables vs eBPF": (
        "flowchart LR",
        (
            "kube-proxy (iptables)",
            "Cilium (eBPF)",
            "direction LR",
            "iptables<br/>PREROUTING",
            "eBPF map lookup<br/>hash table",
        ),
    ),
    "D7 eBPF architecture": (
        "flowchart TD",
        (
            'subgraph kernel ["Kernel space"]',
            'subgraph programs ["eBPF programs"]',
            'subgraph maps ["eBPF maps"]',
            "TC<br/>(ingress / egress)",
            "Socket-level<br/>(connect, sendmsg)",
            "Policy maps",
        ),
    ),
    "D8 CNI architecture": (
        "flowchart TD",
        (
            "Kube-OVN",
            "Centralised IPAM, one shared pool 10.244.0.0/16",
            "OVN/OVS overlay network (GENEVE)",
            "Identity-based security",
            "chained (generic-veth)",
        ),
    ),
    "D9 tenant isolation model": (
        "flowchart TD",
        (
            "policy engine",
            "namespace tenant-a<br/>Pods: 10.244.0.10, 10.244.0.11",
            "namespace tenant-c",
            "a ↔ a: ALLOWED",
            "a ↔ b: DENIED",
        ),
    ),
    "D10 identity": (
        "flowchart LR",
        (
            "Pod: frontend-abc123",
            "app=frontend",
            "labels → identity 12345",
            "10.244.0.10 → identity 12345",
        ),
    ),
    "D11 policy enforcement": (
        "flowchart TD",
        (
            "Packet: 10.244.0.10 → 10.244.1.20",
            "1. Look up source identity",
            "ID 67890 (tenant-b)",
            "(12345, 67890, TCP, 80) → DENY",
            "4. Drop packet",
        ),
    ),
    "D12 kernel enforcement": (
        "flowchart TD",
        (
            'subgraph user_space ["User space"]',
            'subgraph kernel_space ["Kernel space"]',
            "• Verifier",
            "• In-kernel",
            '-->|"pod traffic"|',
        ),
    ),
    "D13 external access": ("flowchart LR", ("External clients", "Node 1", "--> pods")),
    "D14 tenant isolation summary": (
        "flowchart LR",
        (
            '{"Cilium eBPF<br/>policy check"}',
            "DENY: pod of another tenant",
            "ALLOW: another pod of tenant a",
            "Cross-tenant",
            "Same tenant",
        ),
    ),
}

TABLES: dict[str, tuple[str, ...]] = {
    "T1 layers": (
        "Layer",
        "Component",
        "Purpose",
        "External load balancing",
        "VM secondary interfaces",
        "Hubble (optional)",
    ),
    "T2 cluster configuration": (
        "Parameter",
        "Value",
        "10.244.0.0/16",
        "10.96.0.0/16",
        "100.64.0.0/16",
        "cozy.local",
        "GENEVE",
    ),
    "T3 stack variants": (
        "Variant",
        "Target platform",
        "kubeovn-cilium-generic",
        "cilium-kilo",
        "noop",
        "isp-full",
    ),
    "T4 kube-proxy comparison": (
        "Aspect",
        "kube-proxy (iptables)",
        "Cilium (eBPF)",
        "Service lookup",
        "Scaling with Services",
    ),
    "T5 security properties": (
        "Property",
        "Description",
        "Verifier",
        "Isolation",
        "Map updates",
        "In-kernel",
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(repo_root / "mkdocs.yml"),
            "-d",
            str(site_dir),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return site_dir


@pytest.fixture(scope="module")
def diagrams(site: Path) -> list[str]:
    """Every diagram's text without its front matter (layout config), so it starts with its type."""
    found = []
    for page in PAGES:
        text = (site / "architecture" / page / "index.html").read_text(encoding="utf-8")
        found += map(
            html.unescape,
            re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', text, re.DOTALL),
        )
    return [re.sub(r"\A---\n.*?\n---\n", "", d, flags=re.DOTALL) for d in found]


@pytest.fixture(scope="module")
def all_html(site: Path) -> str:
    return "\n".join(
        (site / "architecture" / p / "index.html").read_text(encoding="utf-8") for p in PAGES
    )


def test_every_generated_page_is_in_the_site(site: Path) -> None:
    for page in PAGES:
        assert (site / "architecture" / page / "index.html").is_file(), page


def test_exactly_fourteen_diagrams(diagrams: list[str]) -> None:
    assert len(diagrams) == 14


@pytest.mark.parametrize("name", DIAGRAMS)
def test_diagram_is_present_with_its_content(diagrams: list[str], name: str) -> None:
    kind, texts = DIAGRAMS[name]

    # Long labels are broken at spaces by the builder: compared with their line breaks as spaces.
    def flat(text: str) -> str:
        return text.replace("<br/>", " ")

    matching = [
        d for d in diagrams if d.startswith(kind) and all(flat(t) in flat(d) for t in texts)
    ]
    assert len(matching) == 1, f"{name}: no single {kind} diagram holds {texts}"


def test_diagram_types_match_the_hand_written_page(diagrams: list[str]) -> None:
    kinds = [d.split("\n", 1)[0] for d in diagrams]
    assert kinds.count("sequenceDiagram") == 2
    assert kinds.count("flowchart TD") == 8
    assert kinds.count("flowchart LR") == 4


@pytest.mark.parametrize("name", TABLES)
def test_table_is_present_with_its_content(all_html: str, name: str) -> None:
    tables = re.findall(r"<table>(.*?)</table>", all_html, re.DOTALL)
    texts = TABLES[name]
    assert any(all(t in html.unescape(table) for t in texts) for table in tables), name


def test_both_configuration_examples_are_yaml_code_blocks(all_html: str) -> None:
    blocks = [
        html.unescape(re.sub(r"<[^>]+>", "", b))
        for b in re.findall(
            r'<div class="language-yaml highlight"><pre>.*?<code>(.*?)</code></pre></div>',
            all_html,
            re.DOTALL,
        )
    ]
    policy = [b for b in blocks if "kind: CiliumNetworkPolicy" in b]
    hubble = [b for b in blocks if "hubble:" in b]
    assert len(policy) == 1 and len(hubble) == 1
    assert "k8s:io.cilium.k8s.namespace.labels.tenant.cozystack.io/tenant-example" in policy[0]
    assert "- kube-apiserver" in policy[0] and "toEntities" in policy[0]
    for key in ("enabled: true", "relay:", "ui:"):
        assert key in hubble[0]


def test_caveats_are_admonitions(all_html: str) -> None:
    assert 'class="admonition info"' in all_html  # L2: one node per Service IP
    assert "One node per Service IP" in all_html
    assert 'class="admonition warning"' in all_html  # automatic policies, host firewall


def test_the_hand_written_page_errors_are_not_repeated(all_html: str) -> None:
    text = html.unescape(all_html)
    for wrong in (
        "100 nanoseconds",
        "~100 ns",
        "Cannot bypass",
        "cannot be bypassed",
        "no race conditions",
        "Pod A'",
        "app-a",
        "fastest path",
        "constant performance",
        "userspace overhead",
    ):
        assert wrong not in text, wrong
    # The variant table says what really selects each variant.
    assert "not selected by the bundle" in text


def test_edit_link_points_at_the_model(site: Path) -> None:
    page = (site / "architecture" / "ingress" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="[^"]*/edit/main/network\.yaml"', page)


def test_nothing_generated_is_written_into_docs(repo_root: Path, site: Path) -> None:
    assert not (repo_root / "docs" / "architecture").exists()


def test_hand_written_page_embeds_a_view(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<pre class="mermaid"><code>(---\n.*?\n---\n)?flowchart LR', page, re.DOTALL)
    assert "netarch-view" not in page
