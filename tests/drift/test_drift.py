"""netarch drift: the demo against its configuration, every reader value mutated, Secrets and
unused values never shown, the rules on the configuration, bad input."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from netarch.cli import main
from netarch.drift.compare import Verdict
from netarch.drift.report import FORMATS
from netarch.drift.run import drift

REPO = Path(__file__).resolve().parents[2]
DEMO_MODEL = REPO / "docs" / "network.yaml"
DEMO_CONFIG = REPO / "docs" / "cluster"
GOLDEN = Path(__file__).parent / "golden"
CANARY_SECRET = "c2VjcmV0LWNhbmFyeS12YWx1ZQ=="
CANARY_UNUSED = "unused-canary-7f3a"


def demo(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the demo model and its configuration, to change."""
    shutil.copytree(REPO / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("assets"))
    return tmp_path / "docs" / "network.yaml", tmp_path / "docs" / "cluster"


def test_the_demo_against_its_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = drift(Path("docs/network.yaml"), [Path("docs/cluster")])
    assert [d.headline() for d in result.diagnostics] == []
    facts = [f for f in result.findings if f.subject[0] != "policy"]
    # One fact contradicts: the BGP peer, the guide's example address.
    (contradiction,) = [f for f in facts if f.verdict is Verdict.CONTRADICTS]
    assert contradiction.label == "the BGP peer addresses"
    assert (contradiction.model_value, contradiction.config_value) == (
        "192.168.100.1",
        "192.168.20.254",
    )
    report = FORMATS["markdown"](result)
    golden = GOLDEN / "demo.md"
    if os.environ.get("NETARCH_UPDATE_GOLDEN"):
        golden.write_text(report, encoding="utf-8")
    assert report == golden.read_text(encoding="utf-8")


