"""Chinese identifiers: resident ID card, unified social credit code, mainland mobile number.

Pure Python (no Django). Every ``parse_*``/``normalize_*`` function either returns a canonical,
validated value or raises :class:`IdCodeError` whose ``code`` is one of :data:`ERROR_MESSAGES`.
The Django layer translates by code, so codes are a stable public contract: add, never rename.

Error messages never contain the offending input: they end up in logs, and the input is
personal data.

The masking helpers (``mask_*``) never raise; they are for display of personal data to users
who may not see it in full (REQUIREMENTS-CN "Data scope": phone 138****1234, ID first 4 + last 4,
name 张*).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ERROR_MESSAGES",
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "USCC_KINDS",
    "IdCard",
    "IdCodeError",
    "Uscc",
    "id_card_check_digit",
    "is_valid_id_card",
    "is_valid_mobile",
    "is_valid_uscc",
    "make_id_card",
    "make_uscc",
    "mask_id_card",
    "mask_mobile",
    "mask_name",
    "normalize_mobile",
    "parse_id_card",
    "parse_uscc",
    "uscc_check_char",
]

#: Stable error codes and their English messages. The Django layer maps each code to a
#: translated message; keep the keys stable.
ERROR_MESSAGES: dict[str, str] = {
    "id_card.length": "An ID card number has 18 characters.",
    "id_card.format": "An ID card number is 17 digits followed by a digit or the letter X.",
    "id_card.birth_date": (
        "The birth date in the ID card number is not a real date between 1900-01-01 and today."
    ),
    "id_card.checksum": "The ID card number is mistyped: its check digit does not match.",
    "uscc.length": "A unified social credit code has 18 characters.",
    "uscc.format": (
        "A unified social credit code uses only digits and the letters A-H, J-N, P-R, T, U, W-Y, "
        "with a 6-digit area code in positions 3 to 8."
    ),
    "uscc.checksum": "The unified social credit code is mistyped: its check character does not match.",
    "mobile.invalid": "Enter a mainland China mobile number: 11 digits starting with 13 to 19.",
}


class IdCodeError(ValueError):
    """An identifier failed validation. ``code`` is a key of :data:`ERROR_MESSAGES`."""

    def __init__(self, code: str) -> None:
        if code not in ERROR_MESSAGES:  # a programming error, not bad input
            raise KeyError(f"unknown idcodes error code: {code!r}")
        self.code = code
        self.message = ERROR_MESSAGES[code]
        super().__init__(self.message)


# China Standard Time has had no daylight saving since 1991; a fixed offset avoids a tzdata
# dependency. "Today" for a birth date is today in China, wherever the server runs.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def _china_today() -> dt.date:
    return dt.datetime.now(tz=CHINA_TZ).date()


# Residents type identifiers with Chinese IMEs, which often produce full-width forms
# (０-９, Ｘ, ＋, ideographic space). Map exactly those to ASCII; nothing else is folded.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _to_halfwidth(value: str) -> str:
    return value.translate(_FULLWIDTH)


# ---------------------------------------------------------------------------------------------
# Resident ID card, GB 11643-1999 (公民身份号码)
# ---------------------------------------------------------------------------------------------

# GB 11643-1999 §8.2 / ISO 7064 MOD 11-2: weights are 2^(17-i) mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_MIN_BIRTH_DATE = dt.date(1900, 1, 1)


@dataclass(frozen=True, slots=True, repr=False)
class IdCard:
    """A validated 18-character resident ID number and the fields it encodes.

    ``area_code`` is the 6-digit GB/T 2260 code of the place of first registration; treat it as
    a hint only, since codes change over time (e.g. 512081 is now 510185).
    """

    number: str
    area_code: str
    birth_date: dt.date
    sequence: str
    sex: str  # "M" (odd sequence) or "F" (even sequence)
    check_digit: str

    @property
    def province_code(self) -> str:
        return self.area_code[:2]

    @property
    def city_code(self) -> str:
        return self.area_code[:4]

    @property
    def masked(self) -> str:
        return mask_id_card(self.number)

    def age_on(self, day: dt.date) -> int:
        """Completed years of age on ``day`` (a 29 February birthday ages on 1 March)."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday

    def __repr__(self) -> str:
        # Never the full number: reprs end up in logs and tracebacks.
        return f"IdCard({self.masked!r}, sex={self.sex!r})"


