"""The raw material of the demo area: occupations, employers, assistive tasks, names and phrases.

Occupation labels are ESCO preferred labels in Finnish; skills are ESCO labels where one fits and
plain Finnish otherwise. Every firm, unit and person is invented; business ids are generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

AREA: Final = "Varsinais-Suomen työllisyysalue (demo)"
COORDINATOR_EMAILS: Final = ("koordinaattori@demo.example", "koordinaattori2@demo.example")
"""The demo's business coordinators: employers take turns to have each as their responsible coordinator."""
MUNICIPALITIES: Final = (
    "Turku",
    "Lieto",
    "Kaarina",
    "Raisio",
    "Naantali",
    "Masku",
    "Rusko",
    "Paimio",
    "Nousiainen",
    "Mynämäki",
    "Parainen",
    "Aura",
)
# Where a jobseeker lives: weights roughly follow the population of the municipalities.
HOME_WEIGHTS: Final = {
    "Turku": 34,
    "Kaarina": 10,
    "Raisio": 8,
    "Lieto": 7,
    "Naantali": 7,
    "Parainen": 5,
    "Masku": 4,
    "Paimio": 4,
    "Mynämäki": 3,
    "Rusko": 3,
    "Nousiainen": 2,
    "Aura": 2,
}
IN_FI: Final = {
    "Turku": "Turussa",
    "Lieto": "Liedossa",
    "Kaarina": "Kaarinassa",
    "Raisio": "Raisiossa",
    "Naantali": "Naantalissa",
    "Masku": "Maskussa",
    "Rusko": "Ruskolla",
    "Paimio": "Paimiossa",
    "Nousiainen": "Nousiaisissa",
    "Mynämäki": "Mynämäellä",
    "Parainen": "Paraisilla",
    "Aura": "Aurassa",
}
NAME_SV: Final = {
    "Turku": "Åbo",
    "Lieto": "Lundo",
    "Kaarina": "S:t Karins",
    "Raisio": "Reso",
    "Naantali": "Nådendal",
    "Paimio": "Pemar",
    "Mynämäki": "Virmo",
    "Nousiainen": "Nousis",
    "Parainen": "Pargas",
}


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Occupation:
    """One kind of work, with everything needed to write needs and profiles about it."""

    key: str
    esco: str
    sector: str
    titles: tuple[str, ...]
    title_sv: str
    title_en: str
    openers: tuple[str, ...]
    opener_sv: str
    opener_en: str
    duties: tuple[str, ...]
    duties_sv: str
    duties_en: str
    skills: tuple[str, ...]
    nice: tuple[str, ...]
    certificates: tuple[str, ...]
    """Required by a need of this kind (each with some probability) and often held by its workers."""
    demands: tuple[str, ...]
    shifts: tuple[tuple[str, ...], ...]
    hours: tuple[float, ...]
    education: tuple[str, ...]
    history: tuple[str, ...]
    history_sv: str
    history_en: str
    roles: tuple[str, ...]
    role_sv: str
    role_en: str
    places: tuple[str, ...]
    fi_level: str = "B1"


