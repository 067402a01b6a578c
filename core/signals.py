"""Domain events told inside the writing transaction, so that a domain above can react to them.

A service that does something others may want to hear of (a proposal made, an intro card answered, a
consent given or withdrawn) calls :func:`emit`; the notices (``notifications/``) sit above every service
that emits and subscribe at start-up (the roots call ``notifications.events.install``). A listener runs
in the emitter's transaction: what it writes commits or rolls back with the event itself, so no notice
is made for a change that did not happen, and none is lost for one that did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from core.db import Conn

EventKind = Literal["proposal_made", "proposal_answered", "consent_given", "consent_withdrawn"]


@dataclass(frozen=True)
class Event:
    """What happened, in whose area, by whom, and the ids a listener needs to look the rest up."""

    kind: EventKind
    area_id: int
    actor_id: int | None
    ids: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Conn, Event], None]
_listeners: Final[list[Listener]] = []


def subscribe(listener: Listener) -> None:
    """Hear every event from now on (subscribing the same listener twice hears it once)."""
    if listener not in _listeners:
        _listeners.append(listener)


def emit(conn: Conn, event: Event) -> None:
    """Tell every listener, in this transaction; a listener's failure fails the emitting change."""
    for listener in tuple(_listeners):
        listener(conn, event)
