"""What the demo area's year of history says and whom it concerns: the third-sector employers and their
needs, the placement forms of each month, and the Finnish texts of contacts, notes, answers and
follow-ups (:mod:`demo.history` writes them). Every organisation and person is invented."""

from __future__ import annotations

from typing import Any, Final

THIRD_SECTOR: Final[tuple[dict[str, Any], ...]] = (
    {
        "external_id": "vs-e101",
        "business_id": "3981514-3",
        "name": "Kierrätyskeskus Aurajoki ry",
        "municipality": "Turku",
        "sector": "G",
        "size_class": "small",
        "kind": "third_sector",
        "partnership_status": "partner",
        "social_procurement": True,
        "contact_persons": [{"name": "Sirpa Aaltonen", "title": "toiminnanjohtaja", "phone": "040 123 4567"}],
    },
    {
        "external_id": "vs-e102",
        "business_id": "3981522-3",
        "name": "Liedon Seudun Työpaja ry",
        "municipality": "Lieto",
        "sector": "S",
        "size_class": "micro",
        "kind": "third_sector",
        "contact_persons": [{"name": "Jari Heikkilä"}],
    },
)
"""Third-sector employers: the demo file has firms and public bodies only."""

THIRD_SECTOR_NEEDS: Final[dict[str, dict[str, Any]]] = {
    "vs-e101": {
        "title": "Myymälä- ja lajittelutyöntekijä",
        "description": "Kierrätyskeskus hakee työntekijää lahjoitusten vastaanottoon, lajitteluun ja"
        " myymälän asiakaspalveluun. Työ on päivätyötä, ja perehdytys tehdään työn lomassa.",
        "skills": ["asiakaspalvelu", "lajittelu", "kassatyö"],
        "hours_per_week": 30,
        "latitude": 60.4518,
        "longitude": 22.2666,
        "physical_demands": ["standing"],
        "supervisor_on_site": True,
    },
    "vs-e102": {
        "title": "Työpajan kiinteistö- ja pihatyöntekijä",
        "description": "Työpaja hakee työntekijää pihojen hoitoon, pieniin korjaustöihin ja pajan"
        " siivoukseen. Työnohjaaja on paikalla koko ajan.",
        "skills": ["kiinteistönhoito", "pihatyöt", "siivous"],
        "hours_per_week": 25,
        "latitude": 60.5031,
        "longitude": 22.4586,
        "supervisor_on_site": True,
    },
}

ROTATION: Final = ("open_job", "work_trial", "apprenticeship", "recruitment_training", "assistive_task")
SUMMER_MONTHS: Final = (5, 6, 7, 8)


def forms_of_month(index: int, calendar_month: int) -> list[str]:
    """The placement forms starting in the ``index``-th month of the year (0 the oldest): a pay subsidy
    every month (two in every third), two forms in turn, and a summer job in summer, an open job
    otherwise; over the year every form starts."""
    forms = ["pay_subsidy", ROTATION[index % 5], ROTATION[(index + 2) % 5]]
    forms.append("summer_job" if calendar_month in SUMMER_MONTHS else "open_job")
    if index % 3 == 0:
        forms.append("pay_subsidy")
    return forms


def subsidy_employer_kind(index: int, nth: int) -> str:
    """Where the ``nth`` pay subsidy of month ``index`` is: mostly a firm, now and then a third-sector
    organisation or a public body, so that the share started in firms moves from month to month."""
    if nth == 0 and index % 4 == 1:
        return "third_sector"
    if nth == 0 and index % 6 == 3:
        return "public_body"
    return "firm"


