"""The generated rules reference page lists every rule with its severity, rationale and source."""

from __future__ import annotations

import re

from netarch.checks import RULES, rules_for, rules_for_docs
from netarch.pages.render import PageRenderer


def render(**context: object) -> str:
    # The same Jinja environment (filters, StrictUndefined) the site's pages are rendered with.
    return PageRenderer().environment.get_template("rules.md.jinja").render(**context)


def test_every_rule_is_listed_with_its_details() -> None:
    page = render(rules=rules_for_docs())
    assert page.startswith("# Model checks\n\n")
    for rule in RULES:
        assert f"| {rule.code} | {rule.severity.value} | " in page
        assert f"### {rule.code}: " in page
    # The core's rules first, then each kit's, every group in code order.
    headings = re.findall(r"^### (NA\d{3}):", page, re.MULTILINE)
    assert headings == [r.code for r in rules_for(None)]
    kits = [r.kit for r in rules_for(None)]
    assert kits == sorted(kits, key=lambda kit: (kit != "core", kit)) and "metallb" in kits
    sections = re.findall(r"^## (.+)$", page, re.MULTILINE)
    assert sections == list(dict.fromkeys(r.section for r in rules_for(None)))
    # A rationale, fix and source under one rule, with model text made safe for Markdown.
    na150 = page[page.index("### NA150:") : page.index("### NA151:")]
    assert "*Error.* Encapsulated pod packets" in na150
    assert "**Fix:** lower pod_mtu" in na150
    assert "**Source:** RFC 7348 (VXLAN)" in na150


def test_rule_objects_and_page_title_work_too() -> None:
    page = render(rules=list(RULES), page={"title": "Network model checks"})
    assert page.startswith("# Network model checks\n")
    assert page.count("\n### NA") == len(RULES)
    assert "| NA101 | error | Pod, service and join CIDRs overlap |" in page
    assert "*Warning.* A silence is a reviewed exception" in page


def test_urls_in_sources_become_links() -> None:
    rules = [
        {
            "code": "NA999",
            "severity": "warning",
            "title": "Example <b>rule</b>",
            "rationale": "Because.",
            "source": "https://example.org/spec",
            "hint": "Fix it.",
        }
    ]
    page = render(rules=rules)
    assert "**Source:** [source](https://example.org/spec)" in page
    assert "Example &lt;b&gt;rule&lt;/b&gt;" in page
    # Without sections there is no section heading.
    assert "\n## " not in page