def id_card_check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character ("0"-"9" or "X") for 17 ASCII digits.

    Raises ``ValueError`` when ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be exactly 17 ASCII digits")
    # GB 11643-1999 check digit: "10X98765432"[Σ dᵢ·wᵢ mod 11]
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _normalize_id_card(value: str) -> str:
    return _to_halfwidth(value).strip().upper()


def parse_id_card(value: str, *, today: dt.date | None = None) -> IdCard:
    """Validate a resident ID number and return its fields.

    Normalises first (full-width to ASCII, surrounding whitespace stripped, ``x`` upper-cased).
    Checks, in order: length 18 (``id_card.length``; the 15-digit first-generation numbers are
    no longer valid and are refused here too), characters (``id_card.format``), birth date: a
    real date from 1900-01-01 to ``today`` in China (``id_card.birth_date``), check digit
    (``id_card.checksum``). The area code is not checked against a list (see :class:`IdCard`).
    """
    if not isinstance(value, str):
        raise IdCodeError("id_card.format")
    number = _normalize_id_card(value)
    if len(number) != 18:
        raise IdCodeError("id_card.length")
    if not _ID_RE.fullmatch(number):
        raise IdCodeError("id_card.format")
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdCodeError("id_card.birth_date") from None
    if not _MIN_BIRTH_DATE <= birth_date <= (today or _china_today()):
        raise IdCodeError("id_card.birth_date")
    if id_card_check_digit(number[:17]) != number[17]:
        raise IdCodeError("id_card.checksum")
    sequence = number[14:17]
    return IdCard(
        number=number,
        area_code=number[:6],
        birth_date=birth_date,
        sequence=sequence,
        sex="M" if int(sequence) % 2 else "F",  # GB 11643-1999: odd sequence = male
        check_digit=number[17],
    )


def is_valid_id_card(value: object, *, today: dt.date | None = None) -> bool:
    """True when :func:`parse_id_card` would accept ``value``; never raises."""
    if not isinstance(value, str):
        return False
    try:
        parse_id_card(value, today=today)
    except IdCodeError:
        return False
    return True


def make_id_card(area6: str, birth_date: dt.date, sequence: int) -> str:
    """Build a valid ID number, for synthetic (demo and test) data only.

    ``sequence`` is 0-999; odd means male, even female (GB 11643-1999). ``birth_date`` must lie
    in 1900-01-01 .. today. Raises ``ValueError`` on arguments that cannot make a valid number.
    """
    if len(area6) != 6 or not area6.isascii() or not area6.isdigit():
        raise ValueError("area6 must be 6 ASCII digits")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be in 0..999")
    if not _MIN_BIRTH_DATE <= birth_date <= _china_today():
        raise ValueError("birth_date must be between 1900-01-01 and today")
    first17 = f"{area6}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + id_card_check_digit(first17)


# ---------------------------------------------------------------------------------------------
# Unified social credit code, GB 32100-2015 (统一社会信用代码)
# ---------------------------------------------------------------------------------------------

#: GB 32100-2015 code alphabet: digits and capitals without I, O, S, V, Z; index = value.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
# GB 32100-2015 §4.2: weight of position i is 3^i mod 31.
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"[{USCC_ALPHABET}]{{2}}[0-9]{{6}}[{USCC_ALPHABET}]{{10}}")

#: Position 1, registering authority (登记管理部门码), GB 32100-2015 and its registry practice.
USCC_AUTHORITIES: dict[str, str] = {
    "1": "establishment_administration",  # 机构编制
    "2": "foreign_affairs",  # 外交
    "3": "judicial_administration",  # 司法行政
    "4": "culture",  # 文化
    "5": "civil_affairs",  # 民政
    "6": "tourism",  # 旅游
    "7": "religious_affairs",  # 宗教
    "8": "trade_union",  # 工会
    "9": "industry_and_commerce",  # 工商 (now market regulation)
    "A": "military_establishment",  # 中央军委改革和编制办公室
    "N": "agriculture",  # 农业
    "Y": "other",  # 其他
}