def test_every_format_names_both_places(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = drift(Path("docs/network.yaml"), [Path("docs/cluster")])
    data = json.loads(FORMATS["json"](result))
    assert data["version"] == 1
    (peer,) = [
        f for f in data["facts"] if f["verdict"] == "contradicts" and f["subject"][0] != "policy"
    ]
    assert peer["model"]["locations"][0]["file"] == "docs/network.yaml"
    assert peer["config"]["locations"][0] == {
        "file": "docs/cluster/metallb.yaml",
        "line": 32,
        "column": 16,
        "kind": "BGPPeer",
        "namespace": "cozy-metallb",
        "name": "cozystack",
        "field": "spec.peerAddress",
    }
    assert data["counts"]["contradicts"] == len(
        [f for f in data["facts"] if f["verdict"] == "contradicts"]
    )
    github = FORMATS["github"](result)
    assert "::error file=docs/network.yaml,line=" in github
    assert "BGPPeer cozy-metallb/cozystack, spec.peerAddress" in github
    human = FORMATS["human"](result)
    assert (
        "docs/cluster/metallb.yaml:32:16 (BGPPeer cozy-metallb/cozystack, spec.peerAddress)"
        in human
    )


def _mutated(value: str) -> str:
    """A different value of the same kind: another address or network, the other boolean,
    another number or word."""
    if value in ("true", "false"):
        return "false" if value == "true" else "true"
    other = {"geneve": "vxlan", "maglev": "random", "kubernetes": "cluster-pool"}
    if value in other:
        return other[value]
    if value.isdigit():
        return str(int(value) + 1)
    if re.fullmatch(r"[\d.]+-[\d.]+", value):
        return value.replace("192.168.100.", "192.168.101.")
    try:
        if "/" in value:
            network = ipaddress.ip_network(value)
            step = 2**24 if network.version == 4 else 2**100
            moved = ipaddress.ip_address(int(network.network_address) + step)
            return f"{moved}/{network.prefixlen}"
        return str(ipaddress.ip_address(value) + 1)
    except ValueError:
        return value + "x"


@pytest.mark.slow
def test_changing_any_value_a_reader_uses_flips_exactly_that_fact(tmp_path: Path) -> None:
    model, config = demo(tmp_path)
    before = drift(model, [config], base_dir=tmp_path)
    # "How a pool is announced" is derived from the advertisements that name the pool, not
    # written in one place: it is the one statement not checked here.
    agreeing = [
        f for f in before.findings if f.verdict is Verdict.AGREES and f.subject[-1] != "announced"
    ]
    assert len(agreeing) >= 20
    checked = 0
    verdicts = {
        (f.subject, f.config[0].origin.file): f.verdict for f in before.findings if f.config
    }
    for finding in agreeing:
        place = finding.config[0].origin
        path = tmp_path / place.file
        lines = path.read_text().split("\n")
        line = lines[place.line - 1]
        value = finding.config[0].shown
        if value not in line:  # derived from another value (a port from the encapsulation)
            continue
        checked += 1
        lines[place.line - 1] = line.replace(value, _mutated(value), 1)
        original = path.read_text()
        path.write_text("\n".join(lines))
        try:
            after = drift(model, [config], base_dir=tmp_path)
        finally:
            path.write_text(original)
        changed = {
            (f.subject, f.config[0].origin.line): f.verdict
            for f in after.findings
            if f.config
            and f.config[0].origin.file == place.file
            and verdicts.get((f.subject, place.file)) is not f.verdict
        }
        # That fact, and only facts read from the same value, now contradict the model.
        assert changed.get((finding.subject, place.line)) is Verdict.CONTRADICTS, finding.label
        assert {line for _, line in changed} == {place.line}, finding.label
        assert set(changed.values()) == {Verdict.CONTRADICTS}, finding.label
        others = [
            (f.subject, f.verdict)
            for f in after.findings
            if f.config and f.config[0].origin.file != place.file
        ]
        assert others == [
            (f.subject, f.verdict)
            for f in before.findings
            if f.config and f.config[0].origin.file != place.file
        ], finding.label
    assert checked >= 20


CANARY_OBJECTS = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: cozy-cilium
data:
  password: {CANARY_SECRET}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cilium-config
  namespace: second-cilium
data:
  kube-proxy-replacement: "true"
  cluster-pool-ipv4-cidr: {CANARY_UNUSED}
  some-token: {CANARY_UNUSED}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
  annotations:
    note: {CANARY_UNUSED}
data:
  config.conf: |
    mode: ipvs
    clientConnection:
      kubeconfig: {CANARY_UNUSED}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-settings
  namespace: default
data:
  password: {CANARY_UNUSED}
"""


def test_no_secret_and_no_unused_value_in_any_format(tmp_path: Path) -> None:
    model, config = demo(tmp_path)
    (config / "dump.yaml").write_text(CANARY_OBJECTS)
    (config / "dump.json").write_text(
        json.dumps(
            {
                "kind": "List",
                "items": [
                    {"kind": "Secret", "metadata": {"name": "x"}, "data": {"k": CANARY_SECRET}},
                    {"kind": "ConfigMap", "metadata": {"name": "y"}, "data": {"k": CANARY_UNUSED}},
                ],
            }
        )
    )
    (config / "broken.yaml").write_text(
        f"kind: ConfigMap\nmetadata:\n  name: cilium-config\ndata: [{CANARY_UNUSED}\n"
    )
    result = drift(model, [config], base_dir=tmp_path)
    assert result.secrets_skipped == 2
    for name, render in FORMATS.items():
        text = render(result)
        assert CANARY_SECRET not in text, name
        assert CANARY_UNUSED not in text, name


INSTALL_GUIDE_TALOS = """\
cluster:
  network:
    cni:
      name: none
    dnsDomain: cozy.local
    podSubnets:
      - 10.244.0.0/16
    serviceSubnets:
      - 10.96.0.0/16
  proxy:
    disabled: true
"""


def test_the_rules_run_on_the_configuration_too(tmp_path: Path) -> None:
    """The install guide's Talos layout: the nodes' pod ranges overlap Kube-OVN's pod CIDR
    while Cilium takes addresses from them."""
    model, config = demo(tmp_path)
    (config / "talos-controlplane-patch.yaml").write_text(INSTALL_GUIDE_TALOS)
    result = drift(model, [config], base_dir=tmp_path)
    (problem,) = [d for d in result.diagnostics if d.code == "NA154"]
    assert str(problem.location) == "docs/cluster/talos-controlplane-patch.yaml:7:9"
    assert (
        "in the configuration: Talos podSubnets 10.244.0.0/16 overlaps Kube-OVN --default-cidr 10.244.0.0/16"
        in problem.message
    )
    assert [str(r) for r in problem.related] == [
        "docs/cluster/kube-ovn.yaml:16:15",
        "docs/cluster/cilium.yaml:16:9",
    ]
    assert result.has_contradictions


GENERIC_CLUSTER = """\
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
controlPlaneEndpoint: "192.168.100.10:6443"
networking:
  podSubnet: 10.244.0.0/16,fd00:10:244::/56
  serviceSubnet: 10.96.0.0/16
  dnsDomain: cozy.local
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
data:
  config.conf: |
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    mode: ipvs
    clusterCIDR: 10.244.0.0/16
    ipvs:
      strictARP: true
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
spec:
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10]
---
apiVersion: v1
kind: Node
metadata:
  name: node1
