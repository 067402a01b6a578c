"""Names of the domain's codes as the pages show them (message ids; translated where shown)."""

from __future__ import annotations

import re
from typing import Final

from core.labels import ANSWERS as ANSWERS
from core.labels import FIT_BANDS as FIT_BANDS
from core.labels import PHYSICAL_DEMANDS as PHYSICAL_DEMANDS
from core.labels import PLACEMENT_FORMS as PLACEMENT_FORMS
from core.labels import REFERRAL_OUTCOMES as REFERRAL_OUTCOMES
from core.labels import SERVICE_KINDS as SERVICE_KINDS
from core.labels import SPOKEN_LANGUAGES as SPOKEN_LANGUAGES
from placements.indicators import INDICATORS as COMPUTED_INDICATORS
from web.i18n import N_, I18n

ROLES: Final = {
    "coordinator": N_("Business coordinator"),
    "caseworker": N_("Caseworker"),
    "employer": N_("Employer contact"),
    "admin": N_("Administrator"),
}

ACCOUNT_EVENTS: Final = {
    "updated": N_("Details changed"),
    "deactivated": N_("Deactivated"),
    "reactivated": N_("Reactivated"),
    "reset_link_issued": N_("Password link made"),
    "password_reset": N_("Password set with a link"),
    "password_changed": N_("Password changed by the user"),
}

SHIFTS: Final = {
    "day": N_("Day"),
    "evening": N_("Evening"),
    "night": N_("Night"),
    "weekend": N_("Weekend"),
}


VISIBILITY: Final = {"public": N_("Public"), "hidden": N_("Hidden (not advertised)")}

