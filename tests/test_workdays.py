"""Working-day arithmetic against the Russian production calendar (decree transfers included).

Expected values are the official calendars: 2025 and 2026 each have 247 working days; January 2026 has 15,
May 2025 has 18 and May 2026 has 19; 01.11.2025 (Saturday) and 28.12.2024 (Saturday) were working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2025, 12, 30), 1, D(2026, 1, 12), id="31.12.2025 and 1-11.01.2026 are off"),
        pytest.param(D(2025, 12, 30), 3, D(2026, 1, 14), id="3-day report term over new year"),
        pytest.param(D(2026, 1, 9), 3, D(2026, 1, 14), id="created on a transferred day off"),
        pytest.param(D(2026, 1, 9), 5, D(2026, 1, 16), id="5-day site-link term from a day off"),
        pytest.param(D(2024, 12, 31), 1, D(2025, 1, 9), id="new year 2025: 1-8 january off"),
        pytest.param(D(2024, 12, 27), 1, D(2024, 12, 28), id="working saturday 28.12.2024"),
        pytest.param(D(2025, 4, 30), 1, D(2025, 5, 5), id="may 2025 first break 1-4"),
        pytest.param(D(2025, 5, 7), 1, D(2025, 5, 12), id="may 2025 second break 8-11"),
        pytest.param(D(2025, 4, 30), 5, D(2025, 5, 13), id="5 days across both may 2025 breaks"),
        pytest.param(D(2026, 4, 30), 1, D(2026, 5, 4), id="may 2026: 1-3 off"),
        pytest.param(D(2026, 5, 8), 1, D(2026, 5, 12), id="may 2026: victory day moved to monday 11th"),
        pytest.param(D(2025, 10, 31), 1, D(2025, 11, 1), id="working saturday 01.11.2025"),
        pytest.param(D(2025, 11, 1), 1, D(2025, 11, 5), id="3-4.11.2025 off"),
        pytest.param(D(2026, 1, 14), 0, D(2026, 1, 14), id="zero days"),
        pytest.param(D(2026, 1, 12), -1, D(2025, 12, 30), id="backwards over new year"),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(D(2026, 1, 8), False, id="8 jan 2026"),
        pytest.param(D(2026, 1, 9), False, id="9 jan 2026 transferred from 3 jan"),
        pytest.param(D(2026, 1, 12), True, id="12 jan 2026"),
        pytest.param(D(2025, 11, 1), True, id="saturday 1 nov 2025 works"),
        pytest.param(D(2025, 11, 3), False, id="monday 3 nov 2025 off"),
        pytest.param(D(2025, 12, 31), False, id="31 dec 2025 off"),
        pytest.param(D(2026, 12, 31), False, id="31 dec 2026 off"),
        pytest.param(D(2025, 3, 10), True, id="10 mar 2025 works (8 mar moved to 13 jun)"),
        pytest.param(D(2025, 6, 13), False, id="13 jun 2025 off"),
        pytest.param(D(2026, 3, 9), False, id="9 mar 2026 off"),
        pytest.param(D(2026, 5, 11), False, id="11 may 2026 off"),
        pytest.param(D(2026, 5, 16), False, id="ordinary saturday"),
    ],
)
def test_is_working_day(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        pytest.param(D(2025, 12, 31), D(2026, 1, 31), 15, id="january 2026"),
        pytest.param(D(2025, 4, 30), D(2025, 5, 31), 18, id="may 2025"),
        pytest.param(D(2026, 4, 30), D(2026, 5, 31), 19, id="may 2026"),
        pytest.param(D(2024, 12, 31), D(2025, 12, 31), 247, id="year 2025"),
        pytest.param(D(2025, 12, 31), D(2026, 12, 31), 247, id="year 2026"),
        pytest.param(D(2026, 1, 14), D(2026, 1, 14), 0, id="same day"),
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, count: int) -> None:
    assert working_days_between(start, end) == count
    assert working_days_between(end, start) == -count


def test_add_and_between_are_inverse() -> None:
    start = D(2025, 12, 25)
    for n in range(0, 30):
        assert working_days_between(start, add_working_days(start, n)) == n
