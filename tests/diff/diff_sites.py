"""A small model and a site configuration that the diff tests share."""

from __future__ import annotations

# One node, one CNI: the smallest model whose pages and diagrams a change shows.
EDGE_MODEL = """\
netarch: 1
cluster:
  name: edge
  pod_cidr: 10.42.0.0/16
  service_cidr: 10.43.0.0/16
components:
  - id: flannel
    name: Flannel
    kind: platform
    product: flannel
    version: 0.25.1
nodes:
  - {id: edge1, name: edge-1, address: 192.168.8.11}
"""

# mkdocs.yml of a site whose model is docs/network.yaml, with the ```mermaid fence netarch's
# diagrams need (so neither a build nor `netarch check` warns about the site's setup). More
# netarch options can be appended, indented as `model:` is.
SITE_CONFIG = """\
site_name: test
docs_dir: docs
markdown_extensions:
  - admonition
  - tables
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
plugins:
  - netarch:
      model: docs/network.yaml
"""