OCCUPATIONS: Final = (
    Occupation(
        key="varasto",
        esco="varastotyöntekijä",
        sector="logistiikka",
        titles=("Varastotyöntekijä", "Keräilijä", "Lähettämötyöntekijä", "Varastotyöntekijä, verkkokauppa"),
        title_sv="Lagerarbetare",
        title_en="Warehouse worker",
        openers=(
            "Verkkokaupan varastoon haetaan lisää tekijöitä keräilyyn ja lähettämöön.",
            "Tukkuvarastomme tarvitsee luotettavan työntekijän tavaran vastaanottoon ja keräilyyn.",
            "Haemme varastoon työntekijää, joka pitää liikkuvasta ja täsmällisestä työstä.",
        ),
        opener_sv="Vi söker en pålitlig lagerarbetare till vårt lager.",
        opener_en="We are looking for a reliable warehouse worker; the working language is English.",
        duties=(
            "tilausten keräily käsipäätteellä",
            "tavaran vastaanotto ja hyllytys",
            "lähetysten pakkaus",
            "inventaarioihin osallistuminen",
            "kuormien purku",
        ),
        duties_sv="Arbetet omfattar plockning, packning och mottagning av varor.",
        duties_en="The work includes order picking, packing and receiving goods.",
        skills=(
            "keräily",
            "käyttää varastotietojärjestelmiä",
            "vastaanottaa tavaraa",
            "pitää varasto järjestyksessä",
            "pakata tuotteita",
        ),
        nice=("käyttää haarukkatrukkia", "käyttää äänikeräysjärjestelmiä", "inventointi"),
        certificates=("trukkikortti",),
        demands=("heavy_lifting", "standing", "repetitive"),
        shifts=(("day",), ("day", "evening"), ("evening",), ("night",)),
        hours=(37.5, 30, 25, 37.5),
        education=("Logistiikan perustutkinto", "Peruskoulu", "Kaupan alan perustutkinto"),
        history=(
            "Olen tehnyt varastotöitä {years} vuotta {place}, lähinnä keräilyä ja lähettämön tehtäviä.",
            "Työskentelin {years} vuotta tukkuliikkeen varastossa, jossa vastasin tavaran vastaanotosta.",
        ),
        history_sv="Jag har arbetat {years} år på lager {place}, mest med plockning och packning.",
        history_en="I worked for {years} years in a warehouse {place}, mostly picking and packing orders.",
        roles=("varastotyöntekijä", "keräilijä", "varastoapulainen"),
        role_sv="lagerarbetare",
        role_en="warehouse worker",
        places=("verkkokaupan varasto", "tukkuliike", "logistiikkakeskus"),
    ),
    Occupation(
        key="trukki",
        esco="trukinkuljettaja",
        sector="logistiikka",
        titles=(
            "Trukinkuljettaja",
            "Trukinkuljettaja, satamaterminaali",
            "Trukinkuljettaja-varastotyöntekijä",
        ),
        title_sv="Truckförare",
        title_en="Forklift driver",
        openers=(
            "Satamaterminaaliin haetaan kokenutta trukinkuljettajaa kuormaukseen ja siirtoihin.",
            "Tuotantolaitoksen sisälogistiikkaan tarvitaan trukinkuljettaja.",
        ),
        opener_sv="Vi söker en erfaren truckförare till vår terminal.",
        opener_en="We need an experienced forklift driver for our terminal.",
        duties=(
            "kuormien lastaus ja purku",
            "lavojen siirrot tuotannon ja varaston välillä",
            "trukin päivittäiset tarkastukset",
            "varastopaikkojen kirjaukset",
        ),
        duties_sv="Arbetet omfattar lastning, lossning och förflyttning av pallar.",
        duties_en="The work includes loading, unloading and moving pallets.",
        skills=(
            "käyttää haarukkatrukkia",
            "kuormaus ja purku",
            "valvoa tavarasiirtoja",
            "tehdä trukkien huoltotarkastuksia",
        ),
        nice=("käyttää varastotietojärjestelmiä", "kurottajan käyttö"),
        certificates=("trukkikortti", "työturvallisuuskortti"),
        demands=("noise", "repetitive"),
        shifts=(("day", "evening"), ("day", "evening", "night"), ("day",)),
        hours=(37.5, 37.5, 30),
        education=("Logistiikan perustutkinto", "Peruskoulu"),
        history=(
            "Olen ajanut trukkia {years} vuotta, viimeksi satamaterminaalissa {place}.",
            "Minulla on {years} vuoden kokemus trukinkuljettajana teollisuuden varastossa.",
        ),
        history_sv="Jag har kört truck i {years} år, senast i en hamnterminal {place}.",
        history_en="I have driven a forklift for {years} years, most recently in a port terminal {place}.",
        roles=("trukinkuljettaja", "varastotyöntekijä"),
        role_sv="truckförare",
        role_en="forklift driver",
        places=("satamaterminaali", "teollisuusvarasto", "rautakaupan varasto"),
    ),
    Occupation(
        key="kuljetus",
        esco="tavaraliikenteen kuljettaja",
        sector="logistiikka",
        titles=("Kuorma-autonkuljettaja (C)", "Jakeluautonkuljettaja", "Kuljettaja, paikallisjakelu"),
        title_sv="Lastbilschaufför",
        title_en="Truck driver",
        openers=(
            "Paikallisjakeluun haetaan kuljettajaa Turun seudulle.",
            "Etsimme kuljettajaa päivittäistavarajakeluun Varsinais-Suomessa.",
        ),
        opener_sv="Vi söker en chaufför för lokal distribution i Åboregionen.",
        opener_en="We are looking for a driver for local deliveries in the Turku region.",
        duties=(
            "tavaran jakelu asiakkaille",
            "kuorman lastaus takalaitanostimella",
            "rahtikirjojen käsittely mobiilisovelluksella",
            "ajoneuvon päivittäiset tarkastukset",
        ),
        duties_sv="Arbetet omfattar distribution av varor till kunder och lastning.",
        duties_en="The work includes delivering goods to customers and loading the truck.",
        skills=("ajaa ajoneuvoja", "noudattaa liikennesääntöjä", "kuormaus ja purku", "asiakaspalvelu"),
        nice=("käyttää paikkatietojärjestelmiä", "ADR-osaaminen"),
        certificates=("ajokortti C", "ammattipätevyys (kuljettaja)"),
        demands=("driving", "heavy_lifting"),
        shifts=(("day",), ("day", "evening")),
        hours=(37.5, 37.5, 30),
        education=("Logistiikan perustutkinto, kuljetuspalvelut", "Peruskoulu"),
        history=(
            "Olen ajanut jakeluautoa {years} vuotta {place} ja lähialueilla.",
            "Minulla on C-kortti ja {years} vuoden kokemus kuorma-autonkuljettajana.",
        ),
        history_sv="Jag har kört distributionsbil i {years} år {place}.",
        history_en="I have {years} years of experience as a delivery truck driver {place}.",
        roles=("kuorma-autonkuljettaja", "jakeluautonkuljettaja"),
        role_sv="lastbilschaufför",
        role_en="delivery driver",
        places=("kuljetusliike", "tukkuliikkeen jakelu", "muuttopalvelu"),
    ),
    Occupation(
        key="siivous",
        esco="laitossiivooja",
        sector="siivous",
        titles=("Siivooja", "Laitoshuoltaja", "Toimitilasiivooja", "Siivooja, osa-aikainen"),
        title_sv="Städare",
        title_en="Cleaner",
        openers=(
            "Toimitilasiivoukseen haetaan huolellista työntekijää keskustan kohteisiin.",
            "Siivousyrityksemme tarvitsee lisää tekijöitä koulujen ja toimistojen ylläpitosiivoukseen.",
            "Haemme siivoojaa vakituisiin kohteisiin; perehdytämme työhön huolellisesti.",
        ),
        opener_sv="Vi söker en noggrann städare till kontor och skolor.",
        opener_en="We are looking for a careful cleaner for offices and schools.",
        duties=(
            "ylläpitosiivous toimistoissa ja porrashuoneissa",
            "lattioiden koneellinen pesu",
            "jätehuolto ja lajittelu",
            "siivoustarvikkeiden täydennys",
        ),
        duties_sv="Arbetet omfattar underhållsstädning, golvvård och sortering av avfall.",
        duties_en="The work includes routine cleaning, floor care and sorting waste.",
        skills=(
            "käyttää siivousvälineitä",
            "käyttää lattianpesuvälineitä",
            "käsitellä kemiallisia puhdistusaineita",
            "lajitella jätettä",
        ),
        nice=("tehdä ympäristöystävällisiä siivoustöitä", "ylläpitosiivous"),
        certificates=(),
        demands=("standing", "repetitive"),
        shifts=(("day",), ("evening",), ("day", "evening")),
        hours=(20, 25, 30, 37.5),
        education=("Puhtaus- ja kiinteistöpalvelualan perustutkinto", "Peruskoulu"),
        history=(
            "Olen siivonnut toimistoja ja kouluja {years} vuotta {place}.",
            "Minulla on {years} vuoden kokemus laitoshuollosta sairaalassa ja palvelutalossa.",
        ),
        history_sv="Jag har städat kontor och skolor i {years} år {place}.",
        history_en="I have worked as a cleaner for {years} years {place}, in offices and schools.",
        roles=("siivooja", "laitoshuoltaja"),
        role_sv="städare",
        role_en="cleaner",
        places=("siivousliike", "sairaala", "palvelutalo", "hotelli"),
        fi_level="A2",
    ),
    Occupation(
        key="kiinteisto",
        esco="kiinteistöhuollon työntekijä",
        sector="siivous",
        titles=("Kiinteistönhoitaja", "Kiinteistöhuollon työntekijä", "Talonmies"),
        title_sv="Fastighetsskötare",
        title_en="Property maintenance worker",
        openers=(
            "Kiinteistöhuoltoyhtiö hakee kiinteistönhoitajaa asuinkiinteistöjen huoltoon.",
            "Tarvitsemme kiinteistöhuollon työntekijän ulkoalueiden hoitoon ja pienkorjauksiin.",
        ),
        opener_sv="Vi söker en fastighetsskötare för bostadsfastigheter.",
        opener_en="We are looking for a property maintenance worker for residential buildings.",
        duties=(
            "kiinteistöjen tarkastuskierrokset",
            "pienet korjaus- ja huoltotyöt",
            "lumityöt ja hiekoitus",
            "piha-alueiden hoito",
        ),
        duties_sv="Arbetet omfattar ronder, små reparationer och snöröjning.",
        duties_en="The work includes inspection rounds, small repairs and snow clearing.",
        skills=(
            "suorittaa tarkastuskierros",
            "suorittaa pieniä huoltotöitä rakennuksen järjestelmiin",
            "lumityöt",
            "viheralueiden hoito",
        ),
        nice=("käsitellä asiakasvalituksia", "traktorin käyttö"),
        certificates=("työturvallisuuskortti", "sähkötyöturvallisuuskortti"),
        demands=("outdoor", "heavy_lifting", "driving"),
        shifts=(("day",), ("day", "weekend")),
        hours=(37.5,),
        education=("Puhtaus- ja kiinteistöpalvelualan perustutkinto", "Talotekniikan perustutkinto"),
        history=(
            "Olen tehnyt kiinteistöhuoltoa {years} vuotta {place}, myös lumitöitä traktorilla.",
            "Työskentelin {years} vuotta talonmiehenä rivitaloyhtiöissä.",
        ),
        history_sv="Jag har arbetat med fastighetsskötsel i {years} år {place}.",
        history_en="I did property maintenance for {years} years {place}.",
        roles=("kiinteistönhoitaja", "talonmies"),
        role_sv="fastighetsskötare",
        role_en="maintenance worker",
        places=("kiinteistöhuoltoyhtiö", "asunto-osakeyhtiö", "kauppakeskus"),
    ),
    Occupation(
        key="kokki",
        esco="kokki",
        sector="ravintola",
        titles=("Kokki", "Lounaskokki", "Ravintolakokki", "Kokki, henkilöstöravintola"),
        title_sv="Kock",
        title_en="Cook",
        openers=(
            "Lounasravintolaan haetaan kokkia, joka nauttii kiireestä ja hyvästä ruoasta.",
            "Henkilöstöravintolamme keittiöön tarvitaan kokki arkipäiviin.",
        ),
        opener_sv="Vi söker en kock till vår lunchrestaurang.",
        opener_en="We are looking for a cook for our lunch restaurant.",
        duties=(
            "lounaan valmistus 200–300 ruokailijalle",
            "erityisruokavalioiden huomioiminen",
            "omavalvonnan kirjaukset",
            "raaka-ainetilaukset",
        ),
        duties_sv="Arbetet omfattar tillredning av lunch och specialdieter.",
        duties_en="The work includes preparing lunch and special diets.",
        skills=(
            "käyttää ruoanvalmistustekniikoita",
            "noudattaa elintarvikehygieniaa",
            "erityisruokavaliot",
            "varastoida elintarvikkeiden raaka-aineita",
        ),
        nice=("ruokalistasuunnittelu", "kylmäkeittiö"),
        certificates=("hygieniapassi",),
        demands=("standing", "heavy_lifting"),
        shifts=(("day",), ("day", "evening", "weekend"), ("evening", "weekend")),
        hours=(37.5, 30),
        education=(
            "Ravintola- ja catering-alan perustutkinto, kokki",
            "Hotelli-, ravintola- ja catering-alan perustutkinto",
        ),
        history=(
            "Olen työskennellyt kokkina {years} vuotta {place}, viimeksi lounasravintolassa.",
            "Minulla on {years} vuoden kokemus suurtalouskeittiöstä ja erityisruokavalioista.",
        ),
        history_sv="Jag har arbetat som kock i {years} år {place}.",
        history_en="I have worked as a cook for {years} years {place}.",
        roles=("kokki", "lounaskokki"),
        role_sv="kock",
        role_en="cook",
        places=("lounasravintola", "henkilöstöravintola", "hotellin keittiö"),
    ),
    Occupation(
        key="keittio",
        esco="keittiöapulainen",
        sector="ravintola",
        titles=("Keittiöapulainen", "Ruokapalvelutyöntekijä", "Tiskaaja-keittiöapulainen"),
        title_sv="Köksbiträde",
        title_en="Kitchen assistant",
        openers=(
            "Keittiöön haetaan keittiöapulaista astiahuoltoon ja salaattien valmistukseen.",
            "Ravintolamme tarvitsee keittiöapulaisen tiskiin ja esivalmisteluun.",
        ),
        opener_sv="Vi söker ett köksbiträde till disk och förberedelser.",
        opener_en="We need a kitchen assistant for dishwashing and food preparation.",
        duties=(
            "astiahuolto ja tiskikoneen käyttö",
            "salaattien ja kylmien ruokien valmistus",
            "linjaston täyttö",
            "keittiön siivous",
        ),
        duties_sv="Arbetet omfattar disk, sallader och städning av köket.",
        duties_en="The work includes dishwashing, salads and cleaning the kitchen.",
        skills=(
            "käyttää astianpesukonetta",
            "puhdistaa ruoanvalmistusalue",
            "valmistaa salaatteja",
            "noudattaa elintarvikehygieniaa",
        ),
        nice=("erityisruokavaliot", "asiakaspalvelu"),
        certificates=("hygieniapassi",),
        demands=("standing", "repetitive"),
        shifts=(("day",), ("day", "evening")),
        hours=(20, 25, 30, 37.5),
        education=("Ravintola- ja catering-alan perustutkinto", "Peruskoulu"),
        history=(
            "Olen ollut keittiöapulaisena {years} vuotta {place}, astiahuollossa ja salaattipöydässä.",
            "Tein {years} vuotta tiski- ja keittiötöitä pizzeriassa ja lounasravintolassa.",
        ),
        history_sv="Jag har arbetat som köksbiträde i {years} år {place}.",
        history_en="I worked as a kitchen assistant for {years} years {place}.",
        roles=("keittiöapulainen", "tiskaaja"),
        role_sv="köksbiträde",
        role_en="kitchen assistant",
        places=("koulukeittiö", "lounasravintola", "pizzeria"),
        fi_level="A2",
    ),
    Occupation(
        key="tarjoilu",
        esco="tarjoilija",
        sector="ravintola",
        titles=("Tarjoilija", "Baarityöntekijä", "Salityöntekijä"),
        title_sv="Servitör",
        title_en="Waiter",
        openers=(
            "Ravintolaan haetaan tarjoilijaa ympärivuotiseen työhön.",
            "Ravintolamme hakee iloista salityöntekijää ilta- ja viikonloppuvuoroihin.",
        ),
        opener_sv="Vi söker en glad servitör till kvälls- och helgskift.",
        opener_en="We are looking for a cheerful waiter for evening and weekend shifts.",
        duties=(
            "asiakkaiden palvelu ja tilausten vastaanotto",
            "ruokien ja juomien tarjoilu",
            "kassatyö",
            "salin siistinä pito",
        ),
        duties_sv="Arbetet omfattar servering, kassa och kundservice.",
        duties_en="The work includes serving food and drinks and customer service.",
        skills=(
            "tarjoilla ruokaa pöytiin",
            "asiakaspalvelu",
            "käsitellä maksuja",
            "ruokalistan ruoat ja juomat",
        ),
        nice=("tarjoilla viinejä", "ruotsin kieli"),
        certificates=("hygieniapassi", "anniskelupassi"),
        demands=("standing",),
        shifts=(("evening", "weekend"), ("day", "evening", "weekend")),
        hours=(20, 25, 30),
        education=("Ravintola- ja catering-alan perustutkinto, tarjoilija", "Ylioppilas"),
        history=(
            "Olen tarjoillut {years} vuotta {place}, sekä lounaalla että iltaisin.",
            "Minulla on {years} vuoden kokemus ravintolasalista ja baarityöstä.",
        ),
        history_sv="Jag har arbetat som servitör i {years} år {place}.",
        history_en="I have worked as a waiter for {years} years {place}.",
        roles=("tarjoilija", "baarityöntekijä"),
        role_sv="servitör",
        role_en="waiter",
        places=("ravintola", "hotelli", "kahvila"),
    ),
    Occupation(
        key="myyja",
        esco="myymäläapulainen",
        sector="kauppa",
        titles=("Myyjä", "Myymälätyöntekijä", "Kassamyyjä", "Myyjä, rautakauppa"),
        title_sv="Butiksbiträde",
        title_en="Shop assistant",
        openers=(
            "Kauppaamme haetaan myyjää kassalle ja hyllytykseen.",
            "Haemme asiakaspalveluhenkistä myyjää myymäläämme.",
        ),
        opener_sv="Vi söker ett kundinriktat butiksbiträde.",
        opener_en="We are looking for a customer-minded shop assistant.",
        duties=(
            "asiakaspalvelu ja kassatyö",
            "tuotteiden hyllytys ja hinnoittelu",
            "kuormien vastaanotto",
            "myymälän siisteydestä huolehtiminen",
        ),
        duties_sv="Arbetet omfattar kassa, påfyllning och kundservice.",
        duties_en="The work includes the till, restocking shelves and serving customers.",
        skills=("asiakaspalvelu", "hoitaa kassaa", "hyllytys", "opastaa asiakasta tuotteen valinnassa"),
        nice=("käsitellä maksuja", "myynti"),
        certificates=(),
        demands=("standing", "repetitive"),
        shifts=(("day", "evening"), ("evening", "weekend"), ("day", "evening", "weekend")),
        hours=(20, 25, 30, 37.5),
        education=("Kaupan alan perustutkinto", "Liiketalouden perustutkinto", "Ylioppilas"),
        history=(
            "Olen ollut myyjänä {years} vuotta {place}, kassalla ja hyllytyksessä.",
            "Työskentelin {years} vuotta rautakaupassa asiakaspalvelussa.",
        ),
        history_sv="Jag har arbetat som butiksbiträde i {years} år {place}.",
        history_en="I worked as a shop assistant for {years} years {place}.",
        roles=("myyjä", "kassamyyjä"),
        role_sv="butiksbiträde",
        role_en="shop assistant",
        places=("päivittäistavarakauppa", "rautakauppa", "vaatekauppa"),
    ),
    Occupation(
        key="hoiva",
        esco="lähihoitaja",
        sector="hoiva",
        titles=("Lähihoitaja", "Lähihoitaja, kotihoito", "Hoiva-avustaja", "Lähihoitaja, palvelutalo"),
        title_sv="Närvårdare",
        title_en="Practical nurse",
        openers=(
            "Hoivakotiin haetaan lähihoitajaa vakituiseen työsuhteeseen.",
            "Kotihoidon tiimiin tarvitaan lähihoitaja tai hoiva-avustaja.",
        ),
        opener_sv="Vi söker en närvårdare till vårt vårdhem.",
        opener_en="We are looking for a practical nurse for our care home.",
        duties=(
            "asukkaiden avustaminen päivittäisissä toiminnoissa",
            "lääkehoidon toteutus",
            "kirjaaminen potilastietojärjestelmään",
            "ulkoilu ja virikehetket asukkaiden kanssa",
        ),
        duties_sv="Arbetet omfattar daglig vård, läkemedel och dokumentation.",
        duties_en="The work includes daily care, medication and documentation.",
        skills=(
            "tarjota potilaille tukea perustoiminnoissa",
            "lääkehoito",
            "kirjaaminen",
            "tuntea empatiaa terveydenhuollon asiakasta kohtaan",
        ),
        nice=("muistisairaan hoito", "ruotsin kieli"),
        certificates=("ensiapukortti EA1",),
        demands=("heavy_lifting", "standing"),
        shifts=(("day", "evening"), ("day", "evening", "night", "weekend"), ("night",)),
        hours=(37.5, 30, 25),
        education=("Sosiaali- ja terveysalan perustutkinto, lähihoitaja", "Hoiva-avustajan koulutus"),
        history=(
            "Olen työskennellyt lähihoitajana {years} vuotta {place}, enimmäkseen vanhustyössä.",
            "Minulla on {years} vuoden kokemus kotihoidosta ja muistisairaiden hoidosta.",
        ),
        history_sv="Jag har arbetat som närvårdare i {years} år {place}, främst inom äldrevården.",
        history_en="I worked in elderly care for {years} years {place}.",
        roles=("lähihoitaja", "hoiva-avustaja"),
        role_sv="närvårdare",
        role_en="care assistant",
        places=("hoivakoti", "kotihoito", "palvelutalo"),
        fi_level="B2",
    ),
    Occupation(
        key="rakennus",
        esco="rakennusalan avustava työntekijä",
        sector="rakentaminen",
        titles=("Rakennustyöntekijä", "Rakennusalan avustava työntekijä", "Talonrakentaja", "Kirvesmies"),
        title_sv="Byggarbetare",
        title_en="Construction worker",
        openers=(
            "Rakennusliike hakee työntekijää asuinkerrostalokohteeseen.",
            "Remonttiyritys tarvitsee rakennustyöntekijän pientalojen korjaustöihin.",
        ),
        opener_sv="Vi söker en byggarbetare till våra renoveringsprojekt.",
        opener_en="We are looking for a construction worker for our building sites.",
        duties=(
            "muottityöt ja betonoinnin avustaminen",
            "työmaan siisteys ja materiaalien siirrot",
            "purkutyöt",
            "puurakenteiden asennus",
        ),
        duties_sv="Arbetet omfattar formarbete, rivning och att hålla bygget i ordning.",
        duties_en="The work includes formwork, demolition and keeping the site tidy.",
        skills=(
            "noudattaa terveys- ja turvallisuuskäytäntöjä rakennustyömaalla",
            "kuljettaa rakennustarvikkeita",
            "muottityöt",
            "käyttää käsityökaluja",
        ),
        nice=("lukea piirustuksia", "telinetyöt"),
        certificates=("työturvallisuuskortti", "tulityökortti"),
        demands=("heavy_lifting", "outdoor", "noise"),
        shifts=(("day",),),
        hours=(37.5, 40),
        education=("Rakennusalan perustutkinto", "Peruskoulu"),
        history=(
            "Olen tehnyt rakennustöitä {years} vuotta {place}, muotti- ja purkutöitä.",
            "Työskentelin {years} vuotta kirvesmiehenä pientalotyömailla.",
        ),
        history_sv="Jag har arbetat på byggen i {years} år {place}.",
        history_en="I worked on construction sites for {years} years {place}.",
        roles=("rakennustyöntekijä", "kirvesmies"),
        role_sv="byggarbetare",
        role_en="construction worker",
        places=("rakennusliike", "remonttiyritys"),
    ),
    Occupation(
        key="maalari",
        esco="rakennusmaalari",
        sector="rakentaminen",
        titles=("Rakennusmaalari", "Maalari", "Maalari-tasoitetyöntekijä"),
        title_sv="Byggnadsmålare",
        title_en="Painter",
        openers=(
            "Maalausliike hakee maalaria sisä- ja julkisivukohteisiin.",
            "Tarvitsemme maalarin asuntoremontteihin.",
        ),
        opener_sv="Vi söker en målare till inomhus- och fasadarbeten.",
        opener_en="We are looking for a painter for interior and facade work.",
        duties=(
            "pintojen esikäsittely ja tasoitus",
            "sisämaalaus",
            "julkisivujen maalaus kesäkaudella",
            "työkohteen suojaus",
        ),
        duties_sv="Arbetet omfattar spackling, målning och skydd av ytor.",
        duties_en="The work includes preparing surfaces, filling and painting.",
        skills=(
            "valmistella pinta maalaamista varten",
            "maalityypit",
            "suojata pinnat rakennustyön ajaksi",
            "tasoitetyöt",
        ),
        nice=("tapetointi",),
        certificates=("työturvallisuuskortti",),
        demands=("standing", "outdoor", "repetitive"),
        shifts=(("day",),),
        hours=(37.5,),
        education=("Pintakäsittelyalan perustutkinto", "Rakennusalan perustutkinto"),
        history=(
            "Olen maalannut {years} vuotta {place}, sekä sisätiloja että julkisivuja.",
            "Minulla on {years} vuoden kokemus tasoite- ja maalaustöistä.",
        ),
        history_sv="Jag har arbetat som målare i {years} år {place}.",
        history_en="I worked as a painter for {years} years {place}.",
        roles=("rakennusmaalari", "maalari"),
        role_sv="målare",
        role_en="painter",
        places=("maalausliike", "rakennusliike"),
    ),
    Occupation(
        key="hitsaus",
        esco="hitsaaja",
        sector="metalli",
        titles=("Hitsaaja", "MIG/MAG-hitsaaja", "Levyseppä-hitsaaja"),
        title_sv="Svetsare",
        title_en="Welder",
        openers=(
            "Konepaja hakee hitsaajaa teräsrakenteiden valmistukseen.",
            "Telakan alihankkijana toimiva yritys tarvitsee MIG/MAG-hitsaajia.",
        ),
        opener_sv="Vi söker en svetsare för tillverkning av stålkonstruktioner.",
        opener_en="We need MIG/MAG welders for steel structures; shipyard subcontracting.",
        duties=(
            "teräsrakenteiden MIG/MAG-hitsaus",
            "osien silloitus ja esivalmistelu",
            "hitsaussaumojen silmämääräinen tarkastus",
            "työpisteen siisteys",
        ),
        duties_sv="Arbetet omfattar MIG/MAG-svetsning och förberedelse av delar.",
        duties_en="The work includes MIG/MAG welding and preparing parts.",
        skills=(
            "käyttää kaarihitsauksen tekniikoita",
            "lukea tavanomaisia piirustuksia",
            "liittää metalleja",
            "havaita virheitä metallissa",
        ),
        nice=("TIG-hitsaus", "käyttää metallintyöstötyökaluja"),
        certificates=("hitsauspätevyys", "tulityökortti"),
        demands=("noise", "standing", "heavy_lifting"),
        shifts=(("day",), ("day", "evening")),
        hours=(37.5,),
        education=("Kone- ja tuotantotekniikan perustutkinto, hitsaaja", "Metallialan perustutkinto"),
        history=(
            "Olen hitsannut {years} vuotta {place}, pääasiassa MIG/MAG-hitsausta.",
            "Työskentelin {years} vuotta telakan alihankkijalla levyseppä-hitsaajana.",
        ),
        history_sv="Jag har arbetat som svetsare i {years} år {place}.",
        history_en="I have worked as a welder for {years} years {place}.",
        roles=("hitsaaja", "levyseppä-hitsaaja"),
        role_sv="svetsare",
        role_en="welder",
        places=("konepaja", "telakan alihankkija"),
    ),
    Occupation(
        key="koneistus",
        esco="cnc-koneistaja",
        sector="metalli",
        titles=("CNC-koneistaja", "CNC-operaattori", "Koneistaja"),
        title_sv="CNC-operatör",
        title_en="CNC machinist",
        openers=(
            "Alihankintakonepaja hakee CNC-koneistajaa sorvaus- ja jyrsintätöihin.",
            "Tarvitsemme CNC-operaattorin kaksivuorotyöhön.",
        ),
        opener_sv="Vi söker en CNC-operatör för svarvning och fräsning.",
        opener_en="We are looking for a CNC machinist for turning and milling.",
        duties=(
            "CNC-sorvin ja -jyrsinkoneen käyttö",
            "työkappaleiden mittaus",
            "asetukset ja ohjelmien muokkaus",
            "laadun seuranta",
        ),
        duties_sv="Arbetet omfattar CNC-maskiner, mätning och inställningar.",
        duties_en="The work includes running CNC machines, measuring and set-ups.",
        skills=(
            "asettaa koneeseen tarvittavia työstöosia",
            "käyttää tarkkuusmittausvälineitä",
            "lukea tavanomaisia piirustuksia",
            "CNC-ohjelmointi",
        ),
        nice=("käyttää tietokoneavusteisen valmistuksen ohjelmistoja",),
        certificates=(),
        demands=("noise", "standing"),
        shifts=(("day", "evening"), ("day",)),
        hours=(37.5,),
        education=("Kone- ja tuotantotekniikan perustutkinto", "Koneistajan ammattitutkinto"),
        history=(
            "Olen koneistanut {years} vuotta {place}, sekä sorvilla että jyrsinkoneella.",
            "Minulla on {years} vuoden kokemus CNC-koneistuksesta ja mittauksesta.",
        ),
        history_sv="Jag har arbetat med CNC-bearbetning i {years} år {place}.",
        history_en="I have {years} years of experience as a CNC machinist {place}.",
        roles=("cnc-koneistaja", "koneistaja"),
        role_sv="CNC-operatör",
        role_en="CNC machinist",
        places=("konepaja", "alihankintakonepaja"),
    ),
    Occupation(
        key="kokoonpano",
        esco="valmistusalan avustava työntekijä",
        sector="metalli",
        titles=("Kokoonpanija", "Tuotantotyöntekijä", "Kokoonpanotyöntekijä"),
        title_sv="Montör",
        title_en="Assembly worker",
        openers=(
            "Tuotantolinjallemme haetaan kokoonpanijaa. Koulutamme tehtävään.",
            "Metalliteollisuuden yritys tarvitsee tuotantotyöntekijöitä kokoonpanoon.",
        ),
        opener_sv="Vi söker montörer till vår produktionslinje; vi lär upp dig.",
        opener_en="We are looking for assembly workers for our production line; training provided.",
        duties=(
            "komponenttien kokoonpano työohjeiden mukaan",
            "pakkaus ja merkintä",
            "laaduntarkastus",
            "materiaalien täydennys linjalle",
        ),
        duties_sv="Arbetet omfattar montering enligt instruktioner och packning.",
        duties_en="The work includes assembling parts following instructions and packing.",
        skills=("kokoonpano", "noudattaa kirjallisia ohjeita", "käyttää käsityökaluja", "laaduntarkastus"),
        nice=("käyttää tarkkuusmittausvälineitä", "trukin käyttö"),
        certificates=(),
        demands=("repetitive", "standing"),
        shifts=(("day",), ("day", "evening"), ("day", "evening", "night")),
        hours=(37.5, 30),
        education=("Kone- ja tuotantotekniikan perustutkinto", "Peruskoulu"),
        history=(
            "Olen tehnyt kokoonpanotyötä {years} vuotta {place}.",
            "Työskentelin {years} vuotta tehtaan tuotantolinjalla kolmivuorotyössä.",
        ),
        history_sv="Jag har arbetat med montering i {years} år {place}.",
        history_en="I worked on an assembly line for {years} years {place}.",
        roles=("kokoonpanija", "tuotantotyöntekijä"),
        role_sv="montör",
        role_en="assembly worker",
        places=("konepaja", "elektroniikkatehdas", "huonekalutehdas"),
        fi_level="A2",
    ),
    Occupation(
        key="it",
        esco="ICT-teknikko",
        sector="it",
        titles=("IT-tukihenkilö", "Lähitukiasentaja", "Helpdesk-tukihenkilö"),
        title_sv="IT-supporttekniker",
        title_en="IT support specialist",
        openers=(
            "IT-palveluyritys hakee tukihenkilöä asiakkaiden lähi- ja etätukeen.",
            "Tarvitsemme helpdeskiin tukihenkilön, joka ratkoo käyttäjien ongelmia puhelimessa ja etänä.",
        ),
        opener_sv="Vi söker en IT-supporttekniker till vår helpdesk.",
        opener_en="We are hiring an IT support specialist for our English-speaking helpdesk.",
        duties=(
            "käyttäjätuki puhelimessa ja etäyhteydellä",
            "työasemien asennus ja käyttöönotto",
            "käyttäjätunnusten hallinta",
            "tukipyyntöjen kirjaus tikettijärjestelmään",
        ),
        duties_sv="Arbetet omfattar användarstöd, installationer och ärendehantering.",
        duties_en="The work includes user support by phone and remote, laptop set-ups and ticket handling.",
        skills=(
            "tarjota ICT-tukea",
            "asentaa ohjelmistoja",
            "vianmääritys",
            "Microsoft 365",
            "asiakaspalvelu",
        ),
        nice=("verkkojen perusteet", "PowerShell", "englannin kieli"),
        certificates=(),
        demands=(),
        shifts=(("day",), ("day", "evening")),
        hours=(37.5, 30),
        education=(
            "Tieto- ja viestintätekniikan perustutkinto",
            "Tradenomi (tietojenkäsittely)",
            "Ylioppilas",
        ),
        history=(
            "Olen tehnyt IT-tukea {years} vuotta {place}, sekä lähitukea että helpdeskiä.",
            "Minulla on {years} vuoden kokemus työasemien asennuksesta ja käyttäjätuesta.",
        ),
        history_sv="Jag har arbetat med IT-support i {years} år {place}.",
        history_en="I have worked in IT support for {years} years {place}, mostly helpdesk and set-ups.",
        roles=("IT-tukihenkilö", "lähitukiasentaja"),
        role_sv="IT-supporttekniker",
        role_en="IT support specialist",
        places=("IT-palveluyritys", "kunnan IT-palvelut", "elektroniikkaliike"),
        fi_level="B2",
    ),
    Occupation(
        key="puisto",
        esco="viheralueiden hoitaja",
        sector="viher",
        titles=("Puistotyöntekijä", "Viheralueiden hoitaja", "Kausityöntekijä, viheralueet"),
        title_sv="Parkarbetare",
        title_en="Park worker",
        openers=(
            "Viherrakennusyritys hakee työntekijöitä puistojen ja pihojen hoitoon.",
            "Haemme viheralueiden hoitajaa puistokohteisiin.",
        ),
        opener_sv="Vi söker parkarbetare för skötsel av parker och gårdar.",
        opener_en="We are looking for park workers to look after parks and yards.",
        duties=("nurmikoiden leikkuu", "istutukset ja kitkentä", "roskien keruu", "pensasleikkaukset"),
        duties_sv="Arbetet omfattar gräsklippning, planteringar och skräpplockning.",
        duties_en="The work includes mowing, planting and picking up litter.",
        skills=("leikata nurmikkoa", "istuttaa kasveja", "käyttää puutarhakoneita", "viheralueiden hoito"),
        nice=("raivaussahan käyttö", "lumityöt"),
        certificates=("työturvallisuuskortti",),
        demands=("outdoor", "heavy_lifting", "noise"),
        shifts=(("day",),),
        hours=(37.5, 30),
        education=("Puutarha-alan perustutkinto", "Luonto- ja ympäristöalan perustutkinto", "Peruskoulu"),
        history=(
            "Olen tehnyt puisto- ja pihatöitä {years} kesää {place}.",
            "Minulla on {years} vuoden kokemus viheralueiden hoidosta ja puutarhakoneista.",
        ),
        history_sv="Jag har arbetat med parker och trädgårdar i {years} år {place}.",
        history_en="I have done park and garden work for {years} seasons {place}.",
        roles=("puistotyöntekijä", "viheralueiden hoitaja"),
        role_sv="parkarbetare",
        role_en="park worker",
        places=("viherrakennusyritys", "kaupungin puistot", "taimitarha"),
        fi_level="A2",
    ),
    Occupation(
        key="koulu",
        esco="koulunkäynninohjaaja, peruskoulun alaluokat",
        sector="koulu",
        titles=("Koulunkäynninohjaaja", "Koulunkäyntiavustaja", "Koulunkäynninohjaaja, erityisluokka"),
        title_sv="Skolgångsbiträde",
        title_en="Teaching assistant",
        openers=(
            "Alakouluun haetaan koulunkäynninohjaajaa tukemaan oppilaita luokassa.",
            "Tarvitsemme koulunkäynninohjaajan pienryhmään lukuvuoden loppuun.",
        ),
        opener_sv="Vi söker ett skolgångsbiträde till lågstadiet.",
        opener_en="We are looking for a teaching assistant for a primary school.",
        duties=(
            "oppilaiden tukeminen oppitunneilla",
            "välituntivalvonta",
            "ruokailussa avustaminen",
            "yhteistyö opettajan kanssa",
        ),
        duties_sv="Arbetet omfattar stöd till elever, rastvakt och hjälp vid måltider.",
        duties_en="The work includes supporting pupils in class, break supervision and lunch.",
        skills=(
            "toimia opettajan tukena",
            "suorittaa välituntivalvontaa",
            "tukea lasten hyvinvointia",
            "käsitellä lasten ongelmia",
        ),
        nice=("tukiviittomat", "kuvakommunikaatio"),
        certificates=("ensiapukortti EA1",),
        demands=(),
        shifts=(("day",),),
        hours=(30, 32.5, 25),
        education=("Kasvatus- ja ohjausalan perustutkinto", "Ylioppilas"),
        history=(
            "Olen toiminut koulunkäynninohjaajana {years} vuotta {place}.",
            "Minulla on {years} vuoden kokemus erityislasten ohjaamisesta koulussa ja iltapäiväkerhossa.",
        ),
        history_sv="Jag har arbetat som skolgångsbiträde i {years} år {place}.",
        history_en="I worked as a teaching assistant for {years} years {place}.",
        roles=("koulunkäynninohjaaja", "iltapäiväkerhon ohjaaja"),
        role_sv="skolgångsbiträde",
        role_en="teaching assistant",
        places=("alakoulu", "iltapäiväkerho"),
        fi_level="B2",
    ),
    Occupation(
        key="varhaiskasvatus",
        esco="lastenhoitaja, päiväkoti",
        sector="koulu",
        titles=("Lastenhoitaja", "Varhaiskasvatuksen lastenhoitaja"),
        title_sv="Barnskötare",
        title_en="Childcare worker",
        openers=(
            "Päiväkotiin haetaan lastenhoitajaa 3–5-vuotiaiden ryhmään.",
            "Varhaiskasvatukseen tarvitaan lastenhoitaja sijaisuuteen.",
        ),
        opener_sv="Vi söker en barnskötare till daghemmet.",
        opener_en="We are looking for a childcare worker for a day-care centre.",
        duties=("lasten hoito ja ohjaus", "ulkoilu ja ruokailu", "päivälepo", "yhteistyö vanhempien kanssa"),
        duties_sv="Arbetet omfattar vård och fostran, utevistelse och måltider.",
        duties_en="The work includes caring for children, outdoor play and meals.",
        skills=("lasten perushoito", "tukea lasten hyvinvointia", "leikkien ohjaaminen"),
        nice=("musiikki", "kuvakommunikaatio"),
        certificates=("ensiapukortti EA1",),
        demands=("standing", "outdoor"),
        shifts=(("day",), ("day", "evening")),
        hours=(37.5, 30),
        education=(
            "Kasvatus- ja ohjausalan perustutkinto",
            "Sosiaali- ja terveysalan perustutkinto, lasten ja nuorten hoito",
        ),
        history=(
            "Olen työskennellyt päiväkodissa {years} vuotta {place}.",
            "Minulla on {years} vuoden kokemus lastenhoitajana ja perhepäivähoitajana.",
        ),
        history_sv="Jag har arbetat på daghem i {years} år {place}.",
        history_en="I worked in a day-care centre for {years} years {place}.",
        roles=("lastenhoitaja", "perhepäivähoitaja"),
        role_sv="barnskötare",
        role_en="childcare worker",
        places=("päiväkoti", "perhepäivähoito"),
        fi_level="B2",
    ),
)
OCCUPATION: Final = {o.key: o for o in OCCUPATIONS}

