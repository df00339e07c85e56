"""Compliance checks of official pages: plain async functions of (dependencies, page, now).

Each returns a CheckResult naming exactly what is missing or differs; `run_checks` runs them all and stores
the results. Only monitor/scheduler.py decides when.
"""

from monitor.checks.address import check_address
from monitor.checks.deps import CheckDeps, Week, WeekendCalendar, parse_week, week_of
from monitor.checks.description import check_description
from monitor.checks.managers import check_managers
from monitor.checks.posting import check_posting_rate, evaluate_week
from monitor.checks.runner import CHECKS, run_check, run_checks
from monitor.checks.site import check_site_link

__all__ = [
    "CHECKS",
    "CheckDeps",
    "RussianWorkdays",
    "Week",
    "WeekendCalendar",
    "check_address",
    "check_description",
    "check_managers",
    "check_posting_rate",
    "check_site_link",
    "evaluate_week",
    "parse_week",
    "run_check",
    "run_checks",
    "week_of",
]