#: (authority, category) -> organisation kind, for the registers Gongzhi meets most.
USCC_KINDS: dict[tuple[str, str], str] = {
    ("1", "1"): "government_organ",  # 机关
    ("1", "2"): "public_institution",  # 事业单位
    ("1", "3"): "mass_organisation",  # 中央编办直接管理机构编制的群众团体
    ("5", "1"): "social_group",  # 社会团体
    ("5", "2"): "private_non_enterprise",  # 民办非企业单位 (社会服务机构)
    ("5", "3"): "foundation",  # 基金会
    ("9", "1"): "enterprise",  # 企业
    ("9", "2"): "individual_business",  # 个体工商户
    ("9", "3"): "farmers_cooperative",  # 农民专业合作社
}


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated unified social credit code and the fields it encodes.

    ``authority_code`` and ``category_code`` are positions 1 and 2; ``area_code`` (positions 3-8)
    is the GB/T 2260 code of the registering authority; ``organization_code`` (positions 9-17) is
    the GB 11714 organisation code; ``check_char`` is position 18.
    """

    number: str
    authority_code: str
    category_code: str
    area_code: str
    organization_code: str
    check_char: str

    @property
    def authority(self) -> str | None:
        """Slug of the registering authority (see :data:`USCC_AUTHORITIES`), or None if unknown."""
        return USCC_AUTHORITIES.get(self.authority_code)

    @property
    def kind(self) -> str | None:
        """Slug of the organisation kind (see :data:`USCC_KINDS`), or None if unknown."""
        return USCC_KINDS.get((self.authority_code, self.category_code))


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for 17 characters of :data:`USCC_ALPHABET`.

    Raises ``ValueError`` when ``first17`` has another length or a character outside the alphabet.
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("first17 must be 17 characters of the GB 32100-2015 alphabet")
    # GB 32100-2015 check character: 31 − (Σ cᵢ·wᵢ mod 31), where 31 maps to 0.
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(value: str) -> Uscc:
    """Validate a unified social credit code and return its fields.

    Normalises (full-width to ASCII, whitespace stripped, upper-cased), then checks length 18
    (``uscc.length``), alphabet and a 6-digit area code (``uscc.format``) and the check character
    (``uscc.checksum``). Authority and category are not checked against a list: registries add
    values over time. The GB 11714 check inside the organisation code is not enforced either.
    """
    if not isinstance(value, str):
        raise IdCodeError("uscc.format")
    number = _to_halfwidth(value).strip().upper()
    if len(number) != 18:
        raise IdCodeError("uscc.length")
    if not _USCC_RE.fullmatch(number):
        raise IdCodeError("uscc.format")
    if uscc_check_char(number[:17]) != number[17]:
        raise IdCodeError("uscc.checksum")
    return Uscc(
        number=number,
        authority_code=number[0],
        category_code=number[1],
        area_code=number[2:8],
        organization_code=number[8:17],
        check_char=number[17],
    )


def is_valid_uscc(value: object) -> bool:
    """True when :func:`parse_uscc` would accept ``value``; never raises."""
    if not isinstance(value, str):
        return False
    try:
        parse_uscc(value)
    except IdCodeError:
        return False
    return True


# GB 11714-1997 organisation code check: weights 3 7 9 10 5 8 4 2, C9 = 11 − (Σ mod 11),
# 10 → "X", 11 → "0".
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organization_code(sequence: int) -> str:
    body = f"{sequence:08d}"
    check = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(*, area_code: str, sequence: int, authority: str = "9", category: str = "1") -> str:
    """Build a valid unified social credit code, for synthetic (demo and test) data only.

    The organisation code is ``sequence`` (0..99,999,999) as 8 digits plus its GB 11714 check
    character, so generated codes also look right to stricter validators. Defaults describe an
    enterprise (9, 1); a social group is ``authority="5", category="1"``. Raises ``ValueError``
    on arguments that cannot make a valid code.
    """
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError("area_code must be 6 ASCII digits")
    if not 0 <= sequence <= 99_999_999:
        raise ValueError("sequence must be in 0..99999999")
    for name, char in (("authority", authority), ("category", category)):
        if len(char) != 1 or char not in _USCC_VALUE:
            raise ValueError(f"{name} must be one character of the GB 32100-2015 alphabet")
    first17 = f"{authority}{category}{area_code}{_organization_code(sequence)}"
    return first17 + uscc_check_char(first17)


# ---------------------------------------------------------------------------------------------
# Mainland mobile numbers
# ---------------------------------------------------------------------------------------------

# Carrier prefixes change too often to list (REQUIREMENTS-CN "Identifiers"): 13x-19x only.
_MOBILE_RE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_MOBILE_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_mobile(value: str) -> str:
    """Return the 11-digit form (``1xxxxxxxxxx``) of a mainland mobile number.

    Accepts an optional ``+86``/``86`` prefix, spaces and dashes, and full-width characters.
    Raises :class:`IdCodeError` with code ``mobile.invalid`` otherwise.
    """
    if not isinstance(value, str):
        raise IdCodeError("mobile.invalid")
    match = _MOBILE_RE.fullmatch(_MOBILE_SEPARATORS.sub("", _to_halfwidth(value)))
    if match is None:
        raise IdCodeError("mobile.invalid")
    return match.group(1)


def is_valid_mobile(value: object) -> bool:
    """True when :func:`normalize_mobile` would accept ``value``; never raises."""
    if not isinstance(value, str):
        return False
    try:
        normalize_mobile(value)
    except IdCodeError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Masking (REQUIREMENTS-CN "Data scope": 138****1234, first 4 + last 4, 张*)
# ---------------------------------------------------------------------------------------------

_MIN_HIDDEN = 4  # never show a value with fewer than this many characters hidden


def _mask_middle(text: str, head: int, tail: int) -> str:
    """Keep ``head`` and ``tail`` characters; hide the rest, or everything if too short."""
    if len(text) < head + tail + _MIN_HIDDEN:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[len(text) - tail :]


def mask_mobile(value: str) -> str:
    """Mask a phone number for display: ``13812341234`` -> ``138****1234``.

    A valid mainland mobile number is normalised first (so ``+86 138-1234-1234`` masks the
    same). Anything else keeps its first 3 and last 4 characters (separators removed) when at
    least 4 remain hidden, and is hidden entirely otherwise. Never raises.
    """
    if not isinstance(value, str):
        return ""
    try:
        text = normalize_mobile(value)
    except IdCodeError:
        text = _MOBILE_SEPARATORS.sub("", _to_halfwidth(value))
    return _mask_middle(text, 3, 4)


def mask_id_card(value: str) -> str:
    """Mask an ID number for display: first 4 + asterisks + last 4 (``5101**********1234``).

    Normalised as in :func:`parse_id_card`, but not validated; values too short to keep 4
    characters hidden are hidden entirely. Never raises.
    """
    if not isinstance(value, str):
        return ""
    return _mask_middle(_normalize_id_card(value), 4, 4)


_NAME_SEPARATORS = frozenset(" ·•・.-'")


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and char.isalpha()


def mask_name(value: str) -> str:
    """Mask a personal name for display, showing initials only.

    A name containing CJK characters keeps its first character: ``张三`` -> ``张*``,
    ``欧阳娜娜`` -> ``欧***`` (compound surnames are not guessed). A name in another script keeps
    the first letter of each word: ``John Smith`` -> ``J*** S****``. Separators (spaces,
    middle dots, hyphens, apostrophes) are kept; a one-character name is hidden entirely.
    Surrounding whitespace is stripped and inner whitespace collapsed. Never raises.
    """
    if not isinstance(value, str):
        return ""
    name = " ".join(value.split())
    if len(name) <= 1:
        return "*" * len(name)
    per_word = not any(_is_cjk(c) for c in name)
    out: list[str] = []
    show_next = True
    for char in name:
        if char in _NAME_SEPARATORS:
            out.append(char)
            show_next = show_next or per_word
        elif show_next:
            out.append(char)
            show_next = False
        else:
            out.append("*")
    return "".join(out)