SECTOR_TOL: Final = {
    "logistiikka": "H",
    "siivous": "N",
    "ravintola": "I",
    "kauppa": "G",
    "hoiva": "Q",
    "rakentaminen": "F",
    "metalli": "C",
    "it": "J",
    "viher": "N",
    "koulu": "P",
}


@dataclass(frozen=True)
class Employer:
    """An invented firm or municipal unit: name, home, what it employs people for."""

    name: str
    municipality: str
    work: tuple[str, ...]
    sector: str
    size: str = "small"
    language: str = "fi"
    municipal: bool = False

    @property
    def kind(self) -> str:
        """The organisation's kind as the demo records it: the municipal units are public bodies."""
        return "public_body" if self.municipal else "firm"


EMPLOYERS: Final = (
    Employer("Lounais-Suomen Logistiikka Oy", "Turku", ("varasto", "trukki"), "H", "large"),
    Employer("Aurajoen Kuljetus Oy", "Lieto", ("kuljetus", "varasto"), "H", "medium"),
    Employer("Raision Varastopalvelut Oy", "Raisio", ("varasto", "trukki"), "H", "medium"),
    Employer("Liedon Terminaali Oy", "Lieto", ("trukki", "varasto", "kuljetus"), "H", "medium"),
    Employer("Kaarinan Pakettijakelu Oy", "Kaarina", ("kuljetus", "varasto"), "H"),
    Employer("Naantalin Satamahuolinta Oy", "Naantali", ("trukki", "varasto"), "H", "medium"),
    Employer("Kiiltoset Siivouspalvelut Oy", "Turku", ("siivous",), "N", "medium"),
    Employer("Puhdas Arki Oy", "Kaarina", ("siivous",), "N", "small"),
    Employer("Raision Kiinteistöhuolto Oy", "Raisio", ("kiinteisto", "siivous"), "N", "medium"),
    Employer("Naantalin Isännöinti ja Huolto Oy", "Naantali", ("kiinteisto",), "L", "small"),
    Employer("Pargas Städservice Ab", "Parainen", ("siivous",), "N", "micro", "sv"),
    Employer("Maskun Kotipalvelu Oy", "Masku", ("siivous",), "N", "micro"),
    Employer("Ravintola Aurankulma Oy", "Turku", ("kokki", "tarjoilu", "keittio"), "I", "small"),
    Employer("Lounasravintola Pippuri Oy", "Kaarina", ("kokki", "keittio"), "I", "small"),
    Employer("Restaurang Skärgårdsbris Ab", "Parainen", ("tarjoilu", "kokki"), "I", "micro", "sv"),
    Employer("Maskun Maalaiskeittiö Oy", "Masku", ("kokki", "keittio"), "I", "micro"),
    Employer("Paimion Grilli ja Pizzeria Oy", "Paimio", ("keittio", "tarjoilu"), "I", "micro"),
    Employer("Henkilöstöravintolat Lautanen Oy", "Raisio", ("kokki", "keittio"), "I", "medium"),
    Employer("Hotelli Merisatama Oy", "Naantali", ("tarjoilu", "siivous", "keittio"), "I", "medium"),
    Employer("Lähikauppa Kuusisto Oy", "Kaarina", ("myyja",), "G", "small"),
    Employer("Raision Rautakeskus Oy", "Raisio", ("myyja", "varasto"), "G", "medium"),
    Employer("Kukka ja Puutarha Lehtinen Oy", "Lieto", ("myyja", "puisto"), "G", "micro"),
    Employer("Mynämäen Maatalouskauppa Oy", "Mynämäki", ("myyja", "varasto"), "G", "small"),
    Employer("Turun Elektroniikkatori Oy", "Turku", ("myyja", "it"), "G", "small"),
    Employer("Pargas Byabutik Ab", "Parainen", ("myyja",), "G", "micro", "sv"),
    Employer("Auran Lähimarket Oy", "Aura", ("myyja",), "G", "micro"),
    Employer("Hoivakoti Ruusula Oy", "Kaarina", ("hoiva", "keittio"), "Q", "medium"),
    Employer("Kotihoito Lähimmäinen Oy", "Turku", ("hoiva",), "Q", "small"),
    Employer("Palvelutalo Kaislaranta Oy", "Naantali", ("hoiva", "siivous"), "Q", "medium"),
    Employer("Omsorgshemmet Solgläntan Ab", "Parainen", ("hoiva",), "Q", "small", "sv"),
    Employer("Liedon Rakennus ja Remontti Oy", "Lieto", ("rakennus", "maalari"), "F", "small"),
    Employer("Aura Kattotyö Oy", "Aura", ("rakennus",), "F", "micro"),
    Employer("Maalausliike Salonen Oy", "Turku", ("maalari",), "F", "small"),
    Employer("Skärgårdens Bygg Ab", "Parainen", ("rakennus",), "F", "small", "sv"),
    Employer("Rusko Rakenne Oy", "Rusko", ("rakennus",), "F", "small"),
    Employer("Paimion Pintakäsittely Oy", "Paimio", ("maalari", "rakennus"), "F", "micro"),
    Employer("Raision Konepaja Oy", "Raisio", ("hitsaus", "koneistus", "kokoonpano"), "C", "large"),
    Employer("Maskun Metallityö Oy", "Masku", ("hitsaus", "kokoonpano"), "C", "medium"),
    Employer("Lieto Steel Components Oy", "Lieto", ("koneistus", "kokoonpano"), "C", "medium"),
    Employer("Nousiaisten Hitsaamo Oy", "Nousiainen", ("hitsaus",), "C", "micro"),
    Employer("Telakkapalvelu Aalto Oy", "Turku", ("hitsaus", "kokoonpano"), "C", "medium"),
    Employer("Mynämäen Teräsrakenne Oy", "Mynämäki", ("hitsaus", "koneistus"), "C", "small"),
    Employer("Leipomo Vehnäsaari Oy", "Raisio", ("keittio", "varasto"), "C", "medium"),
    Employer("Aurajoki IT-tuki Oy", "Turku", ("it",), "J", "small"),
    Employer("Nordic Helpdesk Services Oy", "Turku", ("it",), "J", "medium", "en"),
    Employer("Kaarinan Tietotekniikka Oy", "Kaarina", ("it", "myyja"), "J", "micro"),
    Employer("Viherpalvelu Pajuniemi Oy", "Kaarina", ("puisto", "kiinteisto"), "N", "small"),
    Employer("Piha- ja puutarhapalvelu Nurmi Oy", "Rusko", ("puisto",), "N", "micro"),
    Employer("Turun kaupunki, vanhuspalvelut", "Turku", ("hoiva", "keittio"), "Q", "large", municipal=True),
    Employer("Turun kaupunki, perusopetus", "Turku", ("koulu",), "P", "large", municipal=True),
    Employer(
        "Turun kaupunki, kiinteistöt ja puistot",
        "Turku",
        ("puisto", "kiinteisto"),
        "N",
        "large",
        municipal=True,
    ),
    Employer(
        "Kaarinan kaupunki, ruokapalvelut", "Kaarina", ("kokki", "keittio"), "I", "medium", municipal=True
    ),
    Employer("Liedon kunta, varhaiskasvatus", "Lieto", ("varhaiskasvatus",), "P", "medium", municipal=True),
    Employer(
        "Raision kaupunki, liikunta- ja kulttuuripalvelut",
        "Raisio",
        ("siivous",),
        "R",
        "medium",
        municipal=True,
    ),
    Employer(
        "Naantalin kaupunki, kirjasto- ja kulttuuripalvelut", "Naantali", (), "R", "small", municipal=True
    ),
    Employer(
        "Paimion kaupunki, tekninen toimi", "Paimio", ("kiinteisto", "puisto"), "O", "small", municipal=True
    ),
    Employer(
        "Paraisten kaupunki, vanhuspalvelut", "Parainen", ("hoiva",), "Q", "medium", "sv", municipal=True
    ),
    Employer("Maskun kunta, sivistyspalvelut", "Masku", ("koulu",), "P", "small", municipal=True),
    Employer("Mynämäen kunta, tekninen toimi", "Mynämäki", ("puisto",), "O", "small", municipal=True),
    Employer("Auran kunta, vapaa-aikapalvelut", "Aura", (), "R", "micro", municipal=True),
    Employer("Ruskon kunta, kotihoito", "Rusko", ("hoiva",), "Q", "small", municipal=True),
    Employer("Nousiaisten kunta, ruokapalvelut", "Nousiainen", ("keittio",), "I", "small", municipal=True),
)


