"""MetalLB: Service addresses from pools, announced by ARP/NDP (L2) or BGP."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.metallb import facts, reader, rules  # noqa: F401  (rules registers the kit's rules)
from netarch.kits.metallb.views import VIEWS
from netarch.pages.plan import PageSpec, titled

KIT = Kit(
    name="metallb",
    title="MetalLB",
    products=("metallb",),
    views=VIEWS,
    pages=(
        PageSpec(
            "ingress",
            titled("External traffic ingress", ("metallb", "component")),
            requires="metallb",
            order=200,
        ),
    ),
    sections=("metallb",),
    facts=facts.facts,
    config_reader=reader.READER,
    folder=Path(__file__).parent,
)