CONTACT_KINDS: Final = ("visit", "call", "call", "email", "visit", "event")
CONTACT_SUMMARIES: Final = (
    "Käynti toimitusjohtajan luona: kevään rekrytointitarpeet ja palkkatuen ehdot käytiin läpi.",
    "Puhelu henkilöstöpäällikölle: varastoon tarvitaan tekijä syksyksi, paikkaa ei ole ilmoitettu.",
    "Sähköpostilla tietopaketti työkokeilusta ja oppisopimuksesta; esimies lupasi miettiä sopivia tehtäviä.",
    "Tapaaminen rekrytointitapahtumassa: yritys kiinnostui rekrytointikoulutuksesta.",
    "Työpaikkakäynti: tehtävien räätälöinti, osa tehtävistä sopisi osatyökykyiselle.",
    "Puhelu: kuulumiset viime kuussa alkaneesta palkkatukijaksosta, työ sujuu hyvin.",
    "Käynti: nuorten kesätyöpaikat ja kesäsetelin ehdot esitelty.",
    "Puhelu: yritys harkitsee laajennusta, palataan asiaan kuukauden päästä.",
    "Käynti tuotantopäällikön kanssa: vuorotyöhön tarvitaan osaajia, trukkikortti eduksi.",
    "Puhelu: työkokeilijan jakso päättyy, työnantaja harkitsee palkkatuettua jatkoa.",
)
NEXT_STEPS: Final = (
    "Lähetä ehdokasesittelyt",
    "Soita uudelleen",
    "Sovi tapaaminen esimiehen kanssa",
    "Toimita palkkatukihakemuksen ohjeet",
)
PROPOSAL_NOTES: Final = (
    "Motivoitunut ja täsmällinen, sopii myös vuorotyöhön.",
    "Työkokeilu sujui hyvin, omavirkailija suosittelee.",
    "",
    "Aloitusvalmis heti, kulkee omalla autolla.",
    "Pitkä kokemus alalta, tauon jälkeen halukas palaamaan töihin.",
)
INTERESTED_COMMENTS: Final = ("Hyvä profiili, kutsumme haastatteluun.", "", "Soitamme ensi viikolla.")
NOT_NOW_COMMENTS: Final = ("Ei juuri nyt, palataan asiaan keväällä.", "")
NOT_SUITABLE: Final = (
    ("skills", "Tehtävään tarvitaan trukkikortti."),
    ("language", "Asiakastyössä tarvitaan vahvempaa suomen kieltä."),
    ("experience", ""),
    ("availability", "Työajat eivät sovi yhteen."),
    ("other", "Paikka täytettiin sisäisesti."),
)
NOT_HIRED_NOTES: Final = ("Haastattelussa valittiin toinen hakija.", "Työnantaja valitsi kokeneemman.")
END_REASONS: Final[dict[str, str]] = {
    "work_trial": "Työkokeilu päättyi suunnitellusti.",
    "summer_job": "Kesätyö päättyi.",
    "recruitment_training": "Rekrytointikoulutus päättyi, työsuhde jatkuu.",
    "assistive_task": "Avustava jakso päättyi.",
    "pay_subsidy": "Palkkatukijakso päättyi.",
}
FOLLOW_UP_NOTES: Final[dict[str, str]] = {
    "still_employed": "Työ jatkuu samalla työnantajalla.",
    "open_labour_market": "Siirtyi avoimille työmarkkinoille.",
    "studies": "Aloitti ammatilliset opinnot.",
    "unemployed": "Työttömänä, palvelutarve arvioidaan uudelleen.",
    "other": "",
}
FOLLOW_UP_OUTCOMES: Final[dict[str, tuple[str, ...]]] = {
    "open_job": ("still_employed", "still_employed", "open_labour_market"),
    "pay_subsidy": ("still_employed", "open_labour_market", "unemployed"),
    "work_trial": ("open_labour_market", "studies", "unemployed", "other"),
    "apprenticeship": ("still_employed", "studies"),
    "recruitment_training": ("still_employed", "open_labour_market"),
    "summer_job": ("studies", "open_labour_market", "other"),
    "assistive_task": ("still_employed", "studies", "unemployed"),
}

REHAB_OUTCOMES: Final = (
    "te_services",
    "education",
    "no_change",
    "employment",
    "te_services",
    "interrupted",
    "education",
    "employment",
    "no_change",
    "te_services",
    "employment",
    "education",
)
"""How the rehabilitative work activity ending in each month of the year ends (0 the oldest)."""
OTHER_SERVICES: Final = (
    "job_search_coaching",
    "career_coaching",
    "labour_market_training",
    "self_motivated_study",
    "start_up_grant",
    "working_life_trial",
    "training_agreement",
    "rehabilitation",
    "other",
)
OTHER_OUTCOMES: Final = ("employment", "education", "other_service", "no_change", "te_services")
