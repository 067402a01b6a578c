"""The right-of-access document as a readable A4 PDF, in Finnish, as the intro card is
(:func:`placements.cards.render_pdf`): the same content as the JSON document, section by section."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Final

from core.clock import TIMEZONE
from core.i18n import translate
from core.labels import PLACEMENT_FORMS, REFERRAL_OUTCOMES, SERVICE_KINDS
from core.pdf import a4_document

Lines = list[tuple[str, str]]

SCOPES = {
    "share_profile": "profiilin saa esitellä työnantajalle",
    "disclose_identity": "nimen ja yhteystiedot saa kertoa työnantajalle",
}


def _day(value: date | str | None) -> str:
    if value is None:
        return "–"
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    if isinstance(day, datetime):
        day = day.astimezone(TIMEZONE).date()
    return f"{day.day}.{day.month}.{day.year}"


def _moment(value: datetime | str | None) -> str:
    if value is None:
        return "–"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    at = at.astimezone(TIMEZONE)
    return f"{at.day}.{at.month}.{at.year} klo {at.hour}.{at.minute:02d}"


def _text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _form(code: str) -> str:
    return translate(PLACEMENT_FORMS[code]) if code in PLACEMENT_FORMS else code


def _profile(profile: dict[str, Any]) -> Lines:
    fields = (
        ("Nimi", "full_name"),
        ("Sähköposti", "email"),
        ("Puhelin", "phone"),
        ("Syntymävuosi", "birth_year"),
        ("Kotikunta", "municipality"),
        ("Tunniste lähderekisterissä", "external_id"),
        ("Pseudonyymi (työnantajille näkyvä nimi)", "pseudonym"),
        ("Kuvaus", "profile_text"),
        ("Koulutus", "education"),
        ("Työkokemus", "work_history"),
        ("Osaaminen", "skills"),
        ("Kielitaito", "languages"),
        ("Toiveammatit", "desired_occupations"),
        ("Toivottu työaika (h/vko)", "desired_hours_per_week"),
        ("Työmatka enintään (km)", "max_commute_km"),
        ("Ajokortit", "driving_licences"),
        ("Palvelun vaihe", "service_stage"),
        ("Käytettävissä työhön", "available"),
        ("Arkistoitu", "archived"),
    )
    lines = [(label, _text(profile[key])) for label, key in fields]
    lines.append(("Sopivat työn muodot", _text([_form(f) for f in profile["placement_forms"]])))
    lines.append(("Kirjattu", _day(profile["created_at"])))
    lines.append(("Muutettu viimeksi", _day(profile["updated_at"])))
    certificates = [f"{c['name']} (voimassa {_day(c['expires_on'])} asti)" for c in profile["certificates"]]
    lines.append(("Kortit ja pätevyydet", _text(certificates)))
    return lines


def _work_capacity(document: dict[str, Any]) -> Lines:
    if document["withheld"]:
        # The restrictions matching applies are in the document (every staff role sees them); their
        # details and the assessments are the caseworker's to hand over.
        limits = document["profile"].get("constraints") or {}
        return [
            ("Enintään tuntia päivässä", _text(limits.get("max_hours_per_day"))),
            ("Enintään tuntia viikossa", _text(limits.get("max_hours_per_week"))),
            ("Ei raskaita nostoja", _text(limits.get("no_heavy_lifting"))),
            ("Ei yövuoroja", _text(limits.get("no_night_shifts"))),
            ("Ei vuorotyötä", _text(limits.get("no_shift_work"))),
            ("Tarvitsee ohjaajan", _text(limits.get("needs_supervisor"))),
            ("Vältettävät kuormitustekijät", _text(limits.get("excluded_demands"))),
            ("", "Työkyvyn tarkemmat tiedot ja arviot antaa henkilön omavirkailija."),
        ]
    capacity = document["work_capacity"]
    lines: Lines = []
    if capacity is None:
        lines.append(("", "Työkyvystä ei ole kirjattu tietoja."))
    else:
        lines += [
            ("Enintään tuntia päivässä", _text(capacity["max_hours_per_day"])),
            ("Enintään tuntia viikossa", _text(capacity["max_hours_per_week"])),
            ("Ei raskaita nostoja", _text(capacity["no_heavy_lifting"])),
            ("Ei yövuoroja", _text(capacity["no_night_shifts"])),
            ("Ei vuorotyötä", _text(capacity["no_shift_work"])),
            ("Tarvitsee ohjaajan", _text(capacity["needs_supervisor"])),
            ("Vältettävät kuormitustekijät", _text(capacity["excluded_demands"])),
            ("Lisätiedot", _text(capacity["details"])),
        ]
    for a in document["assessments"] or []:
        notes = f" – {a['notes']}" if a["notes"] else ""
        lines.append((f"Arvio {_day(a['assessed_on'])}", f"{a['measure']}: {_text(a['score'])}{notes}"))
    return lines


def _referrals(document: dict[str, Any]) -> Lines:
    lines: Lines = []
    for r in document["referrals"]:
        ends = f"–{_day(r['ends_on'])}" if r["ends_on"] else ", jatkuu"
        outcome = f": {translate(REFERRAL_OUTCOMES[r['outcome']])}" if r["outcome"] else ""
        service = translate(SERVICE_KINDS[r["service"]])
        lines.append((f"{_day(r['starts_on'])}{ends}", f"{service}, {r['provider_name']}{outcome}"))
    return lines or [("", "Ei ohjauksia palveluihin.")]


def _plans(document: dict[str, Any]) -> Lines:
    kinds = {"activation": "Aktivointisuunnitelma", "employment": "Työllistymissuunnitelma"}
    lines: Lines = []
    for p in document["plans"]:
        review = f", tarkistetaan {_day(p['review_on'])}" if p["review_on"] else ""
        agreed = "sovittu asiakkaan kanssa" if p["agreed_with_client"] else "ei vielä sovittu"
        lines.append((f"{kinds.get(p['kind'], p['kind'])} {_day(p['drawn_up_on'])}", f"{agreed}{review}"))
        for item in p["items"]:
            due = f" ({_day(item['due_on'])})" if item["due_on"] else ""
            lines.append(("Tavoite" if item["kind"] == "goal" else "Askel", f"{item['text']}{due}"))
    if not document["plans"]:
        lines.append(("", "Suunnitelmaa ei ole kirjattu."))
    if document["service_need_assessments"] is None:
        lines.append(("", "Palvelutarpeen arviot antaa henkilön omavirkailija."))
    for a in document["service_need_assessments"] or []:
        notes = f" – {a['notes']}" if a["notes"] else ""
        needs = f" ({', '.join(a['needs'])})" if a["needs"] else ""
        lines.append((f"Palvelutarpeen arvio {_day(a['assessed_on'])}", f"{a['level']}{needs}{notes}"))
    return lines


def _consents(document: dict[str, Any]) -> Lines:
    lines: Lines = []
    for c in document["consents"]:
        whom = "työnantajalle " + str(c["employer_id"]) if c["employer_id"] else "kaikille työnantajille"
        state = "voimassa" if c["active"] else f"peruttu {_day(c['withdrawn_at'])}"
        lines.append((SCOPES.get(c["scope"], c["scope"]), f"{whom}; annettu {_day(c['given_at'])}, {state}"))
    return lines or [("", "Ei suostumuksia.")]


def _proposals(document: dict[str, Any]) -> Lines:
    lines: Lines = []
    for p in document["proposals"]:
        card = p["card"]
        answer = f", vastaus: {p['answer']}" if p["answer"] else ""
        lines.append(
            (
                f"{_day(p['created_at'])} {p['employer_name'] or p['employer_id']}: {p['need_title']}",
                f"tila: {p['state']}{answer}. Esittelykortissa: osaaminen {_text(card['skills'])};"
                f" työkokemus {_text(card['experience_summary'])}; koulutus {_text(card['education'])}.",
            )
        )
    return lines or [("", "Henkilöä ei ole ehdotettu työnantajille.")]


def _placements(document: dict[str, Any]) -> Lines:
    lines: Lines = []
    for p in document["placements"]:
        follow_ups = "; ".join(f"{f['due_months']} kk: {f['outcome']}" for f in p["follow_ups"])
        lines.append(
            (
                f"{_form(p['form'])}, {p['employer_name'] or p['employer_id']}",
                f"{_day(p['start_date'])}–{_day(p['end_date']) if p['end_date'] else ''}"
                f" {_text(p['hours_per_week'])} h/vko" + (f"; seuranta {follow_ups}" if follow_ups else ""),
            )
        )
    return lines or [("", "Ei työllistymisiä.")]


EVENT_KINDS: Final = {
    "fair": "Rekrytointimessut",
    "morning_coffee": "Yrittäjien aamukahvit",
    "popup_friday": "Pop-up-perjantai",
    "company_visit": "Ryhmän yritysvierailu",
    "other": "Muu tapahtuma",
}
ATTENDANCE: Final = {"invited": "kutsuttu", "attended": "osallistui", "absent": "ei osallistunut"}


def _events(document: dict[str, Any]) -> Lines:
    return [
        (
            f"{_day(e['event_date'])} {EVENT_KINDS.get(e['kind'], e['kind'])}",
            f"{e['title']}, {e['municipality']}: {ATTENDANCE.get(e['attendance'], e['attendance'])}",
        )
        for e in document.get("recruitment_events", [])
    ] or [("", "Ei kutsuja rekrytointitapahtumiin.")]


def _trail(document: dict[str, Any]) -> Lines:
    return [
        (f"{_moment(r['at'])} {r['actor_name'] or '–'}", f"{r['action']}: {r['reason']}")
        for r in document["audit_trail"]
    ]


def sections(document: dict[str, Any]) -> list[tuple[str, Lines]]:
    """The document's sections as (heading, [(label, text)]) in the order the PDF shows them."""
    vector = document["profile_vector"]
    return [
        ("Perustiedot", _profile(document["profile"])),
        ("Työkyky", _work_capacity(document)),
        ("Suostumukset", _consents(document)),
        ("Ehdotukset työnantajille ja esittelykortit", _proposals(document)),
        ("Työllistymiset ja seurannat", _placements(document)),
        ("Suunnitelmat ja palvelutarpeen arviot", _plans(document)),
        ("Rekrytointitapahtumat", _events(document)),
        ("Ohjaukset palveluihin", _referrals(document)),
        (
            "Hakua varten laskettu profiilin vektori",
            [
                (
                    "",
                    f"Malli {vector['model_id']}, laskettu {_day(vector['updated_at'])}."
                    if vector
                    else "Ei ole.",
                )
            ],
        ),
        ("Kuka tietoja on käsitellyt ja miksi", _trail(document)),
    ]


def render_pdf(document: dict[str, Any]) -> bytes:
    """The right-of-access document (:class:`privacy.schemas.PersonalData`, as plain values) as a PDF."""
    from fpdf.enums import XPos, YPos

    pdf = a4_document(f"Henkilötiedot {document['pseudonym']}")
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, "Tiedot, joita Kohtaamo säilyttää", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    intro = f"{document['pseudonym']}. Laadittu {_moment(document['generated_at'])}."
    if document["erased_at"]:
        intro += f" Tunnistetiedot ja vapaat tekstit poistettiin {_day(document['erased_at'])}."
    pdf.multi_cell(0, 5.5, intro, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for heading, lines in sections(document):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _write_lines(pdf, lines)
    return bytes(pdf.output())


def _write_lines(pdf: Any, lines: Iterable[tuple[str, str]]) -> None:
    from fpdf.enums import XPos, YPos

    for label, text in lines:
        if label:
            pdf.set_font("DejaVu", "B", 9)
            pdf.multi_cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
