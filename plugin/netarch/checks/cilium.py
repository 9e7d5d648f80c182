"""Section C of network-domain-checks.md: Cilium as kube-proxy replacement, chained on Kube-OVN.

The model keeps Cilium's Helm values in ``service_load_balancing.settings`` and Kube-OVN's in
``pod_networking.settings`` (dotted keys, as in the Cozystack values files). Only the values the
model states are checked: an absent key is not taken for a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from netarch.checks.addresses import cluster_range, parse_ip
from netarch.checks.framework import Finding, rule
from netarch.checks.text import model_texts, without_code
from netarch.model.network import Model, ModelPath

SECTION = "Cilium"
DOC = "network-domain-checks.md §C"
CILIUM: ModelPath = ("service_load_balancing", "settings")
KUBE_OVN: ModelPath = ("pod_networking", "settings")


def _settings(model: Model, where: ModelPath) -> dict[str, Any]:
    value = model.section(str(where[0])).get("settings")
    return value if isinstance(value, dict) else {}


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "strict"))


def _false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def _kpr(model: Model) -> ModelPath | None:
    """Where the model says kube-proxy is replaced, if it does."""
    if model.section("cluster").get("kube_proxy_replacement"):
        return ("cluster", "kube_proxy_replacement")
    if _true(_settings(model, CILIUM).get("kubeProxyReplacement")):
        return (*CILIUM, "kubeProxyReplacement")
    return None


@rule(
    "NA140",
    "error",
    "kube-proxy replaced but still running",
    rationale="With kubeProxyReplacement Cilium programs Services itself; a kube-proxy left"
    " running installs competing iptables rules. Every distribution runs kube-proxy unless told"
    " not to (Talos proxy.disabled, kubeadm --skip-phases=addon/kube-proxy, k3s"
    " --disable-kube-proxy, RKE2 disable-kube-proxy).",
    source="Cozystack generic-install table; Cilium kube-proxy-free guide",
    reference=DOC + " rule 27",
    hint="disable kube-proxy in the distribution and set kube_proxy_disabled: true",
    section=SECTION,
)
def kube_proxy_still_running(model: Model) -> Iterator[Finding]:
    replaced = _kpr(model)
    distribution = model.section("cluster").get("distribution")
    if replaced is None or not isinstance(distribution, dict):
        return
    if distribution.get("kube_proxy_disabled") is not True:
        where: ModelPath = ("cluster", "distribution")
        if "kube_proxy_disabled" in distribution:
            where = (*where, "kube_proxy_disabled")
        engine = model.section("cluster").get("kube_proxy_replacement") or "Cilium"
        yield Finding(
            where,
            f"kube-proxy is replaced by {engine}, but the {distribution['name']} distribution still runs it (kube_proxy_disabled is not true)",
            related=(replaced,),
        )


@rule(
    "NA141",
    "error",
    "kube-proxy replacement pointed at a ClusterIP",
    rationale="Without kube-proxy nothing translates ClusterIPs until Cilium runs, so Cilium must"
    " reach the API server directly: k8sServiceHost/k8sServicePort name a real endpoint (Talos"
    " KubePrism localhost:7445, or the API endpoint host and port), never the kubernetes Service.",
    source="Cilium kube-proxy-free docs; Cozystack values-talos.yaml",
    reference=DOC + " rule 28",
    hint="point k8sServiceHost at the API endpoint (Talos: localhost with k8sServicePort 7445)",
    section=SECTION,
)
def api_endpoint(model: Model) -> Iterator[Finding]:
    if _kpr(model) is None:
        return
    host = _settings(model, CILIUM).get("k8sServiceHost")
    if not isinstance(host, str):
        return
    path = (*CILIUM, "k8sServiceHost")
    service = cluster_range(model, "service_cidr", "service CIDR")
    address = parse_ip(host)
    if address is not None and service is not None:
        if address.version == service.network.version and address in service.network:
            yield Finding(
                path,
                f"k8sServiceHost {host} is a ClusterIP of the service CIDR {service.network}",
                related=(service.path,),
            )
    elif re.search(r"(^kubernetes(\.default)?$)|\.svc(\.|$)", host):
        yield Finding(
            path, f"k8sServiceHost {host} is the name of a Service, reached through a ClusterIP"
        )


# Cilium values a generic-veth chain on Kube-OVN needs (Cozystack values-kubeovn.yaml).
_CHAINED_VALUES: tuple[tuple[str, Any], ...] = (
    ("cni.chainingMode", "generic-veth"),
    ("routingMode", "native"),
    ("autoDirectNodeRoutes", False),
    ("enableIPv4Masquerade", False),
    ("enableIPv6Masquerade", False),
    ("bpf.masquerade", False),
    ("enableIdentityMark", False),
)


@rule(
    "NA142",
    "error",
    "generic-veth chaining misconfigured",
    rationale="Chained behind Kube-OVN, Cilium must not route, masquerade or mark: routingMode"
    " native, autoDirectNodeRoutes, IPv4/IPv6/BPF masquerade and enableIdentityMark off, devices"
    " including ovn0 and genev_sys_6081; and the CNI chain runs the primary CNI first"
    " (kube-ovn -> portmap -> cilium-cni).",
    source="Cozystack values-kubeovn.yaml and cni.yaml; Cilium generic-veth docs",
    reference=DOC + " rule 29",
    hint="use Cozystack's values-kubeovn.yaml settings and the chain kube-ovn, portmap, cilium-cni",
    section=SECTION,
)
def chaining(model: Model) -> Iterator[Finding]:
    chain = model.section("pod_networking").get("cni_chain") or {}
    if chain.get("mode") != "generic-veth":
        return
    plugins: list[str] = chain.get("plugins", [])
    base: ModelPath = ("pod_networking", "cni_chain", "plugins")
    primary = model.section("cluster").get("cni")
    if primary and plugins and plugins[0] != primary:
        yield Finding(
            (*base, 0),
            f"the generic-veth chain starts with {plugins[0]}, but the primary CNI {primary} must run first",
            related=(("cluster", "cni"),),
        )
    engine = model.section("cluster").get("kube_proxy_replacement")
    if engine and plugins and not _is_part_of(model, plugins[-1], engine):
        yield Finding(
            (*base, len(plugins) - 1),
            f"the generic-veth chain ends with {plugins[-1]}, but the chained plugin ({engine}) must run last",
            related=(("cluster", "kube_proxy_replacement"),),
        )
    settings = _settings(model, CILIUM)
    for key, wanted in _CHAINED_VALUES:
        if key in settings and not _same(settings[key], wanted):
            yield Finding(
                (*CILIUM, key),
                f"Cilium {key} is {settings[key]!r} but generic-veth chaining on Kube-OVN needs {_show(wanted)}",
            )
    if "devices" in settings:
        devices = str(settings["devices"]).replace(",", " ").split()
        needed = ["ovn0"]
        if (model.section("cluster").get("overlay") or {}).get("type", "geneve") == "geneve":
            needed.append("genev_sys_6081")
        missing = [d for d in needed if d not in devices]
        if missing:
            yield Finding(
                (*CILIUM, "devices"),
                f"Cilium devices {settings['devices']!r} lack {', '.join(missing)}",
            )


def _is_part_of(model: Model, component_id: str, owner: str) -> bool:
    if component_id == owner:
        return True
    if not model.ids.has("component", component_id):
        return False
    return model.element("component", component_id).get("part_of") == owner


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool):
        return _true(value) if wanted else _false(value)
    return str(value) == wanted


def _show(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


@rule(
    "NA143",
    "error",
    "Two policy or Service load-balancing engines",
    rationale="When Cilium enforces policy and replaces kube-proxy, Kube-OVN's own engines must be"
    " off (ENABLE_NP: false, ENABLE_LB: false); otherwise both program the datapath and"
    " policies or Services are applied twice or inconsistently.",
    source="Cozystack packages/system/kubeovn values",
    reference=DOC + " rule 30",
    hint="set ENABLE_NP: false and ENABLE_LB: false in Kube-OVN",
    section=SECTION,
)
def single_engine(model: Model) -> Iterator[Finding]:
    engine = model.section("cluster").get("kube_proxy_replacement")
    primary = model.section("pod_networking").get("component")
    if not engine or not primary or engine == primary:
        return
    settings = _settings(model, KUBE_OVN)
    for key, job in (("ENABLE_NP", "network policy"), ("ENABLE_LB", "Service load balancing")):
        if _true(settings.get(key)):
            yield Finding(
                (*KUBE_OVN, key),
                f"{primary} {key} is on, but {engine} already does {job}",
                related=(("cluster", "kube_proxy_replacement"),),
            )


@rule(
    "NA144",
    "warning",
    "Cilium transparent encryption on a chained variant",
    rationale="Cilium's WireGuard/IPsec encryption is not supported in CNI chaining mode; in the"
    " kubeovn-cilium variants east-west encryption is Kube-OVN's Geneve IPsec"
    " (networking.encryption.enabled).",
    source="cilium/cilium#15596; Cozystack platform values",
    reference=DOC + " rule 31",
    hint="encrypt with Kube-OVN IPsec (overlay encryption: ipsec) instead",
    section=SECTION,
)
def chained_encryption(model: Model) -> Iterator[Finding]:
    chain = model.section("pod_networking").get("cni_chain") or {}
    if chain.get("mode") != "generic-veth":
        return
    settings = _settings(model, CILIUM)
    if _true(settings.get("encryption.enabled")):
        yield Finding(
            (*CILIUM, "encryption.enabled"),
            "Cilium encryption.enabled is on, but Cilium is chained (generic-veth), where its encryption is not supported",
            related=(("pod_networking", "cni_chain"),),
        )


# "all [two words] traffic ... policed" within one sentence. Matched in two steps, subject then
# verb, sentence by sentence: one regex with a lazy gap between them took quadratic time
# ("all traffic " x 8000: 49 s).
_ALL_TRAFFIC = re.compile(r"\ball\s+(?:\w+\s+){0,2}traffic\b", re.IGNORECASE)
_POLICED = re.compile(
    r"\b(?:polic\w*|filter\w*|enforc\w*|firewall\w*|go(?:es)?\s+through|pass(?:es)?\s+through)",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.;]+")


def _all_policed(text: str) -> str | None:
    """The first "all traffic ... is policed" phrase of ``text`` (at most 120 characters)."""
    for sentence in _SENTENCE.finditer(text):
        subject = _ALL_TRAFFIC.search(sentence.group(0))
        if subject is None:
            continue
        verb = _POLICED.search(sentence.group(0), subject.end())
        if verb is not None:
            phrase = sentence.group(0)[subject.start() : verb.end()]
            return phrase if len(phrase) <= 120 else phrase[:119] + "\u2026"
    return None


@rule(
    "NA145",
    "warning",
    '"All traffic is policed" while node IPv6 is unfiltered',
    rationale="Cozystack runs hostFirewall with ipv6.enabled: false and a patched Cilium that"
    " passes node IPv6 to the stack, so host policies are IPv4-only and node IPv6 is not"
    " filtered; a model that says all traffic is policed overstates it.",
    source="Cozystack cilium values.yaml and values-kilo.yaml; cozystack/cozystack#2871",
    reference=DOC + " rule 33",
    hint="say that node IPv6 is not filtered by Cilium host policies",
    section=SECTION,
)
def host_firewall_ipv6(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if not (_true(settings.get("hostFirewall.enabled")) and _false(settings.get("ipv6.enabled"))):
        return
    for item in model_texts(model):
        phrase = _all_policed(without_code(item.text))
        if phrase:
            yield Finding(
                item.path,
                f"'{phrase}' but hostFirewall with ipv6.enabled: false leaves node IPv6 unfiltered",
                related=((*CILIUM, "ipv6.enabled"),),
            )


@rule(
    "NA146",
    "error",
    "Hubble relay or UI without Hubble",
    rationale="Hubble Relay and Hubble UI read the flows of the Hubble server in each agent;"
    " with hubble.enabled: false there is nothing to relay or show.",
    source="Cozystack networking/hubble.md; Cilium Helm chart",
    reference=DOC + " rule 34",
    hint="set hubble.enabled: true together with relay/ui",
    section=SECTION,
)
def hubble_parts(model: Model) -> Iterator[Finding]:
    settings = _settings(model, CILIUM)
    if _false(settings.get("hubble.enabled")):
        for part in ("relay", "ui"):
            key = f"hubble.{part}.enabled"
            if _true(settings.get(key)):
                yield Finding(
                    (*CILIUM, key),
                    f"Cilium {key} is on but hubble.enabled is off",
                    related=((*CILIUM, "hubble.enabled"),),
                )
    for index, example in enumerate(model.items("examples")):
        for path, hubble in _hubble_blocks(example.get("content"), ("examples", index, "content")):
            if not _false(hubble.get("enabled")):
                continue
            for part in ("relay", "ui"):
                block = hubble.get(part)
                if isinstance(block, dict) and _true(block.get("enabled")):
                    yield Finding(
                        (*path, part, "enabled"),
                        f"example {example['id']} enables hubble.{part} with hubble.enabled: false",
                        related=((*path, "enabled"),),
                    )


def _hubble_blocks(data: Any, path: ModelPath) -> Iterator[tuple[ModelPath, dict[str, Any]]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "hubble" and isinstance(value, dict):
                yield (*path, key), value
            yield from _hubble_blocks(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _hubble_blocks(value, (*path, index))