@dataclass(frozen=True)
class AssistiveTask:
    """A task carved out of municipal work for someone who is not (yet) able to do the whole job."""

    employer: str
    unit: str
    title: str
    description: str
    occupation: str
    skills: tuple[str, ...]
    demands: tuple[str, ...]
    hours: float
    shifts: tuple[str, ...] = ("day",)
    language: str = "fi"
    languages: tuple[tuple[str, str], ...] = (("fi", "A2"),)
    certificates: tuple[str, ...] = ()


ASSISTIVE_TASKS: Final = (
    AssistiveTask(
        "Turun kaupunki, vanhuspalvelut",
        "Palvelutalo Kuusikko",
        "Avustava työntekijä, palvelutalon ulkoilu ja virikehetket",
        "Palvelutalon asukkaat kaipaavat seuraa ulkoiluun ja arjen virikehetkiin. Tehtävään kuuluu"
        " ulkoilua asukkaiden kanssa, pelien ja lukuhetkien järjestämistä sekä kahvituksessa"
        " avustamista. Hoitotyötä ei tehdä; työparina on aina hoitaja.",
        "ohjaaja, ikääntyneiden hoivakoti",
        ("ulkoilu asukkaiden kanssa", "viriketoiminta", "vuorovaikutus ikäihmisten kanssa"),
        ("outdoor",),
        20,
    ),
    AssistiveTask(
        "Turun kaupunki, vanhuspalvelut",
        "Palvelukeskus Ruusupuisto",
        "Ruokasaliavustaja, palvelukeskus",
        "Lounasaikaan palvelukeskuksen ruokasalissa tarvitaan apua: ruokien annostelu, astioiden keruu"
        " ja pöytien pyyhintä. Työ on säännöllistä arkipäivisin klo 10–14.",
        "keittiöapulainen",
        ("ruokien annostelu", "asiakaspalvelu", "puhdistaa pintoja"),
        ("standing",),
        20,
    ),
    AssistiveTask(
        "Turun kaupunki, vanhuspalvelut",
        "Kotihoidon tukipalvelut",
        "Avustava työntekijä, vaatehuolto ja liinavaatteet",
        "Palvelutalon pyykkihuollossa lajitellaan, taitellaan ja jaetaan asukkaiden vaatteita ja"
        " liinavaatteita. Työ on rauhallista ja sen voi oppia vaihe vaiheelta.",
        "kodinhoitaja",
        ("pyykinpesu", "lajittelu", "noudattaa kirjallisia ohjeita"),
        ("standing", "repetitive"),
        25,
    ),
    AssistiveTask(
        "Turun kaupunki, perusopetus",
        "Kupittaan alakoulu",
        "Koulun avustava työntekijä, välitunnit ja ruokala",
        "Alakoulussa tarvitaan aikuinen välituntien ja ruokailun tueksi. Tehtävissä ollaan lasten kanssa"
        " pihalla ja ruokalassa, autetaan liikuntavälineiden kanssa ja ollaan opettajien apuna."
        " Rikostaustaote vaaditaan.",
        "koulunkäynninohjaaja, peruskoulun alaluokat",
        ("suorittaa välituntivalvontaa", "tukea lasten hyvinvointia", "ruokailussa avustaminen"),
        ("outdoor",),
        25,
    ),
    AssistiveTask(
        "Turun kaupunki, perusopetus",
        "Runosmäen yhtenäiskoulu",
        "Avustava työntekijä, koulun liikuntavälineet ja varasto",
        "Koulun liikuntavälineiden huolto, varaston järjestys ja tarvikkeiden jakaminen luokkiin."
        " Työ sopii henkilölle, joka pitää käytännön tehtävistä ja rauhallisesta tahdista.",
        "varastotyöntekijä",
        ("pitää varasto järjestyksessä", "huoltaa välineitä"),
        ("standing",),
        20,
    ),
    AssistiveTask(
        "Turun kaupunki, kiinteistöt ja puistot",
        "Puistopalvelut, keskusta",
        "Puistojen avustava työntekijä, siisteys",
        "Puistojen ja leikkipaikkojen roskien keruu, penkkien pyyhintä ja kevyet haravointityöt"
        " työparin kanssa. Ulkotyötä kevyillä välineillä.",
        "avustava puutarhatyöntekijä",
        ("roskien keruu", "haravointi", "viheralueiden hoito"),
        ("outdoor",),
        25,
    ),
    AssistiveTask(
        "Turun kaupunki, kiinteistöt ja puistot",
        "Kaupunginpuutarha",
        "Avustava työntekijä, kaupunginpuutarhan kasvihuone",
        "Kasvihuoneessa kastellaan, ruukutetaan ja lajitellaan kesäkukkien taimia. Työ tehdään"
        " sisätiloissa ja tauotus sovitaan jaksamisen mukaan.",
        "avustava puutarhatyöntekijä",
        ("istuttaa kasveja", "kastelu", "taimien hoito"),
        ("standing", "repetitive"),
        20,
    ),
    AssistiveTask(
        "Kaarinan kaupunki, ruokapalvelut",
        "Koulukeskuksen keittiö",
        "Koulukeittiön avustava työntekijä",
        "Koulukeittiössä täytetään salaattipöytää, kerätään astioita ja pyyhitään pöytiä"
        " ruokailujen välissä. Hygieniapassin voi suorittaa työn aikana.",
        "keittiöapulainen",
        ("valmistaa salaatteja", "käyttää astianpesukonetta", "puhdistaa pintoja"),
        ("standing", "repetitive"),
        20,
    ),
    AssistiveTask(
        "Kaarinan kaupunki, ruokapalvelut",
        "Keskuskeittiö",
        "Avustava työntekijä, astiahuolto",
        "Keskuskeittiön astiahuollossa lajitellaan ja pestään kuljetuslaatikoita ja astioita."
        " Työ on selkeää ja toistuvaa; nostoissa käytetään apuvälineitä.",
        "keittiöapulainen",
        ("käyttää astianpesukonetta", "lajittelu"),
        ("standing", "repetitive"),
        25,
    ),
    AssistiveTask(
        "Liedon kunta, varhaiskasvatus",
        "Päiväkoti Tammenterho",
        "Päiväkodin avustava työntekijä, ulkoilu ja ruokailu",
        "Päiväkodissa tarvitaan ylimääräinen aikuinen ulkoiluun, ruokailuun ja siivoushetkiin."
        " Lasten hoito- ja kasvatusvastuu on varhaiskasvatuksen henkilöstöllä.",
        "lastenhoitaja, päiväkoti",
        ("ulkoilu lasten kanssa", "ruokailussa avustaminen"),
        ("outdoor",),
        25,
    ),
    AssistiveTask(
        "Raision kaupunki, liikunta- ja kulttuuripalvelut",
        "Liikuntahalli",
        "Liikuntahallin avustava työntekijä",
        "Liikuntahallissa kootaan ja puretaan välineitä, tarkistetaan pukuhuoneiden siisteys ja"
        " opastetaan asiakkaita. Iltavuoroja sovitaan tarpeen mukaan.",
        "liikuntakeskuksen työntekijä",
        ("asiakaspalvelu", "välineiden kokoaminen"),
        ("standing",),
        20,
        ("day", "evening"),
    ),
    AssistiveTask(
        "Raision kaupunki, liikunta- ja kulttuuripalvelut",
        "Uimahalli",
        "Uimahallin avustava työntekijä, asiakaspalvelu",
        "Uimahallin aulassa neuvotaan asiakkaita, täytetään automaatteja ja huolehditaan aulan"
        " siisteydestä. Työparina on kassan työntekijä.",
        "liikuntakeskuksen työntekijä",
        ("asiakaspalvelu", "opastaa asiakkaita"),
        (),
        20,
    ),
    AssistiveTask(
        "Naantalin kaupunki, kirjasto- ja kulttuuripalvelut",
        "Pääkirjasto",
        "Kirjaston avustava työntekijä, hyllytys ja kuljetukset",
        "Kirjastossa hyllytetään palautettuja aineistoja, järjestetään hyllyjä ja pakataan"
        " kirjastoautoon lähtevät laatikot. Työ sopii tarkalle ja rauhalliselle ihmiselle.",
        "kirjastoavustaja",
        ("hyllytys", "aakkostaminen", "noudattaa kirjallisia ohjeita"),
        ("repetitive",),
        20,
    ),
    AssistiveTask(
        "Paimion kaupunki, tekninen toimi",
        "Kiinteistöpalvelut",
        "Kiinteistöhuollon avustava työntekijä",
        "Koulujen ja päiväkotien pihojen haravointi, lehtien puhallus ja talvella portaiden"
        " lumityöt kiinteistönhoitajan työparina.",
        "kiinteistöhuollon työntekijä",
        ("lumityöt", "haravointi", "viheralueiden hoito"),
        ("outdoor", "heavy_lifting"),
        25,
    ),
    AssistiveTask(
        "Paraisten kaupunki, vanhuspalvelut",
        "Servicehuset Strandgården",
        "Assisterande uppgifter inom äldreomsorgen",
        "På servicehuset behövs hjälp med utevistelse, kaffestunder och sällskap för de boende."
        " Vårdarbete ingår inte; en närvårdare finns alltid på plats.",
        "ohjaaja, ikääntyneiden hoivakoti",
        ("ulkoilu asukkaiden kanssa", "viriketoiminta"),
        ("outdoor",),
        20,
        language="sv",
        languages=(("sv", "B1"),),
    ),
    AssistiveTask(
        "Maskun kunta, sivistyspalvelut",
        "Maskun yhtenäiskoulu",
        "Koulun avustava työntekijä, ruokala ja piha",
        "Koulun ruokalassa ja pihalla tarvitaan aikuista: ruokailun ohjaus, astioiden palautuksen"
        " valvonta ja välituntien turvallisuus. Rikostaustaote vaaditaan.",
        "koulunkäynninohjaaja, peruskoulun alaluokat",
        ("suorittaa välituntivalvontaa", "ruokailussa avustaminen"),
        ("outdoor",),
        20,
    ),
    AssistiveTask(
        "Mynämäen kunta, tekninen toimi",
        "Puisto- ja hautausmaapalvelut",
        "Avustava työntekijä, hautausmaan ja puistojen hoito",
        "Kesäkaudella hautausmaan ja puistojen kukkaistutusten kastelu, käytävien haravointi ja"
        " roskien keruu. Työt tehdään työparin kanssa ja tauot sovitaan.",
        "avustava puutarhatyöntekijä",
        ("kastelu", "haravointi", "roskien keruu"),
        ("outdoor",),
        25,
    ),
    AssistiveTask(
        "Auran kunta, vapaa-aikapalvelut",
        "Nuorisotila",
        "Nuorisotilan avustava työntekijä",
        "Nuorisotilan iltoihin tarvitaan aikuinen nuoriso-ohjaajan työpariksi: kahvion pito,"
        " pelien ja välineiden huolto sekä tilojen siisteys.",
        "vapaa-ajan ohjaaja",
        ("asiakaspalvelu", "vuorovaikutus nuorten kanssa"),
        (),
        15,
        ("evening",),
    ),
    AssistiveTask(
        "Ruskon kunta, kotihoito",
        "Kotihoidon tukipalvelut",
        "Kotihoidon avustava työntekijä, asiointi ja ulkoilu",
        "Kotihoidon asiakkaiden kauppa- ja apteekkiasiointi sekä ulkoiluapu. Hoitotoimenpiteitä ei"
        " tehdä. B-ajokortti on eduksi, mutta asioinnin voi hoitaa myös jalan.",
        "kodinhoitaja",
        ("asiointi", "ulkoilu asukkaiden kanssa", "asiakaspalvelu"),
        ("outdoor",),
        20,
    ),
    AssistiveTask(
        "Nousiaisten kunta, ruokapalvelut",
        "Koulukeittiö",
        "Koulukeittiön avustava työntekijä, salaatit ja astiat",
        "Koulukeittiössä valmistetaan salaatteja, täytetään linjastoa ja huolletaan astioita."
        " Työtahti sovitaan yhdessä ja perehdytys tehdään kuvallisin ohjein.",
        "keittiöapulainen",
        ("valmistaa salaatteja", "käyttää astianpesukonetta"),
        ("standing",),
        20,
    ),
)

