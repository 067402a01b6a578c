"""Names of the domain's codes that both the pages and the files (intro cards, indicator exports) show.

Message ids only: the texts, Finnish among them, are in the translation catalogue (:mod:`core.i18n`).
"""

from __future__ import annotations

from typing import Final

from core.i18n import N_

ANSWERS: Final = {
    "interested": N_("Interested"),
    "not_now": N_("Not now"),
    "not_suitable": N_("Not suitable"),
}
"""The employer's answers to an intro card (also on the events of a proposal's history)."""

PLACEMENT_FORMS: Final = {
    "open_job": N_("Open job"),
    "pay_subsidy": N_("Pay subsidy"),
    "work_trial": N_("Work trial"),
    "apprenticeship": N_("Apprenticeship"),
    "recruitment_training": N_("Recruitment training"),
    "summer_job": N_("Summer job"),
    "assistive_task": N_("Assistive municipal task"),
}

SPOKEN_LANGUAGES: Final = {
    "fi": N_("Finnish"),
    "sv": N_("Swedish"),
    "en": N_("English"),
    "ru": N_("Russian"),
    "et": N_("Estonian"),
    "ar": N_("Arabic"),
    "so": N_("Somali"),
    "uk": N_("Ukrainian"),
    "fa": N_("Persian"),
    "de": N_("German"),
}

LANGUAGE_LEVELS: Final = {"native": N_("native speaker")}
"""Levels with a name; the CEFR levels (A1-C2) are shown as they are."""

FIT_BANDS: Final = {"strong": N_("strong fit"), "good": N_("good fit"), "possible": N_("possible fit")}
"""The bands of a match's fit (matching.calibration.BANDS: limits measured, not chosen)."""

INDICATOR_UNITS: Final = {"days": N_("days"), "count": N_("count")}
"""How a chart's axis names its unit (a ratio is shown as a percentage)."""

PHYSICAL_DEMANDS: Final = {
    "heavy_lifting": N_("Heavy lifting"),
    "standing": N_("Standing work"),
    "outdoor": N_("Outdoor work"),
    "driving": N_("Driving"),
    "repetitive": N_("Repetitive movements"),
    "noise": N_("Noise"),
}
"""What a need may demand physically: the pages' choices and the words of match explanations."""

SERVICE_KINDS: Final = {
    "job_search_coaching": N_("Job-search coaching"),
    "career_coaching": N_("Career coaching"),
    "labour_market_training": N_("Labour-market training"),
    "self_motivated_study": N_("Self-motivated study on unemployment benefit"),
    "start_up_grant": N_("Start-up grant"),
    "rehabilitative_work": N_("Rehabilitative work activity"),
    "working_life_trial": N_("Working-life trial"),
    "training_agreement": N_("Training agreement"),
    "rehabilitation": N_("Rehabilitation"),
    "other": N_("Other service"),
}
"""The services a client is referred to (services.schemas.ServiceKind): the pages and the person's PDF."""

REFERRAL_OUTCOMES: Final = {
    "employment": N_("To work"),
    "education": N_("To education"),
    "te_services": N_("To TE services"),
    "other_service": N_("To another service"),
    "interrupted": N_("Interrupted"),
    "no_change": N_("No change"),
}
"""Where a referred client went when the service ended (services.schemas.ReferralOutcome)."""
