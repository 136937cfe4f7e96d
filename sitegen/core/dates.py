"""Dates with and without a UTC offset: one instant for sorting, the offset kept in output.

Years 1 to 9999 are valid: an offset that moves an instant past either end (year 1 at
+05:00, 9999-12-31T23:00 at -05:00) sorts at that end instead of raising OverflowError.
"""

from __future__ import annotations

import datetime as dt


def utc_naive(date: dt.datetime) -> dt.datetime:
    """The instant as a naive UTC datetime (naive dates are taken as UTC already)."""
    if date.tzinfo is None:
        return date
    try:
        return date.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        return dt.datetime.min if date.year == dt.MINYEAR else dt.datetime.max


def iso(value: dt.datetime | dt.date) -> str:
    """RFC 3339 / ISO 8601: naive datetimes as UTC (`Z`), aware ones with their offset."""
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    text = value.replace(microsecond=0).isoformat()
    return text + "Z" if value.tzinfo is None else text