spec:
  podCIDRs: [10.244.1.0/24]
status:
  addresses:
    - address: 192.168.100.11
      type: InternalIP
"""


def test_the_core_reader_on_kubeadm_kube_proxy_dns_and_nodes(tmp_path: Path) -> None:
    model, config = demo(tmp_path)
    shutil.rmtree(config)
    config.mkdir()
    (config / "cluster.yaml").write_text(GENERIC_CLUSTER)
    result = drift(model, [config], base_dir=tmp_path)
    said = {(f.label, f.config_value): f.verdict for f in result.findings if f.config}
    assert said[("the control-plane VIP", "192.168.100.10")] is Verdict.AGREES
    assert said[("the Service CIDR (IPv4)", "10.96.0.0/16")] is Verdict.AGREES
    assert said[("the cluster domain", "cozy.local")] is Verdict.AGREES
    # The demo's nodes take their pod ranges from 100.65.0.0/16, not kubeadm's podSubnet.
    assert (
        said[("the range nodes' pod ranges are cut from (IPv4)", "10.244.0.0/16")]
        is Verdict.CONTRADICTS
    )
    assert (
        said[("the range nodes' pod ranges are cut from (IPv6)", "fd00:10:244::/56")]
        is Verdict.NOT_DOCUMENTED
    )
    assert said[("kube-proxy's mode", "ipvs")] is Verdict.NOT_DOCUMENTED
    assert said[("kube-proxy's ipvs.strictARP", "true")] is Verdict.NOT_DOCUMENTED
    assert said[("the cluster DNS address", "10.96.0.10")] is Verdict.NOT_DOCUMENTED
    assert said[("the pod range of node node1 (IPv4)", "10.244.1.0/24")] is Verdict.NOT_DOCUMENTED


def test_k3s_configuration(tmp_path: Path) -> None:
    model, config = demo(tmp_path)
    shutil.rmtree(config)
    config.mkdir()
    (config / "config.yaml").write_text(
        "cluster-cidr: 10.42.0.0/16\nservice-cidr: 10.96.0.0/16\ncluster-dns: 10.96.0.10\n"
        "flannel-backend: vxlan\ndisable-kube-proxy: true\n"
    )
    result = drift(model, [config], base_dir=tmp_path)
    said = {(f.label, f.config_value): f.verdict for f in result.findings if f.config}
    assert said[("the overlay encapsulation", "vxlan")] is Verdict.CONTRADICTS
    assert said[("whether kube-proxy runs", "false")] is Verdict.AGREES
    assert said[("the Service CIDR (IPv4)", "10.96.0.0/16")] is Verdict.AGREES


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netarch.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "plugin")},
    )


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _model, config = demo(tmp_path)
    os.chdir(tmp_path)
    try:
        assert main(["drift", "docs/network.yaml", "--from", "docs/cluster"]) == 1
        text = (config / "metallb.yaml").read_text().replace("192.168.20.254", "192.168.100.1")
        (config / "metallb.yaml").write_text(text)
        (config / "tenants.yaml").unlink()  # its policies are wider than the model says
        assert main(["drift", "docs/network.yaml", "--from", "docs/cluster"]) == 0
        (config / "tenants.yaml").write_text((DEMO_CONFIG / "tenants.yaml").read_text())
        capsys.readouterr()
        assert main(["drift", "docs/network.yaml", "--from", "no/such/folder"]) == 2
        assert "no/such/folder" in capsys.readouterr().err
        assert main(["drift", "missing.yaml", "--from", "docs/cluster"]) == 2
        assert main(["drift", "--from", "docs/cluster"]) == 2
    finally:
        os.chdir(REPO)
    assert before_nothing_written(config)


def before_nothing_written(config: Path) -> bool:
    return sorted(p.name for p in config.iterdir()) == sorted(p.name for p in DEMO_CONFIG.iterdir())


def test_the_real_policies_against_the_model_s_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cozystack's tenant chart: every tenant admits the whole cluster and the world
    (allow-external-communication), and pods labelled allow-to-apiserver may reach anything on
    TCP 6443 (a rule with ports and no peer), which the model's isolation does not say."""
    monkeypatch.chdir(REPO)
    result = drift(Path("docs/network.yaml"), [Path("docs/cluster")])
    said = {
        f.label: [str(s.origin) for s in f.config]
        for f in result.findings
        if f.subject[0] == "policy"
    }
    wide = [label for label in said if label.startswith("tenant a's ingress admits")]
    (ingress,) = wide
    assert "tenant b" in ingress and "the world" in ingress
    assert said[ingress] == [
        "docs/cluster/tenants.yaml:236:5 CiliumNetworkPolicy tenant-a/allow-external-communication spec.ingress[0]"
    ]
    port_only = [
        label
        for label in said
        if label.startswith("pods policy.cozystack.io/allow-to-apiserver=true of tenant b's egress")
    ]
    (rule,) = port_only
    assert "tenant a" in rule and rule.endswith("on TCP 6443")
    assert said[rule] == [
        "docs/cluster/tenants.yaml:478:5 CiliumNetworkPolicy tenant-b/allow-to-apiserver spec.egress[1]"
    ]
    # Same-tenant traffic and the parent tenant's access agree: no counterexample names them.
    assert not any("tenant a's egress lets them reach tenant root" in label for label in said)
    assert result.policy_objects == 48


