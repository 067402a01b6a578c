"""Every list page downloads as a file Finnish Excel opens, in the user's language; the first visit
follows the browser's language; indicator files and charts speak the reader's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement
from tests.web.conftest import Browser, SignIn
from web import exports
from web.i18n import LANGUAGE_COOKIE, from_accept_language

FINNISH_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_finnish_excel(body: bytes) -> list[list[str]]:
    """The file as Finnish Excel reads a CSV: UTF-8 only with its byte-order mark, ``;`` between cells."""
    assert body.startswith(b"\xef\xbb\xbf"), "without the BOM Excel reads the file as Windows-1252"
    text = body[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def excel_number(cell: str) -> float:
    """A number as Finnish Excel reads it: decimal comma, no point."""
    assert "." not in cell, cell
    return float(cell.replace(",", "."))


def speak(browser: Browser, language: str) -> None:
    browser.client.cookies.set(LANGUAGE_COOKIE, language)


def needs_in(db: str, world: AreaWorld, count: int, municipality: str) -> None:
    for i in range(count):
        insert_need(
            db,
            world.area_id,
            world.employer_id,
            title=f"Tehtävä {municipality} {i:02}",
            municipality=municipality,
        )


def test_the_filtered_needs_list_downloads_whole_as_a_finnish_excel_csv(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    needs_in(db, world, 30, "Lieto")  # more than one page of the list (25)
    needs_in(db, world, 3, "Turku")
    browser = signed_in(Role.COORDINATOR)

    listing = browser.get("/needs?municipality=Lieto&status=open")
    assert 'href="/needs.csv?municipality=Lieto&amp;status=open"' in listing.text

    answer = browser.get("/needs.csv?municipality=Lieto&status=open&offset=25")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = as_finnish_excel(answer.content)
    assert rows[0][:4] == ["Otsikko", "Työnantaja", "Kunta", "Tila"]
    body = rows[1:]
    assert len(body) == 30  # every row of the filter, not one page, and not the offset the page had
    assert {r[2] for r in body} == {"Lieto"}
    assert {r[3] for r in body} == {"Avoinna"}
    assert all(FINNISH_DATE.fullmatch(r[6]) for r in body), body[0]
    assert answer.content.endswith(b"\r\n")


def test_list_files_follow_the_users_language(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    needs_in(db, world, 2, "Turku")
    browser = signed_in(Role.COORDINATOR)
    seen = {}
    for language in ("fi", "sv", "en"):
        speak(browser, language)
        rows = as_finnish_excel(browser.get("/needs.csv").content)
        seen[language] = (rows[0][0], rows[1][3], rows[1][6])
    assert seen["fi"][:2] == ("Otsikko", "Avoinna")
    assert seen["sv"][:2] == ("Rubrik", "Öppet")
    assert seen["en"][:2] == ("Title", "Open")
    assert FINNISH_DATE.fullmatch(seen["fi"][2])
    assert ISO_DATE.fullmatch(seen["sv"][2]) and ISO_DATE.fullmatch(seen["en"][2])
    workbook = load_workbook(io.BytesIO(browser.get("/needs.xlsx").content))
    assert workbook.sheetnames == ["Needs"]  # the sheet is named in the language too


def test_a_list_workbook_has_typed_cells(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Keräilijä", positions=3)
    jobseeker_id = insert_jobseeker(db, world.area_id, pseudonym="Hakija-XLSX01")
    with connect(db) as conn:
        placement = insert_placement(conn, world, need_id, jobseeker_id, "pay_subsidy", date(2026, 3, 2))
        conn.execute("UPDATE placements SET hours_per_week = 30.5 WHERE id = %s", (placement,))
        conn.commit()
    browser = signed_in(Role.COORDINATOR)

    needs = load_workbook(io.BytesIO(browser.get("/needs.xlsx").content))["Tarpeet"]
    header, row = list(needs.iter_rows(values_only=True))[:2]
    assert header[0] == "Otsikko" and row[0] == "Keräilijä"
    assert row[header.index("Paikkoja")] == 3
    assert isinstance(row[header.index("Kirjattu")], datetime)  # a date cell, not text
    assert needs.cell(2, header.index("Kirjattu") + 1).number_format == "d.m.yyyy"

    answer = browser.get("/placements.xlsx")
    placed = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert placed[1][placed[0].index("Aloituspäivä")] == datetime(2026, 3, 2)
    assert placed[1][placed[0].index("Tunteja viikossa")] == 30.5
    csv_rows = as_finnish_excel(browser.get("/placements.csv").content)
    assert excel_number(csv_rows[1][csv_rows[0].index("Tunteja viikossa")]) == 30.5
    assert csv_rows[1][csv_rows[0].index("Aloituspäivä")] == "2.3.2026"


def test_a_file_holds_only_what_the_role_may_see_and_an_export_of_clients_is_audited(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-OWN001",
        full_name="Maija Meikäläinen",
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    insert_jobseeker(db, world.area_id, pseudonym="Hakija-OTHER1", full_name="Ei Oma")
    browser = signed_in(Role.CASEWORKER)
    rows = as_finnish_excel(browser.get("/clients.csv").content)
    assert [r[0] for r in rows[1:]] == ["Maija Meikäläinen"]
    # The register is a job coach's too (field work), unless the area switches that off.
    assert browser.get("/employers.csv").status_code == 200
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO area_settings (area_id, caseworker_field_work) VALUES (%s, false)", (world.area_id,)
        )
        conn.commit()
    assert browser.get("/employers.csv").status_code == 403
    with connect(db) as conn:
        exported = conn.execute(
            "SELECT j.pseudonym, a.reason FROM audit_log a JOIN jobseekers j ON j.id = a.jobseeker_id"
            " WHERE a.action = 'export'"
        ).fetchall()
    assert exported == [{"pseudonym": "Hakija-OWN001", "reason": "web: clients export"}]

    front = browser.get("/")  # the caseworker's front page is the client list; its file too
    assert 'href="/home.csv"' in front.text
    assert [r[0] for r in as_finnish_excel(browser.get("/home.csv").content)[1:]] == ["Maija Meikäläinen"]


def test_every_list_page_links_to_its_files_and_they_open(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    insert_need(db, world.area_id, world.employer_id, title='=HYPERLINK("x")')
    browser = signed_in(Role.ADMIN)
    for path in ("/", "/employers", "/needs", "/proposals", "/placements", "/admin/users"):
        page = browser.get(path)
        assert page.status_code == 200, path
        base = "/home" if path == "/" else path
        assert f'href="{base}.csv' in page.text and f'href="{base}.xlsx' in page.text, path
        assert as_finnish_excel(browser.get(f"{base}.csv").content)[0], path
        assert browser.get(f"{base}.xlsx").content[:2] == b"PK", path
    needs = as_finnish_excel(browser.get("/needs.csv").content)
    assert needs[1][0] == '\'=HYPERLINK("x")'  # Excel shows it as text and runs nothing
    users = as_finnish_excel(browser.get("/admin/users.csv").content)
    assert users[0] == ["Nimi", "Sähköposti", "Rooli", "Työnantaja", "Aktiivinen"]
    assert "admin@a.example" in {r[1] for r in users[1:]}
    assert "admin@b.example" not in {r[1] for r in users[1:]}


def test_an_employer_downloads_own_intro_cards_and_needs(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    insert_need(db, world.area_id, world.employer_id, title="Oma tarve")
    browser = signed_in(Role.EMPLOYER)
    assert 'href="/cards.csv"' in browser.get("/cards").text
    assert as_finnish_excel(browser.get("/cards.csv").content)[0][0] == "Ehdokas"
    own = as_finnish_excel(browser.get("/home.csv").content)
    assert [r[0] for r in own[1:]] == ["Oma tarve"]
    assert browser.get("/admin/users.csv").status_code == 403


def test_the_first_visit_speaks_the_browsers_language_until_the_user_chooses(browser: Browser) -> None:
    swedish = browser.client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.8"})
    assert '<html lang="sv"' in swedish.text
    english = browser.client.get("/login", headers={"Accept-Language": "de-DE,en;q=0.7,fi;q=0.5"})
    assert '<html lang="en"' in english.text
    unknown = browser.client.get("/login", headers={"Accept-Language": "de-DE"})
    assert '<html lang="fi"' in unknown.text
    speak(browser, "fi")  # a choice made on the page wins over the browser's
    chosen = browser.client.get("/login", headers={"Accept-Language": "sv-FI,sv"})
    assert '<html lang="fi"' in chosen.text


def test_accept_language_ranks_by_quality() -> None:
    assert from_accept_language("sv-FI,sv;q=0.9") == "sv"
    assert from_accept_language("en;q=0.5, sv;q=0.8") == "sv"
    assert from_accept_language("sv;q=0, en") == "en"
    assert from_accept_language("fr, de;q=0.3") == "fi"
    assert from_accept_language("sv;q=abc, en;q=0.1") == "en"
    assert from_accept_language("") == "fi"


def test_a_list_longer_than_a_file_holds_says_so_on_the_page_and_in_the_file(
    signed_in: SignIn, world: AreaWorld, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "MAX_ROWS", 5)
    needs_in(db, world, 8, "Lieto")
    needs_in(db, world, 2, "Turku")
    browser = signed_in(Role.COORDINATOR)
    speak(browser, "sv")

    listing = browser.get("/needs?municipality=Lieto")
    assert "Listan har 8 rader; en fil innehåller de första 5." in listing.text
    rows = as_finnish_excel(browser.get("/needs.csv?municipality=Lieto").content)
    assert len(rows) == 1 + 5 + 1
    assert {r[2] for r in rows[1:6]} == {"Lieto"}
    assert rows[-1] == [
        "Listan har 8 rader; den här filen innehåller de första 5."
        " Avgränsa listan med filtren för att få resten."
    ]
    book = load_workbook(io.BytesIO(browser.get("/needs.xlsx?municipality=Lieto").content))
    sheet = book.worksheets[0]
    assert sheet.max_row == 1 + 5 + 1
    assert str(sheet.cell(sheet.max_row, 1).value).startswith("Listan har 8 rader")

    short = browser.get("/needs?municipality=Turku")
    assert "Listan har" not in short.text and "export-cut" not in short.text
    whole = as_finnish_excel(browser.get("/needs.csv?municipality=Turku").content)
    assert len(whole) == 1 + 2 and all(r[2] == "Turku" for r in whole[1:])


def test_every_placement_row_of_a_file_longer_than_a_page_names_its_employer(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """The file is read page by page (50 rows a page); each row names its employer, not only the rows
    whose employer is also on the list's last page."""
    with connect(db) as conn:
        employer_ids = [world.employer_id]
        for n, (business_id, name) in enumerate(
            (
                ("2331972-7", "Aurajoen Kuljetus Oy"),
                ("1572860-0", "Liedon kunta"),
                ("0737546-2", "Kaarinan Kahvila"),
            )
        ):
            row = conn.execute(
                "INSERT INTO employers (area_id, business_id, name, municipality)"
                " VALUES (%s, %s, %s, 'Turku') RETURNING id",
                (world.area_id, business_id, name),
            ).fetchone()
            assert row is not None, n
            employer_ids.append(row["id"])
        conn.commit()
    names = dict(
        zip(
            employer_ids,
            ("a Logistiikka Oy", "Aurajoen Kuljetus Oy", "Liedon kunta", "Kaarinan Kahvila"),
            strict=True,
        )
    )
    need_of = {e: insert_need(db, world.area_id, e, title=f"Tehtävä {e}") for e in employer_ids}
    forms = ("open_job", "pay_subsidy", "work_trial", "assistive_task", "apprenticeship")
    expected: dict[str, tuple[str, str]] = {}
    with connect(db) as conn:
        for n in range(52):
            # The two oldest (the file's second page) are the first employer's; the rest go round.
            employer_id = employer_ids[0] if n < 2 else employer_ids[n % 4]
            jobseeker_id = insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-X{n:03}")
            form = forms[n % len(forms)]
            insert_placement(
                conn,
                world,
                need_of[employer_id],
                jobseeker_id,
                form,
                date(2025, 1, 1) + timedelta(days=n),
                employer_id=employer_id,
                card={"pseudonym": f"Hakija-X{n:03}"},
            )
            expected[f"Hakija-X{n:03}"] = (names[employer_id], form)
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    assert "Aurajoen Kuljetus Oy" in browser.get("/placements").text

    csv_rows = as_finnish_excel(browser.get("/placements.csv").content)
    header, body = csv_rows[0], csv_rows[1:]
    assert len(body) == 52
    employer, candidate, end = (
        header.index("Työnantaja"),
        header.index("Ehdokas"),
        header.index("Päättymispäivä"),
    )
    assert {r[candidate]: r[employer] for r in body} == {k: v[0] for k, v in expected.items()}
    assert all(r[end] == "" for r in body)  # no end date: an empty cell, not "None"
    assert {r[header.index("Sijoitusmuoto")] for r in body} >= {"Avoin työpaikka", "Palkkatuki"}

    sheet = load_workbook(io.BytesIO(browser.get("/placements.xlsx").content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    columns = list(cells[0])
    read = {r[columns.index("Ehdokas")]: r[columns.index("Työnantaja")] for r in cells[1:]}
    assert read == {k: v[0] for k, v in expected.items()}
    assert all(r[columns.index("Tunteja viikossa")] is None for r in cells[1:])
