from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from gongzhi.lib.opening_hours import (
    HoursError,
    Interval,
    Schedule,
    format_intervals,
    parse_intervals,
    status_at,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day: int, hh: int, mm: int = 0) -> datetime:
    """A naive local time in the week of Monday 2026-03-02."""
    return datetime(2026, 3, 2 + day, hh, mm)


def weekly(spec: str, days=range(7)) -> Schedule:
    return Schedule(weekly={d: parse_intervals(spec) for d in days})


def test_parse__two_intervals_with_chinese_punctuation__are_sorted():
    assert parse_intervals("14:00－18:00，09:00-12:00") == (
        Interval(time(9), time(12)),
        Interval(time(14), time(18)),
    )


@pytest.mark.parametrize("text", ["", "closed", "休息", "  "])
def test_parse__closed_words__give_no_interval(text):
    assert parse_intervals(text) == ()


@pytest.mark.parametrize("text", ["24h", "全天", "00:00-24:00", "0:00-24:00"])
def test_parse__a_full_day__is_one_24_hour_interval(text):
    (interval,) = parse_intervals(text)
    assert interval.end_minute - interval.start_minute == 24 * 60


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("9-18", "hours.time"),
        ("09:00-25:00", "hours.time"),
        ("09:00", "hours.format"),
        ("09:00-09:00", "hours.empty"),
        ("09:00-13:00, 12:00-18:00", "hours.overlap"),
    ],
)
def test_parse__bad_text__raises_a_coded_error(text, code):
    with pytest.raises(HoursError) as exc:
        parse_intervals(text)
    assert exc.value.code == code


def test_format__round_trips_what_parse_reads():
    for text in ("09:00-12:00, 14:00-18:00", "18:00-02:00", "09:00-24:00", "24h", ""):
        assert format_intervals(parse_intervals(text)) == text


def test_status__inside_and_outside_a_plain_day():
    s = weekly("09:00-12:00, 14:00-18:00", days=[MON])
    assert status_at(s, at(MON, 10)).is_open
    assert status_at(s, at(MON, 10)).until == at(MON, 12)
    lunch = status_at(s, at(MON, 12, 30))
    assert not lunch.is_open and lunch.next_open == at(MON, 14)


def test_status__closing_minute_is_closed_and_opening_minute_is_open():
    s = weekly("09:00-18:00")
    assert status_at(s, at(TUE, 9)).is_open
    assert not status_at(s, at(TUE, 18)).is_open


def test_status__overnight_hours__are_open_after_midnight_on_the_next_weekday():
    s = weekly("18:00-02:00", days=[FRI])  # Friday night only
    assert status_at(s, at(SAT, 1, 30)).is_open  # Saturday 01:30 is still Friday night
    assert status_at(s, at(SAT, 1, 30)).until == at(SAT, 2)
    assert not status_at(s, at(SAT, 2, 30)).is_open
    assert not status_at(s, at(FRI, 1, 30)).is_open  # Thursday night has no opening


def test_status__back_to_back_openings__report_when_the_doors_really_close():
    s = Schedule(weekly={MON: parse_intervals("20:00-24:00"), TUE: parse_intervals("00:00-03:00")})
    status = status_at(s, at(MON, 21))
    assert status.is_open and status.until == at(TUE, 3)


def test_status__open_around_the_clock__has_no_closing_time():
    status = status_at(weekly("24h"), at(WED, 4))
    assert status.is_open and status.until is None


def test_status__a_closed_exception__overrides_the_weekday():
    s = Schedule(
        weekly={d: parse_intervals("09:00-18:00") for d in range(7)}, exceptions={date(2026, 3, 4): ()}
    )
    assert not status_at(s, at(WED, 10)).is_open
    assert status_at(s, at(WED, 10)).next_open == at(THU, 9)


def test_status__an_exception_with_other_hours__replaces_them_for_that_date_only():
    s = Schedule(
        weekly={d: parse_intervals("09:00-18:00") for d in range(7)},
        exceptions={date(2026, 3, 4): parse_intervals("10:00-12:00")},
    )
    assert not status_at(s, at(WED, 9, 30)).is_open
    assert status_at(s, at(WED, 11)).is_open
    assert not status_at(s, at(WED, 15)).is_open
    assert status_at(s, at(THU, 15)).is_open


def test_status__a_closed_day_after_an_overnight_opening__keeps_the_small_hours_of_the_night_before():
    s = Schedule(
        weekly={d: parse_intervals("20:00-02:00") for d in range(7)}, exceptions={date(2026, 3, 4): ()}
    )
    assert status_at(s, at(WED, 1)).is_open  # Tuesday night runs on into Wednesday 02:00
    assert not status_at(s, at(WED, 21)).is_open  # but Wednesday night is cancelled
    assert status_at(s, at(WED, 21)).next_open == at(THU, 20)


def test_status__an_overnight_exception__runs_into_the_next_morning():
    s = Schedule(exceptions={date(2026, 3, 4): parse_intervals("22:00-06:00")})
    assert status_at(s, at(THU, 5)).is_open


def test_status__aware_moment__is_read_in_the_schedule_time_zone():
    s = weekly("09:00-18:00")
    # 02:00 UTC is 10:00 in Shanghai: open; 12:00 UTC is 20:00 there: closed.
    assert status_at(s, datetime(2026, 3, 2, 2, 0, tzinfo=UTC), SHANGHAI).is_open
    assert not status_at(s, datetime(2026, 3, 2, 12, 0, tzinfo=UTC), SHANGHAI).is_open


def test_status__never_open__has_no_next_opening():
    status = status_at(Schedule(), at(MON, 9))
    assert not status.is_open and status.next_open is None


def test_schedule__weekday_out_of_range__is_refused():
    with pytest.raises(HoursError) as exc:
        Schedule(weekly={7: ()})
    assert exc.value.code == "hours.weekday"