NETWORK_POLICIES = """apiVersion: v1
kind: Namespace
metadata:
  name: tenant-a
  labels: {team: a}
---
apiVersion: v1
kind: Namespace
metadata:
  name: tenant-b
  labels: {team: b}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: tenant-a
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: from-team-b
  namespace: tenant-a
spec:
  podSelector:
    matchLabels: {app: frontend}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {team: b}
      ports:
        - {protocol: TCP, port: 443}
"""


def test_kubernetes_network_policies(tmp_path: Path) -> None:
    model, config = demo(tmp_path)
    shutil.rmtree(config)
    config.mkdir()
    (config / "policies.yaml").write_text(NETWORK_POLICIES)
    result = drift(model, [config], base_dir=tmp_path)
    said = {
        f.label: [str(s.origin) for s in f.config]
        for f in result.findings
        if f.subject[0] == "policy"
    }
    (label,) = [
        text for text in said if text.startswith("pods app=frontend of tenant a's ingress admits")
    ]
    assert "tenant b" in label and label.endswith("on TCP 443")
    assert said[label] == [
        "docs/cluster/policies.yaml:34:7 NetworkPolicy tenant-a/from-team-b spec.ingress[0]"
    ]


def test_import_writes_a_model_drift_then_agrees_with(tmp_path: Path) -> None:
    _model, config = demo(tmp_path)
    output = tmp_path / "imported.yaml"
    os.chdir(tmp_path)
    try:
        assert main(["import", "--from", "docs/cluster", "-o", "imported.yaml"]) == 0
        text = output.read_text()
        assert "x-source:" in text
        assert "- docs/cluster/kube-ovn.yaml:16 Deployment cozy-kubeovn/kube-ovn-controller" in text
        assert main(["check", "imported.yaml"]) == 0
        result = drift(Path("imported.yaml"), [Path("docs/cluster")])
        assert result.counts[Verdict.CONTRADICTS] == 0
        assert result.counts[Verdict.NOT_DOCUMENTED] == 0
        assert result.counts[Verdict.AGREES] >= 40
        # Never overwritten: the file stays as it was.
        output.write_text("# mine\n")
        assert main(["import", "--from", "docs/cluster", "-o", "imported.yaml"]) == 2
        assert output.read_text() == "# mine\n"
        # Nothing to make a model of: a clear error, nothing written.
        (tmp_path / "empty").mkdir()
        assert main(["import", "--from", "empty", "-o", "other.yaml"]) == 2
        assert not (tmp_path / "other.yaml").exists()
        # A Secret and a value no reader uses never reach the model.
        (config / "secret.yaml").write_text(CANARY_OBJECTS)
        assert main(["import", "--from", "docs/cluster", "-o", "with-secret.yaml"]) == 0
        text = (tmp_path / "with-secret.yaml").read_text()
        assert CANARY_SECRET not in text and CANARY_UNUSED not in text
    finally:
        os.chdir(REPO)


