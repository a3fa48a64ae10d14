"""Errors of the offline evaluation that are not about one record's fields.

Bad rows in input files are `matcher.errors.RecordValidationError` (file,
line, field); everything here subclasses `matcher.errors.IpsmatchError` too,
so a command can report both the same way.
"""

from __future__ import annotations

from matcher.errors import IpsmatchError


class EvaluationError(IpsmatchError, ValueError):
    """The evaluation cannot be run as asked (no test period, leaking weights, ...)."""


class LookAheadError(EvaluationError):
    """A system suggested an opening that was not open on the query date.

    Raised by the replay itself, whatever the system, so that no baseline or
    ranker can score from the future by mistake.
    """
