"""Product kits: what netarch knows about one product, active only when the model uses it.

The core knows what every cluster network has (addresses, nodes, components, policies,
flows); a kit knows one product: its rules, the views it adds, the pages and words it
brings, its own model section. Each kit is one folder, the same shape every time::

    kits/metallb/
      __init__.py     KIT = Kit(...): its name, the products that activate it, what it adds
      rules.py        its rules (``rule = partial(rule, kit="metallb")``)
      views.py        its diagrams and tables
      templates/      its page templates (``<page>.md.jinja`` over ``_base/<page>.md.jinja``)

A kit is active when a component of the model names one of its products
(``product: metallb``). Kits are found through the ``netarch.kits`` entry-point group, the
built-in ones exactly like a third party's: a package ships a kit by declaring
``[project.entry-points."netarch.kits"] mykit = "mypackage.kit:KIT"``.
"""

from __future__ import annotations

# The registry lives below the layers that read it; a kit (built-in or a third party's) imports
# ``Kit`` from here, as it always has.
from netarch.registry import (
    ENTRY_POINT_GROUP,
    Kit,
    KitLoadError,
    active_kits,
    installed_kits,
    kit_of_product,
    product_of,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Kit",
    "KitLoadError",
    "active_kits",
    "installed_kits",
    "kit_of_product",
    "product_of",
]
