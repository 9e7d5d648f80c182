"""The Amazon VPC CNI kit's views: where each availability zone's pods take their addresses."""

from __future__ import annotations

from netarch.kits.aws_vpc_cni.rules import SETTINGS, custom_networking
from netarch.model.network import Model, ModelPath
from netarch.views.base import TableView, View
from netarch.views.text import safe_markdown

# With this label definition a node picks the ENIConfig named after its zone.
ZONE_LABEL = "topology.kubernetes.io/zone"


def eniconfigs(model: Model) -> list[View]:
    """One row per zone under custom networking: its ENIConfig, pod subnet(s) and nodes."""
    if not custom_networking(model) or not model.items("zones"):
        return []
    settings = model.section("pod_networking").get("settings") or {}
    by_zone_name = settings.get("ENI_CONFIG_LABEL_DEF") == ZONE_LABEL
    rows = []
    for zone in model.items("zones"):
        pods = [s for s in zone.get("subnets", []) if s.get("role") == "pods"]
        nodes = [n["name"] for n in model.items("nodes") if n.get("zone") == zone["id"]]
        rows.append(
            (
                safe_markdown(zone["name"]),
                f"`{zone['name']}`" if by_zone_name else "per node (label or annotation)",
                ", ".join(f"`{s['id']}` `{s['cidr']}`" for s in pods) or "none",
                safe_markdown(", ".join(nodes)),
            )
        )
    origin: ModelPath = (*SETTINGS, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG")
    return [
        TableView(
            "eniconfigs",
            "ENIConfig per availability zone",
            ("Zone", "ENIConfig", "Pods subnet", "Nodes"),
            tuple(rows),
            model.location(origin),
            origin_path=origin,
        )
    ]


VIEWS = (eniconfigs,)
