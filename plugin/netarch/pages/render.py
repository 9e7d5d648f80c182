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
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from netarch.checks import rules_for_docs
from netarch.diagnostics import Diagnostic, Location, Severity
from netarch.model.network import Model
from netarch.pages.plan import (
    FIRST,
    LAST,
    PageSpec,
    PlannedPage,
    component_title,
    plan_pages,
    titled,
)
from netarch.registry import active_kits, installed_kits
from netarch.safety import SafeMarkdown, is_safe_url, literal, safe_links
from netarch.views import View
from netarch.views.isolation import policy_engine, tenants_isolated
from netarch.views.network import load_balancer_addresses, neighbour_protocol
from netarch.views.text import safe_markdown, source_link


def _service_load_balancing_title(model: Model) -> str:
    section = model.section("service_load_balancing")
    name = component_title(model, section.get("component"))
    if name and section.get("replaces"):
        return f"{name} as {section['replaces']} replacement"
    return f"Service load balancing with {name}" if name else "Service load balancing"


# The core's pages; the active kits add theirs (netarch.kits.Kit.pages).
CORE_PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", order=FIRST),
    PageSpec("cluster", "Cluster network configuration", "cluster", order=100),
    PageSpec("components", "Components", "components", order=150),
    PageSpec(
        "load-balancing",
        titled("External load balancing", ("load_balancing", "announced_by")),
        "load_balancing",
        order=220,
    ),
    PageSpec("routing", titled("BGP routing", ("routing", "speaker")), "routing", order=250),
    PageSpec(
        "service-load-balancing",
        _service_load_balancing_title,
        "service_load_balancing",
        order=300,
    ),
    PageSpec(
        "tenant-isolation",
        titled("Tenant isolation", ("pod_networking", "component"), ("policies", "enforced_by")),
        ("tenants", "policies"),
        order=400,
    ),
    PageSpec(
        "observability",
        titled("Observability", ("observability", "component")),
        "observability",
        order=500,
    ),
    PageSpec("traffic-flows", "Traffic flow summary", "flows", order=800),
    PageSpec("rules", "Model checks", uses_model=False, order=LAST),
)
# Rendered after the others: it shows the flows that no other page placed.
FLOWS_PAGE = "traffic-flows"
# Pages whose content is only the views they show: left out when they show none.
_NOTHING_BUT_VIEWS = frozenset({FLOWS_PAGE})


def page_specs(model: Model) -> list[PageSpec]:
    """The pages the default plan can hold for ``model``: the core's and its kits'."""
    return [*CORE_PAGES, *(spec for kit in active_kits(model) for spec in kit.pages)]