ADAPTATIONS: Final = (
    "Työaikaa voidaan joustaa, esimerkiksi 4–6 tuntia päivässä aluksi.",
    "Nostoapuvälineet ovat käytössä; raskaat nostot tehdään työparin kanssa.",
    "Perehdytys selkokielellä ja kuvallisin työohjein.",
    "Tehtäviä voidaan räätälöidä osittain työntekijän jaksamisen mukaan.",
    "Työpaikalla on nimetty työnohjaaja, jolta voi kysyä koko päivän ajan.",
)
ASSISTIVE_ADAPTATIONS: Final = (
    "Työaika sovitaan jaksamisen mukaan (aluksi 3–5 h/pv). Nimetty työnohjaaja on paikalla.",
    "Perehdytys vaihe vaiheelta ja kuvalliset työohjeet. Tauot voi pitää tarpeen mukaan.",
    "Työ voidaan aloittaa työkokeiluna ja jatkaa palkkatuettuna. Työpari on aina paikalla.",
)
OFFERS: Final = (
    "Tarjoamme perusteellisen perehdytyksen ja mukavan työyhteisön.",
    "Työ sopii myös alanvaihtajalle: koulutamme tehtävään.",
    "Mahdollisuus aloittaa työkokeilulla tai palkkatuella ennen työsuhdetta.",
    "Työsuhde-etuina liikuntaseteli ja työterveyshuolto.",
    "Hyvä tekijä voi jatkaa vakituisessa työsuhteessa.",
)
CERTIFICATE_PARTITIVE: Final = {
    "trukkikortti": "trukkikorttia",
    "hygieniapassi": "hygieniapassia",
    "työturvallisuuskortti": "työturvallisuuskorttia",
    "ajokortti C": "C-luokan ajokorttia",
    "ammattipätevyys (kuljettaja)": "kuljettajan ammattipätevyyttä",
    "anniskelupassi": "anniskelupassia",
    "tulityökortti": "tulityökorttia",
    "ensiapukortti EA1": "EA1-ensiapukorttia",
    "sähkötyöturvallisuuskortti": "sähkötyöturvallisuuskorttia",
    "hitsauspätevyys": "voimassa olevaa hitsauspätevyyttä",
}
CERTIFICATE_YEARS: Final = {
    "työturvallisuuskortti": 5,
    "tulityökortti": 5,
    "ensiapukortti EA1": 3,
    "ajokortti C": 5,
    "ammattipätevyys (kuljettaja)": 5,
    "sähkötyöturvallisuuskortti": 5,
    "hitsauspätevyys": 2,
}
"""How long a certificate is valid; trukkikortti, hygieniapassi and anniskelupassi do not expire."""
SHIFT_SENTENCE: Final = {
    ("day",): "Työ on päivätyötä arkisin.",
    ("evening",): "Työ tehdään iltaisin.",
    ("night",): "Työ on yötyötä.",
    ("day", "evening"): "Työ on kaksivuorotyötä (aamu- ja iltavuorot).",
    ("day", "weekend"): "Työ on päivätyötä, ja siihen kuuluu viikonloppupäivystyksiä.",
    ("evening", "weekend"): "Työ painottuu iltoihin ja viikonloppuihin.",
    ("day", "evening", "weekend"): "Vuorot ovat aamu- ja iltavuoroja, myös viikonloppuisin.",
    ("day", "evening", "night"): "Työ on kolmivuorotyötä.",
    (
        "day",
        "evening",
        "night",
        "weekend",
    ): "Työ on jaksotyötä: aamu-, ilta- ja yövuoroja, myös viikonloppuisin.",
}

