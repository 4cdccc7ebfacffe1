"""Every write to tickets (STYLE: services are keyword-only, typed, atomic, audited).

A package by sub-topic: ``submit`` (new tickets, photos), ``flow`` (every transition after that),
``routing`` (rules and automatic dispatch), ``deadlines`` (the periodic tick), ``followups``
(回访), ``core`` (the one transition function every other module goes through).
"""

from .core import allowed_actions, hats, supervising_area_code
from .deadlines import tickets_tick
from .flow import (
    resolve_party,
    ticket_accept,
    ticket_answer_extension,
    ticket_cancel,
    ticket_close,
    ticket_comment,
    ticket_decline,
    ticket_dispatch,
    ticket_escalate,
    ticket_rate,
    ticket_reassign,
    ticket_reopen,
    ticket_request_extension,
    ticket_resolve,
    ticket_return,
    ticket_start,
)
from .followups import follow_up_record
from .routing import routing_rule_create, routing_rule_set_active, rule_for, ticket_route
from .stats import party_stats_rebuild
from .submit import check_location, ticket_attach, ticket_submit

__all__ = [
    "allowed_actions",
    "check_location",
    "follow_up_record",
    "hats",
    "party_stats_rebuild",
    "resolve_party",
    "routing_rule_create",
    "routing_rule_set_active",
    "rule_for",
    "supervising_area_code",
    "ticket_accept",
    "ticket_answer_extension",
    "ticket_attach",
    "ticket_cancel",
    "ticket_close",
    "ticket_comment",
    "ticket_decline",
    "ticket_dispatch",
    "ticket_escalate",
    "ticket_reassign",
    "ticket_rate",
    "ticket_reopen",
    "ticket_request_extension",
    "ticket_resolve",
    "ticket_return",
    "ticket_route",
    "ticket_start",
    "ticket_submit",
    "tickets_tick",
]
