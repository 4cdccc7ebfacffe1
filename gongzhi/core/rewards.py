"""The reward hook: how a domain event (a resolved sentinel report, an adopted suggestion, a
well-rated service order, certified volunteer hours) asks for points without knowing the ledger.

The points app registers the one handler in its AppConfig.ready(); callers use ``reward(...)``.
Until a handler is registered, a reward request is refused loudly rather than silently lost.
An explicit call, not a Django signal (STYLE habit 5): the caller sees the result and the error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RewardRequest:
    rule: str  # earning-rule code, e.g. "sentinel.resolved", "suggestion.adopted", "volunteer.hour"
    beneficiary_user_id: int  # whose account is credited
    source_type: str  # e.g. "tickets.ticket"
    source_id: str  # the source object's primary key: the same source never pays twice per rule
    area_code: str  # where it happened (which issuing budget pays)
    quantity: int = 1  # e.g. hours for "volunteer.hour"
    actor_id: int | None = None  # who triggered it (for the audit log)
    note: str = ""


@dataclass(frozen=True)
class RewardResult:
    paid: bool
    points: int
    reason: str = ""  # "", "duplicate", "cap_reached", "no_rule", "budget_exhausted", ...
    transfer_id: int | None = None


class RewardHandler(Protocol):
    def __call__(self, request: RewardRequest) -> RewardResult: ...


_handler: RewardHandler | None = None


class NoRewardHandler(RuntimeError):
    pass


def register_reward_handler(handler: RewardHandler) -> None:
    global _handler
    _handler = handler


def reward(request: RewardRequest) -> RewardResult:
    """Pay a reward exactly once per (rule, source); idempotent under retries."""
    if _handler is None:
        raise NoRewardHandler("no points handler registered: is gongzhi.points installed?")
    return _handler(request)
