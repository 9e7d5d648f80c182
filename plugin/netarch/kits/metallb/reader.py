"""MetalLB's real configuration as network facts: IPAddressPools (metallb.io/v1beta1), how
L2Advertisements and BGPAdvertisements announce them, and BGPPeers (v1beta2) as BGP sessions.
Fields as MetalLB's CRDs define them (charts/metallb/charts/crds)."""

from __future__ import annotations

from collections.abc import Iterator

from netarch.cluster.objects import ConfigObject, Configuration, Wanted
from netarch.drift.readers import ConfigReader, Found, origin_of, setting
from netarch.facts import BgpSession, HostAddress, LoadBalancerPool
from netarch.facts.addresses import address_set, parse_ip
from netarch.facts.settings import Advertisement

KIT = "metallb"
PRODUCT = "metallb"
_GROUP = frozenset({"metallb.io"})


def _selects(advertisement: ConfigObject, pool: str) -> bool:
    """An advertisement announces the pools it names, or every pool when it names none
    (selectors by label are not read: the pools' labels are not kept)."""
    names = advertisement.get("spec", "ipAddressPools") or []
    selectors = advertisement.get("spec", "ipAddressPoolSelectors") or []
    return (not names and not selectors) or pool in names


def read(config: Configuration) -> Iterator[Found]:
    adverts = [
        (mode, item)
        for mode, kind in (("l2", "L2Advertisement"), ("bgp", "BGPAdvertisement"))
        for item in config.of_kind(kind)
    ]
    for mode, item in adverts:
        yield Advertisement(
            PRODUCT,
            mode,
            item.name,
            tuple(str(p) for p in item.get("spec", "ipAddressPools") or []),
            origin_of(item, KIT),
        )
    for item in config.of_kind("IPAddressPool"):
        entries = []
        for index, text in enumerate(item.get("spec", "addresses") or []):
            entry = address_set(str(text), ("spec", "addresses", index))
            if entry is not None:
                entries.append(entry)
        modes = tuple(
            dict.fromkeys(mode for mode, advert in adverts if _selects(advert, item.name))
        )
        yield LoadBalancerPool(
            item.name,
            tuple(entries),
            origin_of(item, KIT, "spec", "addresses"),
            "MetalLB pool",
            modes,  # type: ignore[arg-type]
            PRODUCT,
        )
        for key, field in (("auto_assign", "autoAssign"), ("avoid_buggy_ips", "avoidBuggyIPs")):
            value = item.get("spec", field)
            if isinstance(value, bool):
                yield setting(item, PRODUCT, f"pool {item.name} {key}", value, "spec", field)
    for item in config.of_kind("BGPPeer"):
        peer_address = item.get("spec", "peerAddress")
        found = parse_ip(peer_address) if isinstance(peer_address, str) else None
        if found is not None:
            yield HostAddress(
                "bgp-peer",
                found,
                origin_of(item, KIT, "spec", "peerAddress"),
                item.name,
                f"BGP peer {item.name} ({found})",
            )
        my_asn, peer_asn = item.get("spec", "myASN"), item.get("spec", "peerASN")
        yield BgpSession(
            peer_id=item.name,
            path=("spec",),
            address=peer_address,
            asns=tuple(
                (f"BGPPeer {item.name} {key}", ("spec", key), value)
                for key, value in (("myASN", my_asn), ("peerASN", peer_asn))
                if isinstance(value, int)
            ),
            ibgp=my_asn == peer_asn,
            multihop_key="ebgpMultiHop" if item.get("spec", "ebgpMultiHop") else None,
            hold_time=item.get("spec", "holdTime"),
            keepalive_time=item.get("spec", "keepaliveTime"),
            kind="lb-announcer",
            provider=KIT,
            speaker=PRODUCT,
            local_asn=my_asn if isinstance(my_asn, int) else None,
            peer_asn=peer_asn if isinstance(peer_asn, int) else None,
        )


READER = ConfigReader(
    KIT,
    tuple(
        Wanted(kind, api_groups=_GROUP)
        for kind in ("IPAddressPool", "L2Advertisement", "BGPAdvertisement", "BGPPeer")
    ),
    read,
)
