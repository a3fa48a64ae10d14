"""Words for the contract's codes (stages, working times, wishes broken...), translated.

Plain Python rather than template macros: a suggestions page names dozens
of codes, and a dictionary lookup costs far less than a macro call.
``N_`` marks a text for the catalogue extractor without translating it.
"""

from __future__ import annotations

from functools import cache

from babel.support import NullTranslations

from matcher.records import Candidate
from service.web.i18n import Formats, translations


def N_(text: str) -> str:
    return text


STAGES = {
    "contacted": N_("Contacted"),
    "interview": N_("Interview"),
    "hired": N_("Hired"),
    "ended": N_("Job ended"),
}
SCHEDULES = {"day": N_("Day"), "evening": N_("Evening"), "night": N_("Night"),
             "weekend": N_("Weekend")}  # fmt: skip
KINDS = {"job": N_("Job"), "education": N_("Education")}
STATUSES = {"searching": N_("Searching"), "in_work": N_("In work"), "paused": N_("Paused")}
ROLES = {
    "consultant": N_("Consultant"),
    "job_developer": N_("Job developer"),
    "analyst": N_("Analyst"),
    "admin": N_("Administrator"),
}
GAPS = {
    "driving_licence": N_("Needs a driving licence the person does not have"),
    "language": N_("Needs a language the person does not list"),
    "skill": N_("Needs a skill the person does not list"),
}
CONTACT = {
    "consultant": N_(
        "You may contact the employer about this person: they have agreed to disclosure."
    ),
    "self": N_(
        "Do not mention the person or IPS to the employer: they have not agreed to "
        "disclosure. Help them apply themselves."
    ),
}
VIOLATIONS = {
    "avoid": N_("Mentions something the person wants to avoid"),
    "hours": N_("Hours outside the wished hours"),
    "schedule": N_("Working times the person did not ask for"),
    "commute": N_("Further away than the person will travel"),
    "kind": N_("Not the kind of opening wished"),
}
CHANNELS = {
    "visit": N_("Visit"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "meeting": N_("Meeting"),
    "event": N_("Event"),
}
OUTCOMES = {
    "no_need_now": N_("No need now"),
    "call_back": N_("Call back"),
    "open_to_trial": N_("Open to a trial"),
    "job_offered": N_("Job offered"),
}
ALERTS = {"new": N_("New"), "dismissed": N_("Dismissed"), "hidden": N_("Hidden")}
# Workplace conditions a person may want to avoid (`matcher.conditions`), inside reasons.
CONDITIONS = {
    "customer contact": N_("customer contact"),
    "noise": N_("noise"),
    "heavy lifting": N_("heavy lifting"),
    "night work": N_("night work"),
    "phone work": N_("phone work"),
    "time pressure": N_("time pressure"),
    "driving": N_("driving"),
    "heights": N_("heights"),
    "alcohol": N_("alcohol"),
    "weekend work": N_("weekend work"),
    "personal care": N_("personal care"),
    "children": N_("children"),
}


class Labels:
    """The words of one language; made once per language."""

    def __init__(self, language: str) -> None:
        self._text: NullTranslations = translations(language)
        self._formats = Formats(language)
        self._tables = {
            name: {code: self._text.gettext(text) for code, text in table.items()}
            for name, table in (
                ("stage", STAGES),
                ("schedule", SCHEDULES),
                ("kind", KINDS),
                ("status", STATUSES),
                ("role", ROLES),
                ("gap", GAPS),
                ("contact", CONTACT),
                ("violation", VIOLATIONS),
                ("channel", CHANNELS),
                ("outcome", OUTCOMES),
                ("alert", ALERTS),
                ("condition", CONDITIONS),
            )
        }

    def _word(self, table: str, code: str) -> str:
        return self._tables[table].get(code, code)

    def stage(self, code: str) -> str:
        return self._word("stage", code)

    def schedule(self, code: str) -> str:
        return self._word("schedule", code)

    def kind(self, code: str) -> str:
        return self._word("kind", code)

    def status(self, code: str) -> str:
        return self._word("status", code)

    def role(self, code: str) -> str:
        return self._word("role", code)

    def gap(self, code: str) -> str:
        return self._word("gap", code)

    def contact(self, code: str) -> str:
        return self._word("contact", code)

    def channel(self, code: str) -> str:
        return self._word("channel", code)

    def outcome(self, code: str) -> str:
        return self._word("outcome", code)

    def alert(self, code: str) -> str:
        return self._word("alert", code)

    def condition(self, name: str) -> str:
        return self._word("condition", name)

    def violation(self, code: str, candidate: Candidate) -> str:
        """The wish an opening breaks, with what the person said."""
        wish = candidate.preferences
        said = ""
        if code == "avoid":
            said = ", ".join(wish.avoid)
        elif code == "hours" and wish.hours_per_week is not None:
            low, high = wish.hours_per_week.min, wish.hours_per_week.max
            span = f"{self._formats.number(low)}–{self._formats.number(high)}"
            said = f"{span} {self._text.gettext('hours/week')}"
        elif code == "schedule" and wish.schedule:
            said = ", ".join(self.schedule(s) for s in wish.schedule)
        elif code == "commute" and wish.max_commute_km is not None:
            said = f"{self._text.gettext('at most')} {self._formats.number(wish.max_commute_km)} km"
        elif code == "kind":
            said = ", ".join(self.kind(k) for k in wish.kinds)
        word = self._word("violation", code)
        return f"{word}: {said}" if said else word


@cache
def labels(language: str) -> Labels:
    return Labels(language)