NEED_STATUS: Final = {
    "open": N_("Open"),
    "filled": N_("Filled"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
}

EVENT_KINDS: Final = {
    "fair": N_("Recruitment fair"),
    "morning_coffee": N_("Entrepreneurs' morning coffee"),
    "popup_friday": N_("Pop-up Friday"),
    "company_visit": N_("Company visit for a group"),
    "other": N_("Other event"),
}

ATTENDANCE: Final = {"invited": N_("Invited"), "attended": N_("Attended"), "absent": N_("Did not attend")}

EVENT_SORTS: Final = {
    "-event_date": N_("Newest first"),
    "event_date": N_("Oldest first"),
    "title": N_("By name"),
}

# The lists' orders (``sort``): a column of the list's service, "-" for descending, in the order offered;
# the first is the list's default.
CLIENT_SORTS: Final = {
    "name": N_("By name"),
    "pseudonym": N_("By pseudonym"),
    "-updated_at": N_("Recently updated first"),
    "unemployed_since": N_("Longest unemployed first"),
}
EMPLOYER_SORTS: Final = {
    "name": N_("By name"),
    "municipality": N_("By municipality"),
    "-last_contact": N_("Latest contact first"),
}
NEED_SORTS: Final = {
    "-created_at": N_("Newest first"),
    "title": N_("By title"),
    "employer": N_("By employer"),
    "start_date": N_("By start date"),
}
PROPOSAL_SORTS: Final = {
    "-created_at": N_("Newest first"),
    "created_at": N_("Oldest first"),
    "state": N_("By state"),
}
PLACEMENT_SORTS: Final = {
    "-start_date": N_("Latest start first"),
    "start_date": N_("Earliest start first"),
    "employer": N_("By employer"),
    "form": N_("By placement form"),
}

CONTACT_KINDS: Final = {"visit": N_("Visit"), "call": N_("Call"), "event": N_("Event"), "email": N_("Email")}

SIZE_CLASSES: Final = {
    "micro": N_("Micro (under 10)"),
    "small": N_("Small (10–49)"),
    "medium": N_("Medium (50–249)"),
    "large": N_("Large (250 or more)"),
}

PARTNERSHIP: Final = {
    "none": N_("No partnership"),
    "prospect": N_("Prospect"),
    "partner": N_("Partner"),
    "strategic": N_("Strategic partner"),
}

# TOL 2008 top-level sections.
EMPLOYER_KINDS: Final = {
    "firm": N_("Firm"),
    "public_body": N_("Public body"),
    "third_sector": N_("Third-sector organisation"),
}

PROVIDER_KINDS: Final = {
    "te_office": N_("TE office"),
    "kela": N_("Kela"),
    "typ": N_("TYP (multi-sectoral joint service)"),
    "municipality": N_("Municipal service"),
    "school": N_("School or educational institution"),
    "association": N_("Association"),
    "private": N_("Private provider"),
}

SECTORS: Final = {
    "A": N_("Agriculture, forestry and fishing"),
    "B": N_("Mining and quarrying"),
    "C": N_("Manufacturing"),
    "D": N_("Electricity, gas, steam and air conditioning supply"),
    "E": N_("Water supply, sewerage and waste management"),
    "F": N_("Construction"),
    "G": N_("Wholesale and retail trade"),
    "H": N_("Transportation and storage"),
    "I": N_("Accommodation and food service activities"),
    "J": N_("Information and communication"),
    "K": N_("Financial and insurance activities"),
    "L": N_("Real estate activities"),
    "M": N_("Professional, scientific and technical activities"),
    "N": N_("Administrative and support service activities"),
    "O": N_("Public administration and defence"),
    "P": N_("Education"),
    "Q": N_("Human health and social work activities"),
    "R": N_("Arts, entertainment and recreation"),
    "S": N_("Other service activities"),
    "T": N_("Activities of households as employers"),
    "U": N_("Activities of extraterritorial organisations"),
}

LANGUAGE_LEVELS: Final = ("A1", "A2", "B1", "B2", "C1", "C2", "native")

CONSTRAINTS: Final = {
    "area": N_("Same employment area"),
    "candidate_available": N_("Available for placement"),
    "certificates": N_("Certificates"),
    "commute": N_("Commute"),
    "hours": N_("Working hours"),
    "languages": N_("Languages"),
    "need_open": N_("Need is open"),
    "placement_forms": N_("Placement form"),
    "positions_open": N_("Positions open"),
    # The reason names the need's conditions (shifts, physical demands), never the candidate's health.
    "work_capacity": N_("The job's demands"),
}

COMPONENTS: Final = {
    "semantic": N_("Similar descriptions"),
    "lexical": N_("Same words in the descriptions"),
    "skills": N_("Skills"),
    "desired": N_("Desired work"),
    "hours": N_("Hours"),
}

PROPOSAL_STATES: Final = {
    "proposed": N_("Proposed, waiting for an answer"),
    "interested": N_("Employer interested"),
    "interview": N_("Interview"),
    "placed": N_("Placed"),
    "ended": N_("Placement ended"),
    "declined": N_("Declined"),
    "not_hired": N_("Not hired"),
}

EMPLOYER_ANSWERED: Final = {
    "interested": N_("You are interested"),
    "not_now": N_("You answered: not now"),
    "not_suitable": N_("You answered: not suitable"),
}
_ANSWERED_STATES: Final = {
    ("interested", "interested"),
    ("declined", "not_now"),
    ("declined", "not_suitable"),
}


def employer_state(state: str, answer: str | None) -> str:
    """A proposal's state as its employer reads it (a message id): their own answer in the second person
    while the state is the one that answer made, "waiting for your answer" before it, else the state."""
    if answer in EMPLOYER_ANSWERED and (state == "proposed" or (state, answer) in _ANSWERED_STATES):
        return EMPLOYER_ANSWERED[answer]
    if state == "proposed":
        return N_("Waiting for your answer")
    return PROPOSAL_STATES[state]


# Where a placement stands today (placements.schemas.PlacementStatus).
PLACEMENT_STATUS: Final = {
    "upcoming": N_("Not started yet"),
    "active": N_("Ongoing"),
    "ended": N_("Ended"),
    "follow_up_due": N_("Follow-up due"),
}

# What a button that moves a proposal to a state says.
TRANSITION_ACTIONS: Final = {
    "interested": N_("Mark as interested"),
    "interview": N_("Interview agreed"),
    "placed": N_("Confirm the placement"),
    "ended": N_("End the placement"),
    "declined": N_("The employer declined"),
    "not_hired": N_("Not hired after all"),
}


REASON_CODES: Final = {
    "skills": N_("Skills do not match"),
    "experience": N_("Not enough experience"),
    "language": N_("Language skills"),
    "availability": N_("Availability or hours"),
    "other": N_("Other reason"),
}

FOLLOW_UP_OUTCOMES: Final = {
    "still_employed": N_("Still employed there"),
    "open_labour_market": N_("Working elsewhere on the open labour market"),
    "studies": N_("Studying"),
    "unemployed": N_("Unemployed"),
    "other": N_("Other"),
}

# What the page says an indicator is (shorter than the definition the API gives, its docstring).
INDICATOR_DEFINITIONS: Final = {
    "activation_rate": N_(
        "Share of the target group in activating services in the period (bonus weight 0.6)."
    ),
    "rehabilitation_transition_rate": N_(
        "Share of rehabilitative work activities ending in TE services, education or work (weight 0.3)."
    ),
    "subsidised_firm_start_rate": N_(
        "Share of wage-subsidised starts that were in firms (bonus weight 0.1)."
    ),
    "bonus_score": N_(
        "The experiment's bonus score: activation weighted 0.6, transitions 0.3, firm starts 0.1."
    ),
    "placement_start_rate": N_(
        "Share of the area's active jobseekers who started a placement in the period."
    ),
    "assistive_transitions": N_(
        "Share of work trials and assistive tasks followed by employment or training."
    ),
    "wage_subsidised_starts": N_("Pay subsidy placements starting in the period at non-municipal employers."),
    "median_days_to_placement": N_("Half of the placements started sooner than this after the proposal."),
    "employer_response_rate": N_("Share of intro cards the employers answered."),
    "hidden_need_share": N_(
        "Share of placements into hidden needs: recorded as hidden (not advertised), or found through the"
        " contact log."
    ),
}

# (title, definition) message ids of each indicator: the title is the indicator's own.
INDICATORS: Final = {
    name: (indicator.title, INDICATOR_DEFINITIONS[name]) for name, indicator in COMPUTED_INDICATORS.items()
}

INDICATOR_GROUPS: Final = {
    "area": N_("The whole area"),
    "municipality": N_("By municipality"),
    "coordinator": N_("By coordinator"),
    "month": N_("By month"),
}

# The codes an indicator's exact definition names (its docstring, and the catalogue's translations of it
# keep them), with the name the pages give each: an indicator by its title without the bracketed part.
DEFINITION_CODES: Final = {
    **PLACEMENT_FORMS,
    **SERVICE_KINDS,
    **REFERRAL_OUTCOMES,
    **FOLLOW_UP_OUTCOMES,
    **EMPLOYER_KINDS,
    **{name: indicator.title for name, indicator in COMPUTED_INDICATORS.items()},
}
_CODE_IN_BRACKETS: Final = re.compile(r" \(([a-z]+(?:_[a-z]+)*)\)")
_CODE: Final = re.compile(r"\b[a-z]+(?:_[a-z]+)*\b")


def without_codes(definition: str, i18n: I18n) -> str:
    """An exact definition in the reader's words: a code in brackets after the words it stands for is
    dropped ("palkkatuki (pay_subsidy)"), any other code is replaced by its translated name
    ("pay_subsidy or work_trial" → "pay subsidy or work trial"). In English a single word is a code only
    in brackets: "firm" and "employment" are words of the text there; in Finnish and Swedish they are not."""

    def dropped(found: re.Match[str]) -> str:
        return "" if found.group(1) in DEFINITION_CODES else found.group(0)

    def named(found: re.Match[str]) -> str:
        code = found.group(0)
        if code not in DEFINITION_CODES or ("_" not in code and i18n.language == "en"):
            return code
        name = i18n.gettext(DEFINITION_CODES[code]).split(" (")[0]
        # Mid-sentence the name starts in lower case, unless it is an abbreviation (TE services).
        return name if name[1:2].isupper() else name[:1].lower() + name[1:]

    return _CODE.sub(named, _CODE_IN_BRACKETS.sub(dropped, definition))
