"""Gateway API, whoever implements it: listeners that a Gateway can tell apart, and routes that
a listener accepts (Gateway API specification, gateway.networking.k8s.io/v1)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from netarch.checks.framework import Finding, rule
from netarch.facts import GatewayListener, GatewayRoute, facts_of
from netarch.model.network import Model

SECTION = "Gateway API"
SOURCE = "Gateway API specification (Gateway listeners, parentRefs sectionName, route hostnames)"
# The protocols of the listeners each route kind may attach to (Gateway API core support).
ROUTE_PROTOCOLS = {
    "HTTPRoute": ("HTTP", "HTTPS"),
    "GRPCRoute": ("HTTP", "HTTPS"),
    "TLSRoute": ("TLS",),
    "TCPRoute": ("TCP",),
    "UDPRoute": ("UDP",),
}


@rule(
    "NA184",
    "error",
    "Gateway listeners that cannot be told apart",
    rationale="Each listener of a Gateway must have its own name and its own combination of"
    " port, protocol and hostname: two listeners that share them conflict, and the"
    " implementation marks them Conflicted and serves neither as written.",
    source=SOURCE,
    hint="give each listener its own name, and its own port, protocol or hostname",
    section=SECTION,
)
def listener_conflicts(model: Model) -> Iterator[Finding]:
    listeners = facts_of(model).listeners
    for first, second in itertools.combinations(listeners, 2):
        if first.gateway != second.gateway:
            continue
        if first.name == second.name:
            yield Finding(
                second.origin.at("name"),
                f"Gateway {second.gateway} has two listeners named {second.name}",
                related=(first.origin.at("name"),),
            )
        elif (first.port, first.protocol, first.hostname) == (
            second.port,
            second.protocol,
            second.hostname,
        ):
            yield Finding(
                second.origin.at(),
                f"Gateway {second.gateway} listeners {first.name} and {second.name} both take"
                f" {second.protocol} on port {second.port}"
                + (f" for {second.hostname}" if second.hostname else " for every host name"),
                related=(first.origin.at(),),
            )


def _matches(route_host: str, listener_host: str) -> bool:
    """Whether two host names (either may be a ``*.`` wildcard) can name the same host."""
    if not listener_host:
        return True
    for wild, plain in ((listener_host, route_host), (route_host, listener_host)):
        if wild.startswith("*."):
            suffix = wild[1:]
            if plain.endswith(suffix) and len(plain) > len(suffix):
                return True
            if plain.startswith("*.") and plain.endswith(suffix):
                return True
    return route_host == listener_host


def _listeners_of(model: Model, route: GatewayRoute) -> list[GatewayListener]:
    return [
        listener
        for listener in facts_of(model).listeners
        if listener.gateway == route.gateway and route.listener in ("", listener.name)
    ]


@rule(
    "NA185",
    "error",
    "Route that no listener of its Gateway accepts",
    rationale="A route attaches to a Gateway's listeners: to the one its parentRef's sectionName"
    " names, or to every listener that allows its kind. HTTPRoutes and GRPCRoutes attach to HTTP"
    " and HTTPS listeners, TLSRoutes to TLS, TCPRoutes to TCP, UDPRoutes to UDP; and where both"
    " the listener and the route name host names, they must share one. A route no listener"
    " accepts is not attached, and its traffic has nowhere to go.",
    source=SOURCE,
    hint="attach the route to a listener of its protocol, with a host name the listener matches",
    section=SECTION,
)
def unattached_routes(model: Model) -> Iterator[Finding]:
    for route in facts_of(model).routes:
        candidates = _listeners_of(model, route)
        if route.listener and not candidates:
            yield Finding(
                route.origin.at("listener"),
                f"{route.kind} {route.id} attaches to listener {route.listener}, which Gateway"
                f" {route.gateway} does not have",
            )
            continue
        allowed = ROUTE_PROTOCOLS.get(route.kind, ())
        of_kind = [listener for listener in candidates if listener.protocol in allowed]
        if candidates and not of_kind:
            yield Finding(
                route.origin.at("kind"),
                f"{route.kind} {route.id} needs a {' or '.join(allowed)} listener, but"
                f" {', '.join(f'{c.name} is {c.protocol}' for c in candidates)}",
                related=tuple(c.origin.at("protocol") for c in candidates),
            )
            continue
        if (
            route.hostnames
            and of_kind
            and not any(
                _matches(host, listener.hostname)
                for host in route.hostnames
                for listener in of_kind
            )
        ):
            yield Finding(
                route.origin.at("hostnames"),
                f"{route.kind} {route.id} is for {', '.join(route.hostnames)}, which no listener"
                f" of Gateway {route.gateway} it may attach to matches"
                f" ({', '.join(c.hostname or '*' for c in of_kind)})",
                related=tuple(c.origin.at() for c in of_kind),
            )
