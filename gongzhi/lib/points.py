"""Pure arithmetic of the points ledger: shards, pay-code digits, body fingerprints, expiry.

No Django here (import-linter enforces it), so these rules are unit-tested and benchmarked alone.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import secrets
import zlib
from datetime import date
from decimal import Decimal, InvalidOperation

PAY_CODE_PREFIX = "88"  # 18 digits like a pay code at any Chinese till; "88" is not Alipay's or WeChat's
PAY_CODE_RANDOM_DIGITS = 10
PAY_CODE_CHECK_DIGITS = 6
PAY_CODE_LENGTH = len(PAY_CODE_PREFIX) + PAY_CODE_RANDOM_DIGITS + PAY_CODE_CHECK_DIGITS


class AmountError(ValueError):
    """An amount of points that is not a positive whole number; ``code`` says why."""

    def __init__(self, code: str, value: object) -> None:
        super().__init__(code)
        self.code = code
        self.value = value


def parse_amount(value: object, *, maximum: int = 10**9) -> int:
    """A positive whole number of points, from an int, a Decimal, a float or a digit string.

    Refuses booleans, fractions (1.5), negatives and zero, and absurd sizes, each with its own
    code, so the caller can say exactly what was wrong.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError("amount.invalid", value)
    if isinstance(value, int):
        number = Decimal(value)
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise AmountError("amount.invalid", value) from None
    if not number.is_finite():
        raise AmountError("amount.invalid", value)
    if number != number.to_integral_value():
        raise AmountError("amount.fractional", value)
    if number <= 0:
        raise AmountError("amount.not_positive", value)
    if number > maximum:
        raise AmountError("amount.too_large", value)
    return int(number)


def shard_for(key: str, shards: int) -> int:
    """The home shard of an idempotency key: stable across processes and restarts (CRC-32)."""
    if shards < 1:
        raise ValueError("shards must be at least 1")
    return zlib.crc32(key.encode()) % shards


def probe_order(key: str, shards: int) -> list[int]:
    """Shards to try for ``key``: its home shard first, then the others in ring order."""
    home = shard_for(key, shards)
    return [(home + i) % shards for i in range(shards)]


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` whole shares differing by at most one (larger ones first)."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def pooled_floors(balances: list[int], floors: list[int], target: int, needed: int) -> list[int] | None:
    """New floors giving shard ``target`` at least ``needed`` headroom, the rest shared evenly.

    A shard may go down to its floor; ``balance - floor`` is its headroom. Pooling the headroom
    lets a request that no single shard could pay succeed, while the sum of the floors (minus
    the budget's ceiling) stays exactly what it was. ``None`` when even the pool is too small.
    """
    headroom = sum(b - f for b, f in zip(balances, floors, strict=True))
    if headroom < needed:
        return None
    shares = split_evenly(headroom - needed, len(balances))
    shares[target] += needed
    return [b - s for b, s in zip(balances, shares, strict=True)]


def canonical_json(body: dict) -> str:
    """A request body as the text its fingerprint covers: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def body_fingerprint(body: dict) -> str:
    """SHA-256 of a request body in canonical JSON: equal bodies, equal fingerprints."""
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def _check_digits(secret: bytes, head: str) -> str:
    mac = hmac.new(secret, head.encode(), hashlib.sha256).digest()
    number = int.from_bytes(mac[:8], "big") % 10**PAY_CODE_CHECK_DIGITS
    return f"{number:0{PAY_CODE_CHECK_DIGITS}d}"


def make_pay_code(secret: bytes, random_digits: str | None = None) -> str:
    """An 18-digit pay code: prefix, random digits and a keyed check (HMAC-SHA256, truncated).

    The check means a mistyped or invented code is refused before any database look-up; the
    randomness (10 digits) means a live code cannot be guessed within its minute.
    """
    if random_digits is None:
        random_digits = "".join(secrets.choice("0123456789") for _ in range(PAY_CODE_RANDOM_DIGITS))
    if len(random_digits) != PAY_CODE_RANDOM_DIGITS or not random_digits.isdigit():
        raise ValueError("random part must be 10 digits")
    head = PAY_CODE_PREFIX + random_digits
    return head + _check_digits(secret, head)


def normalize_pay_code(text: str) -> str:
    """Digits only: scanners and people add spaces or dashes."""
    return "".join(ch for ch in str(text or "") if ch.isdigit())


def pay_code_is_genuine(secret: bytes, code: str) -> bool:
    if len(code) != PAY_CODE_LENGTH or not code.isdigit() or not code.startswith(PAY_CODE_PREFIX):
        return False
    head = code[:-PAY_CODE_CHECK_DIGITS]
    return hmac.compare_digest(_check_digits(secret, head), code[-PAY_CODE_CHECK_DIGITS:])


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the month's end (29 Feb → 28 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_cutoff(year: int, age_months: int) -> date:
    """Points credited before this day are older than ``age_months`` at the end of ``year``.

    Expiry runs once a year on 31 December: with an age of 24 months, what was earned before
    1 January two years earlier expires then.
    """
    return months_before(date(year + 1, 1, 1), age_months)


def expirable(credited_before_cutoff: int, debited_total: int) -> int:
    """Points to expire under first-in-first-out: spending always uses the oldest points first.

    Everything debited so far (spending, earlier expiries, corrections) has consumed the oldest
    credits first, so what remains of the credits older than the cutoff is what expires.
    """
    return max(0, credited_before_cutoff - debited_total)
