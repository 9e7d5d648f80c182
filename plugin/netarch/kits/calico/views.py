"""The Calico kit's table: its IP pools, where pod addresses come from."""

from __future__ import annotations

from netarch.model.network import Model
from netarch.safety import code_span
from netarch.views.base import TableView, View


def ip_pools(model: Model) -> list[View]:
    pools = model.section("calico").get("ip_pools", [])
    if not pools:
        return []
    rows = tuple(
        (
            code_span(pool["id"]),
            code_span(pool["cidr"]),
            f"/{pool['block_size']}" if "block_size" in pool else "default",
            pool.get("encapsulation", ""),
            {True: "yes", False: "no"}.get(pool.get("nat_outgoing"), ""),
        )
        for pool in pools
    )
    return [
        TableView(
            "ip-pools",
            "IP pools",
            ("Pool", "CIDR", "Block size", "Encapsulation", "NAT outgoing"),
            rows,
            model.location(("calico", "ip_pools")),
            origin_path=("calico", "ip_pools"),
        )
    ]


VIEWS = (ip_pools,)
