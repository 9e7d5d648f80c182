"""Pages: the model and its views poured into Jinja2 templates, as Markdown.

Templates live in the top-level ``templates/`` folder of the checkout (shipped inside the
wheel as ``netarch/templates``). A site's ``custom_templates`` folder is searched first, so
it can replace one page template, or extend ``_base/<page>.md.jinja`` and override one block.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from netarch.checks import rules_for_docs
from netarch.model.network import Model
from netarch.safety import SafeMarkdown, is_safe_url, literal, safe_links
from netarch.views import View
from netarch.views.text import safe_markdown, source_link


@dataclass(frozen=True)
class PageSpec:
    """One generated page: where it goes and which template writes it."""

    name: str
    title: str
    # Model section the page is about; the page is left out when the model has no such section.
    requires: str | None = None
    # False: the template gets only `page`, `pages` and `rules`, never the model, so its
    # output is kept until a template file changes (a live-preview edit of the model does
    # not render it again).
    uses_model: bool = True

    @property
    def template(self) -> str:
        return f"{self.name}.md.jinja"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview"),
    PageSpec("cluster", "Cluster network configuration", "cluster"),
    PageSpec("ingress", "External traffic ingress with MetalLB", "metallb"),
    PageSpec(
        "service-load-balancing", "Cilium as kube-proxy replacement", "service_load_balancing"
    ),
    PageSpec("tenant-isolation", "Tenant isolation with Kube-OVN and Cilium", "tenants"),
    PageSpec("observability", "Observability with Hubble", "observability"),
    PageSpec("traffic-flows", "Traffic flow summary", "flows"),
    PageSpec("rules", "Model checks", uses_model=False),
)


@dataclass(frozen=True)
class RenderedPage:
    src_uri: str
    title: str
    markdown: str
    # Ids of the views embedded in the page, in order.
    views: tuple[str, ...]

    def link_from(self, other: RenderedPage) -> str:
        """A relative Markdown link from ``other`` to this page."""
        return posixpath.relpath(self.src_uri, posixpath.dirname(other.src_uri) or ".")


def builtin_templates_dir() -> Path:
    """The templates shipped in the wheel, else the checkout's top-level ``templates/``."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


class PageRenderer:
    """Renders the generated pages; one Jinja environment, reused across serve rebuilds."""

    def __init__(self, custom_templates: Path | None = None) -> None:
        search = [builtin_templates_dir()]
        if custom_templates is not None:
            search.insert(0, custom_templates)
        self.template_dirs: tuple[Path, ...] = tuple(search)
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in search]),
            undefined=jinja2.StrictUndefined,
            # Escaping by construction: whatever a template prints goes through `_finalize`,
            # which lets only netarch's own Markdown through as it is. Autoescape carries
            # that mark through macros, blocks and `super()`.
            autoescape=True,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.environment.filters["md"] = lambda text: Markup(safe_markdown(str(text)))
        self.environment.filters["source"] = lambda text: Markup(source_link(str(text)))
        self.environment.filters["yaml"] = _yaml_block
        self.environment.filters["url"] = _url
        self.environment.filters["yaml_fence"] = _yaml_fence
        # Pages that do not use the model, by template: (inputs, Markdown).
        self._model_free: dict[str, tuple[tuple[Any, ...], str]] = {}

    def render(
        self, model: Model, views: dict[str, View], section_dir: str, model_file: str
    ) -> list[RenderedPage]:
        specs = [spec for spec in PAGES if spec.requires is None or spec.requires in model.data]
        placeholders = [
            RenderedPage(_src_uri(section_dir, spec), spec.title, "", ()) for spec in specs
        ]
        rules = rules_for_docs()
        pages: list[RenderedPage] = []
        for spec, placeholder in zip(specs, placeholders, strict=False):
            if not spec.uses_model:
                context = {"page": placeholder, "pages": placeholders, "rules": rules}
                pages.append(self._render_model_free(spec, placeholder, context))
                continue
            used: list[str] = []

            def view(view_id: str, _used: list[str] = used) -> str:
                if view_id not in views:
                    raise KeyError(f"the model has no view {view_id!r}")
                _used.append(view_id)
                return Markup(views[view_id].to_markdown())  # built by netarch's views

            context = {
                "model": model.data,
                "views": views,
                "page": placeholder,
                "pages": placeholders,
                "model_file": model_file,
                "view": view,
                "component": lambda component_id: model.element("component", component_id),
                "flows": lambda **match: _flows(model, **match),
                "rules": rules,
            }
            template = self.environment.get_template(spec.template)
            markdown = safe_links(_tidy(template.render(context)))
            pages.append(RenderedPage(placeholder.src_uri, spec.title, markdown, tuple(used)))
        return pages

    def _render_model_free(
        self, spec: PageSpec, placeholder: RenderedPage, context: dict[str, Any]
    ) -> RenderedPage:
        # Its inputs: the templates on disk (any file, as one may include or extend another),
        # the page list and the rules -- all compared by value.
        key = (template_files(self.template_dirs), repr(context))
        cached = self._model_free.get(spec.template)
        if cached is None or cached[0] != key:
            template = self.environment.get_template(spec.template)
            markdown = safe_links(_tidy(template.render(context)))
            cached = self._model_free[spec.template] = (key, markdown)
        return RenderedPage(placeholder.src_uri, spec.title, cached[1], ())


def template_files(folders: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """Every file under the template ``folders``, with its modification time and size."""
    found = []
    for folder in folders:
        for directory, _, names in os.walk(folder, followlinks=True):  # as Path.rglob does
            for name in names:
                path = os.path.join(directory, name)
                with contextlib.suppress(OSError):  # removed meanwhile: not part of it
                    stat = os.stat(path)
                    found.append((path, stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


def _src_uri(section_dir: str, spec: PageSpec) -> str:
    name = "index" if spec.name == "overview" else spec.name
    return posixpath.join(section_dir, f"{name}.md") if section_dir else f"{name}.md"


def _flows(model: Model, **match: Any) -> list[dict[str, Any]]:
    return [f for f in model.items("flows") if all(f.get(k) == v for k, v in match.items())]


# libyaml's emitter when PyYAML has it: the config examples are dumped on every rebuild.
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml_block(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_SAFE_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def _yaml_fence(data: Any) -> Markup:
    """``data`` as a fenced YAML code block whose fence no line of the YAML can close."""
    text = _yaml_block(data)
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}yaml\n{text}{fence}")


_BACKTICK_RUNS = re.compile(r"`+")


def _url(target: Any) -> Markup:
    """A link target: the address when it is http(s), mailto or relative, else ``#``."""
    text = str(target)
    if is_safe_url(text) and not any(c.isspace() or c in "()<>" for c in text):
        return Markup(text)
    return Markup("#")


def _finalize(value: Any) -> Any:
    """What a template prints: netarch's own Markdown as it is, anything else escaped."""
    if isinstance(value, SafeMarkdown):
        return Markup(value)
    if hasattr(value, "__html__"):  # Markup from a filter, a macro, a block or super()
        return value
    return Markup(literal(value))


def _tidy(markdown: str) -> str:
    """Collapse the blank lines that template conditionals leave behind."""
    lines: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
        elif in_fence:
            lines.append(line)
            continue
        is_heading = line.startswith("#")
        after_heading = bool(lines) and lines[-1].startswith("#")
        if (is_heading or after_heading) and lines and lines[-1].strip() and line.strip():
            lines.append("")  # headings stand apart, as in hand-written Markdown
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