@pytest.mark.slow
def test_live_through_kubectl_against_a_fake_api_server(tmp_path: Path) -> None:
    """--live reads only what the readers need, by name where it can, never a Secret, and
    never writes; the verdicts are those of the same objects read from files."""
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed")
    from fake_apiserver import FakeApiServer

    (tmp_path / "secret.yaml").write_text(CANARY_OBJECTS)
    files = [*sorted(DEMO_CONFIG.glob("*.yaml")), tmp_path / "secret.yaml"]
    with FakeApiServer.from_files(*files) as server:
        kubeconfig = server.kubeconfig(tmp_path / "kubeconfig")
        done = run_cli(
            "drift",
            str(DEMO_MODEL),
            "--live",
            "--kubeconfig",
            str(kubeconfig),
            "--context",
            "fake",
            "--format",
            "json",
            cwd=tmp_path,
        )
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["sources"] == ["the cluster (context fake)"]
    # The same objects from files give the same verdicts (the Talos file is no API object).
    api_objects = [f for f in files if not f.name.startswith("talos")]
    from_files = json.loads(FORMATS["json"](drift(DEMO_MODEL, api_objects)))
    assert data["counts"] == from_files["counts"]
    (peer,) = [f for f in data["facts"] if f["fact"] == "the BGP peer addresses"]
    assert peer["config"]["locations"][0]["kind"] == "BGPPeer"
    assert peer["config"]["locations"][0]["file"].startswith("live/")
    methods = {method for method, _ in server.requests}
    assert methods == {"GET"}
    paths = [path for _, path in server.requests]
    assert not any("/secrets" in path for path in paths)
    # A ConfigMap is fetched by name, never listed whole.
    config_maps = [p for p in paths if "/configmaps" in p]
    assert config_maps and all("fieldSelector" in p or "/configmaps/" in p for p in config_maps)
    assert CANARY_SECRET not in done.stdout + done.stderr
    assert CANARY_UNUSED not in done.stdout + done.stderr


def test_live_without_a_cluster_is_an_environment_error(tmp_path: Path) -> None:
    if not shutil.which("kubectl"):
        pytest.skip("kubectl is not installed")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: u}}]\n"
        "current-context: x\n"
    )
    done = run_cli(
        "drift", str(DEMO_MODEL), "--live", "--kubeconfig", str(kubeconfig), cwd=tmp_path
    )
    assert done.returncode == 2
    assert "netarch: error: the cluster could not be read" in done.stderr
    assert "Traceback" not in done.stderr
