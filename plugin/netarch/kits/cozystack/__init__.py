"""Cozystack: its tenant tree (tenant-root, tenant-<name>) and the policies it creates."""

from pathlib import Path

from netarch.kits import Kit
from netarch.kits.cozystack import rules  # noqa: F401  (registers the kit's rules)

KIT = Kit(
    name="cozystack",
    title="Cozystack",
    products=("cozystack",),
    folder=Path(__file__).parent,
)