@dataclass(frozen=True)
class RenderedPage:
    src_uri: str
    title: str
    markdown: str
    # Ids of the views embedded in the page, in order.
    views: tuple[str, ...]
    # The page id in the plan, and what the model's ``pages:`` entry adds to it.
    name: str = ""
    intro: str = ""
    listed_views: tuple[str, ...] = ()
    # Ids of the configuration examples the page shows.
    examples: tuple[str, ...] = ()

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
        search += [kit.templates for kit in installed_kits() if kit.templates is not None]
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
        self,
        model: Model,
        views: dict[str, View],
        section_dir: str,
        model_file: str,
        language: str | None = None,
    ) -> list[RenderedPage]:
        """The planned pages of ``model``, in plan order. Each page records the views and
        examples it shows, so that what lands on no page can be reported (NA170).
        ``language``: the site build's, for the titles the model gives in it."""
        plan = plan_pages(model, page_specs(model), language)
        pages = self._render_plan(model, views, plan, section_dir, model_file)
        # A page that is nothing but the views it shows, showing none, is left out of the plan
        # (and so of the other pages' links to it): e.g. the flows page when every flow is
        # shown on another page.
        empty = {
            page.name
            for page in pages
            if page.name in _NOTHING_BUT_VIEWS
            and not (page.views or page.examples or page.intro or page.listed_views)
        }
        if not empty:
            return pages
        plan = [planned for planned in plan if planned.name not in empty]
        return self._render_plan(model, views, plan, section_dir, model_file)

    def _render_plan(
        self,
        model: Model,
        views: dict[str, View],
        plan: list[PlannedPage],
        section_dir: str,
        model_file: str,
    ) -> list[RenderedPage]:
        placeholders = [
            RenderedPage(
                _src_uri(section_dir, planned.name),
                planned.title,
                "",
                (),
                name=planned.name,
                intro=planned.intro,
                listed_views=planned.views,
            )
            for planned in plan
        ]
        rules = rules_for_docs(model)
        rendered: dict[str, RenderedPage] = {}
        shown_elsewhere: set[str] = set()
        # The flows page goes last: it shows every flow that no other page placed.
        for planned, placeholder in sorted(
            zip(plan, placeholders, strict=True), key=lambda pair: pair[0].name == FLOWS_PAGE
        ):
            if not planned.uses_model:
                context = {"page": placeholder, "pages": placeholders, "rules": rules}
                rendered[planned.name] = self._render_model_free(planned, placeholder, context)
                continue
            page = self._render_page(
                model, views, planned, placeholder, placeholders, model_file, shown_elsewhere
            )
            shown_elsewhere.update(page.views)
            rendered[planned.name] = page
        return [rendered[planned.name] for planned in plan]

    def _render_page(
        self,
        model: Model,
        views: dict[str, View],
        planned: PlannedPage,
        placeholder: RenderedPage,
        placeholders: list[RenderedPage],
        model_file: str,
        shown_elsewhere: set[str],
    ) -> RenderedPage:
        used: list[str] = []
        examples_shown: list[str] = []

        def view(view_id: str) -> str:
            if view_id not in views:
                raise MissingViewError(view_id)
            used.append(view_id)
            return Markup(views[view_id].to_markdown())  # built by netarch's views

        def examples(page_name: str | None = None) -> list[dict[str, Any]]:
            wanted = page_name or planned.name
            found = [e for e in model.items("examples") if e.get("section") == wanted]
            examples_shown.extend(e["id"] for e in found)
            return found

        def placed_flows() -> list[dict[str, Any]]:
            """Flows this page shows at its end: those placed on it with ``page:``, and on
            the flows page every flow that no page has shown yet."""
            return [
                flow
                for flow in model.items("flows")
                if f"flow-{flow['id']}" not in used
                and (
                    flow.get("page") == planned.name
                    or (
                        planned.name == FLOWS_PAGE
                        and not flow.get("page")
                        and f"flow-{flow['id']}" not in shown_elsewhere
                    )
                )
            ]

        context = {
            "model": model.data,
            "views": views,
            "page": placeholder,
            "pages": placeholders,
            "model_file": model_file,
            "view": view,
            "shown": lambda view_id: view_id in used,
            "component": lambda component_id: model.element("component", component_id),
            "flows": lambda **match: _flows(model, **match),
            "placed_flows": placed_flows,
            "examples": examples,
            "kits": {kit.name: kit.title for kit in active_kits(model)},
            # How a node answers for an L2 address: ARP, NDP or both, by address family.
            "neighbour_protocol": neighbour_protocol,
            "load_balancer_addresses": lambda: load_balancer_addresses(model),
            # Whether the policies drop all traffic between tenants (the reachability they give).
            "tenants_isolated": lambda: tenants_isolated(model),
            # The component that enforces the policies (the one they name, else the one
            # component that provides network policy), or None.
            "policy_engine": lambda: policy_engine(model),
        }
        markdown = safe_links(_tidy(self._render_template(planned.template, context)))
        return RenderedPage(
            placeholder.src_uri,
            planned.title,
            markdown,
            tuple(used),
            name=planned.name,
            examples=tuple(examples_shown),
        )

    def _render_model_free(
        self, planned: PlannedPage, placeholder: RenderedPage, context: dict[str, Any]
    ) -> RenderedPage:
        # Its inputs: the templates on disk (any file, as one may include or extend another),
        # the page list and the rules -- all compared by value.
        key = (template_files(self.template_dirs), repr(context))
        cached = self._model_free.get(planned.template)
        if cached is None or cached[0] != key:
            markdown = safe_links(_tidy(self._render_template(planned.template, context)))
            cached = self._model_free[planned.template] = (key, markdown)
        return RenderedPage(placeholder.src_uri, planned.title, cached[1], (), name=planned.name)

    def _render_template(self, name: str, context: dict[str, Any]) -> str:
        """One page template rendered; a mistake in it (a view the model does not have, an
        undefined name, a syntax error) becomes a TemplateProblem located in the template."""
        try:
            return self.environment.get_template(name).render(context)
        except (MissingViewError, jinja2.TemplateError) as error:
            raise TemplateProblem(template_diagnostic(error, name)) from error


class MissingViewError(LookupError):
    """A template asked for a view the model has no data for."""

    def __init__(self, view_id: str) -> None:
        super().__init__(view_id)
        self.view_id = view_id

    def __str__(self) -> str:
        return f"the template asks for the view {self.view_id!r}, which this model does not have"


class TemplateProblem(Exception):
    """A page template could not be rendered: its diagnostic, located in the template."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.headline())
        self.diagnostic = diagnostic


def template_location(error: BaseException, fallback: str) -> Location:
    """Where in a template ``error`` was raised: Jinja rewrites tracebacks so that template
    frames carry the template file and line; a syntax error carries them itself."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return Location(error.filename, error.lineno)
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith(".jinja"):
            return Location(frame.filename, frame.lineno or 0)
    return Location(fallback)


def template_diagnostic(error: BaseException, template: str) -> Diagnostic:
    location = template_location(error, template)
    if isinstance(error, MissingViewError):
        hint = (
            f'ask for it only where the model has it: {{% if "{error.view_id}" in views %}}'
            " ... {% endif %}"
        )
        return Diagnostic(location, Severity.ERROR, "TEMPLATE", str(error), hint=hint)
    message = f"the page template fails: {type(error).__name__}: {error}"
    return Diagnostic(location, Severity.ERROR, "TEMPLATE", message, hint="fix the template")


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


def _src_uri(section_dir: str, page_name: str) -> str:
    name = "index" if page_name == "overview" else page_name
    return posixpath.join(section_dir, f"{name}.md") if section_dir else f"{name}.md"


def _flows(model: Model, **match: Any) -> list[dict[str, Any]]:
    return [f for f in model.items("flows") if all(f.get(k) == v for k, v in match.items())]


# libyaml's emitter when PyYAML has it: the config examples are dumped on every rebuild.
_BASE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _SafeDumper(_BASE_DUMPER):  # type: ignore[misc,valid-type]
    """Multi-line strings as block scalars (``|``), as a person writes a script or a
    certificate in YAML, not as one quoted line full of ``\n``."""


def _represent_str(dumper: Any, text: str) -> Any:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_SafeDumper.add_representer(str, _represent_str)
_SAFE_DUMPER = _SafeDumper


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