FIRST_NAMES_F: Final = _names(
    "Aino Anna Anne Anu Eeva Elina Emilia Hanna Heidi Helena Jenni Johanna Kaisa Katja Kirsi Laura "
    "Leena Liisa Maarit Maija Marja Minna Niina Noora Paula Pia Riikka Sari Satu Sanna Suvi Tiina "
    "Tuula Ulla Veera Virpi"
)
FIRST_NAMES_M: Final = _names(
    "Aleksi Antti Ari Eero Esa Harri Heikki Ilkka Janne Jari Jarmo Jukka Juha Kalle Kari Lauri "
    "Markku Marko Matti Mika Mikko Olli Pasi Pekka Petri Sami Teemu Timo Tommi Toni Tuomas Ville"
)
SURNAMES: Final = _names(
    "Aaltonen Ahonen Heikkilä Heinonen Hiltunen Hämäläinen Jokinen Järvinen Kallio Karjalainen "
    "Koivisto Koskinen Laaksonen Laine Lehtinen Lehtonen Leinonen Lindholm Mattila Mäkinen Mäkelä "
    "Nieminen Niemi Ojala Pitkänen Rantanen Saarinen Salminen Salonen Suominen Tuominen Turunen "
    "Vainio Virtanen Väisänen Lahtinen Kettunen Laitinen Nurmi Valtonen"
)
FIRST_NAMES_SV: Final = _names(
    "Anders Björn Erik Fredrik Henrik Johan Mats Mikael Patrik Stefan Anna Camilla Elin Emma Ida "
    "Johanna Karin Linnea Maria Sofia"
)
SURNAMES_SV: Final = _names(
    "Andersson Blomqvist Ekholm Grönroos Holmberg Karlsson Lindqvist Lundberg Nyman Sjöblom "
    "Sundström Westerlund Wikström Åberg Öhman"
)
# Newcomers: invented combinations of common names of their countries of origin.
NEWCOMERS: Final = (
    (
        "ar",
        "Iraq",
        ("Ahmed", "Ali", "Hassan", "Zainab", "Fatima", "Noor"),
        ("Al-Hamdani", "Kareem", "Jasim", "Saleh"),
    ),
    (
        "fa",
        "Afghanistan",
        ("Mohammad", "Reza", "Sara", "Maryam", "Hamid"),
        ("Ahmadi", "Karimi", "Rahimi", "Hosseini"),
    ),
    ("so", "Somalia", ("Abdi", "Hodan", "Amina", "Mahad", "Farah"), ("Warsame", "Osman", "Nur", "Jama")),
    (
        "ru",
        "Russia",
        ("Olga", "Irina", "Dmitri", "Sergei", "Natalia"),
        ("Ivanova", "Smirnov", "Petrova", "Volkov"),
    ),
    (
        "uk",
        "Ukraine",
        ("Olena", "Oksana", "Andrii", "Taras", "Iryna"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"),
    ),
    ("vi", "Vietnam", ("Lan", "Minh", "Huong", "Tuan", "Thao"), ("Nguyen", "Tran", "Pham", "Le")),
    ("th", "Thailand", ("Somchai", "Malee", "Niran", "Ploy"), ("Saetang", "Chaiyaporn", "Wongsa")),
    ("es", "Spain", ("Lucía", "Javier", "Marta", "Carlos"), ("García", "Fernández", "López", "Martín")),
    ("tr", "Turkey", ("Emre", "Elif", "Mehmet", "Zeynep"), ("Yılmaz", "Demir", "Kaya", "Çelik")),
)

STRENGTHS_FI: Final = (
    "Olen täsmällinen ja pidän siitä, että työ tulee tehdyksi kunnolla.",
    "Tulen hyvin toimeen erilaisten ihmisten kanssa.",
    "Opin uusia asioita nopeasti, kun saan selkeän perehdytyksen.",
    "Pidän ruumiillisesta työstä ja olen hyvässä kunnossa.",
    "Työkaverit ovat kuvailleet minua rauhalliseksi ja luotettavaksi.",
    "Pidän asiakaspalvelusta ja tiimityöstä.",
    "Olen oma-aloitteinen ja huomaan, mitä pitää tehdä.",
)
SITUATIONS_FI: Final = (
    "Edellinen työpaikkani lopetti toimintansa, ja siitä asti olen etsinyt uutta työtä.",
    "Olin useamman vuoden kotona lasten kanssa ja haluan nyt palata työelämään.",
    "Määräaikainen työsuhteeni päättyi keväällä.",
    "Haluan vaihtaa alaa, koska entinen työ kävi fyysisesti raskaaksi.",
    "Valmistuin hiljattain ja etsin ensimmäistä alan työpaikkaa.",
    "Olen ollut pitkään työttömänä, ja työkokeilu olisi minulle hyvä tapa aloittaa.",
)
WISHES_FI: Final = (
    "Toivon työtä, jossa on noin {hours} tuntia viikossa.",
    "Voin tehdä myös ilta- ja viikonloppuvuoroja.",
    "Toivon päivätyötä, koska kuljen julkisilla.",
    "Minulla on oma auto, joten voin kulkea myös naapurikuntiin.",
    "Palkkatuettu työ tai työkokeilu sopii minulle hyvin.",
)
LIGHT_WISHES_FI: Final = (
    "Toivon säännöllistä ja rauhallista työtä, aluksi osa-aikaisena.",
    "Haluaisin aloittaa lyhyemmillä päivillä ja lisätä tunteja vähitellen.",
    "Toivon työtä, jossa on selkeät ohjeet ja tuttu työpari.",
)
STRENGTHS_SV: Final = (
    "Jag är noggrann och pålitlig.",
    "Jag trivs med kundservice och att arbeta i team.",
    "Jag lär mig snabbt när jag får en bra introduktion.",
)
WISHES_SV: Final = (
    "Jag önskar arbete på cirka {hours} timmar i veckan.",
    "Jag kan också arbeta kvällar och helger.",
    "Jag talar också finska och vill gärna förbättra den på jobbet.",
)
STRENGTHS_EN: Final = (
    "I am punctual and hard-working, and I learn fast.",
    "I like working in a team and serving customers.",
    "I am practical and enjoy physical work.",
)
SITUATIONS_EN: Final = (
    "I moved to Finland {years_ago} years ago and have finished the Finnish integration course.",
    "I came to Finland {years_ago} years ago with my family and I am studying Finnish at evening classes.",
    "My degree is not yet recognised in Finland, so I want to start with practical work.",
)
WISHES_EN: Final = (
    "I would like a job where I can also practise my Finnish.",
    "A work trial would be a good way for me to start.",
    "I can work {hours} hours a week, also in shifts.",
)


@dataclass(frozen=True)
class Capacity:
    """A fictional work capacity record: restrictions matching uses, and the caseworker's note."""

    max_hours_per_day: float | None
    max_hours_per_week: float | None
    no_heavy_lifting: bool
    no_night_shifts: bool
    no_shift_work: bool
    needs_supervisor: bool
    excluded_demands: tuple[str, ...]
    details: str


CAPACITIES: Final = (
    Capacity(
        6,
        None,
        True,
        False,
        False,
        False,
        ("heavy_lifting",),
        "Selkäkipuja (välilevyn pullistuma 2023). Työterveyslääkärin suositus: ei yli 10 kg nostoja,"
        " tauotus kahden tunnin välein.",
    ),
    Capacity(
        4,
        20,
        False,
        False,
        True,
        True,
        (),
        "Masennuksesta toipumassa, kuntoutustuki päättynyt. Aloitus 4 h/pv ja nosto asteittain."
        " Hyötyy selkeistä ohjeista ja nimetystä ohjaajasta.",
    ),
    Capacity(
        None,
        30,
        False,
        False,
        False,
        False,
        ("standing",),
        "Polven tekonivel 2024; pitkäkestoinen seisominen ei onnistu, istumatyö tai vaihtelu sopii.",
    ),
    Capacity(
        None,
        None,
        False,
        True,
        False,
        False,
        (),
        "Tyypin 1 diabetes, säännöllinen vuorokausirytmi tärkeä: ei yövuoroja.",
    ),
    Capacity(
        None,
        None,
        False,
        False,
        False,
        False,
        ("noise",),
        "Kuulovamma, kuulokojeet molemmissa korvissa; meluisa ympäristö ei sovi.",
    ),
    Capacity(
        None,
        None,
        False,
        False,
        False,
        False,
        ("driving",),
        "Epilepsia, lääkityksellä hyvässä hoitotasapainossa; ajo-oikeus ei voimassa.",
    ),
    Capacity(
        6,
        None,
        True,
        False,
        False,
        False,
        ("heavy_lifting", "repetitive"),
        "Olkapään jännevaurio; toistotyö ja nostot yli hartiatason rajoitettu.",
    ),
    Capacity(
        None,
        None,
        False,
        False,
        False,
        True,
        (),
        "Oppimisvaikeus; hyötyy työn mallintamisesta ja kuvallisista ohjeista.",
    ),
    Capacity(
        5,
        25,
        False,
        True,
        True,
        False,
        (),
        "Uupumuksen jälkeen työkokeilu 2025 sujui hyvin; jaksaminen parantunut. Osa-aikatyö 20–25 h/vk.",
    ),
    Capacity(
        None,
        None,
        False,
        False,
        False,
        False,
        ("outdoor",),
        "Astma; pölyiset ja kylmät ulkotyöt pahentavat oireita.",
    ),
    Capacity(
        4,
        20,
        True,
        True,
        True,
        True,
        ("heavy_lifting",),
        "Aivoinfarkti 2022, kuntoutus edennyt hyvin. Väsyy iltapäivisin; lyhyet päivät ja tuttu työpari.",
    ),
)
