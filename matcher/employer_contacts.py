"""The closed vocabularies of an employer contact: how it was made and what came of it.

Kept here until the project's shared vocabularies module exists; the values
are part of the API and of the simulator's files.
"""

from __future__ import annotations

from typing import Literal, get_args

# How the consultant or job developer reached the employer.
Channel = Literal["visit", "phone", "email", "meeting", "event"]
# What the employer said, from least to most promising.
Outcome = Literal["no_need_now", "call_back", "open_to_trial", "job_offered"]

CHANNELS: tuple[str, ...] = get_args(Channel)
OUTCOMES: tuple[str, ...] = get_args(Outcome)

# Outcomes that say the employer may take someone on: a sign of coming hires.
PROMISING_OUTCOMES: frozenset[str] = frozenset({"open_to_trial", "job_offered"})

OUTCOME_LABELS: dict[str, str] = {
    "no_need_now": "no need now",
    "call_back": "call back",
    "open_to_trial": "open to a trial",
    "job_offered": "job offered",
}
