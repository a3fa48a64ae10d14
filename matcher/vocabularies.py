"""The closed vocabularies of the contract (`data/contract/README.md`), defined once.

Each vocabulary is a `Literal` type, for pydantic models and type checking,
and a tuple of its values in the contract's order (typed as plain strings,
the form they take in bit masks and lookups), for loops and error messages.
The tuples are read off the types, so the two cannot drift. Every part
(matcher, service, evaluation) imports them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

Schedule = Literal["day", "evening", "night", "weekend"]
Kind = Literal["job", "education"]
Disclosure = Literal["yes", "no"]
Contact = Literal["self", "consultant"]
ViolationCode = Literal["avoid", "hours", "schedule", "commute", "kind"]
GapCode = Literal["driving_licence", "language", "skill"]
# An employer contact (job development): how the employer was reached, and what the
# employer said, from least to most promising.
Channel = Literal["visit", "phone", "email", "meeting", "event"]
Outcome = Literal["no_need_now", "call_back", "open_to_trial", "job_offered"]
# The stages of the placement history's CSV.
Stage = Literal["contacted", "interview", "hired"]
# The service records the end of a job as an event of its own; its export puts
# that day in the `ended` column of the hire, as the CSV has it.
EventStage = Literal["contacted", "interview", "hired", "ended"]

SCHEDULES: tuple[str, ...] = get_args(Schedule)
KINDS: tuple[str, ...] = get_args(Kind)
DISCLOSURES: tuple[str, ...] = get_args(Disclosure)
CONTACTS: tuple[str, ...] = get_args(Contact)
VIOLATION_CODES: tuple[str, ...] = get_args(ViolationCode)
GAP_CODES: tuple[str, ...] = get_args(GapCode)
STAGES: tuple[str, ...] = get_args(Stage)
EVENT_STAGES: tuple[str, ...] = get_args(EventStage)
CHANNELS: tuple[str, ...] = get_args(Channel)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
# Outcomes that say the employer may take someone on: a sign of coming hires.
PROMISING_OUTCOMES: frozenset[str] = frozenset({"open_to_trial", "job_offered"})

# One bit per working time, in the contract's order (day = 1, evening = 2, ...).
SCHEDULE_BITS: Mapping[str, int] = MappingProxyType(
    {name: 1 << position for position, name in enumerate(SCHEDULES)}
)

# Relevance grades of the evaluation: hired and still employed `STAYED_DAYS`
# later = `HIRED_AND_STAYED`; otherwise the grade of the best stage reached.
STAGE_GRADES: Mapping[str, float] = MappingProxyType(
    {"contacted": 0.5, "interview": 1.0, "hired": 2.0}
)
HIRED_AND_STAYED = 3.0
STAYED_DAYS = 90
