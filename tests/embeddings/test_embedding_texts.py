"""How needs and profiles become the text that is embedded."""

from __future__ import annotations

import hashlib

import pytest

from embeddings.texts import MAX_CHARS, EmptyTextError, need_text, profile_text, text_hash

WAREHOUSE_NEED = {
    "title": "Varastotyöntekijä",
    "description": "Keräily ja   lähettämö,\n trukkikortti eduksi.",
    "skills": ["keräily", "trukin kuljettaminen"],
    "nice_skills": ["varastonhallinta"],
    "occupation": "varastotyöntekijä",
    "certificates": ["trukkikortti"],
    "municipality": "Turku",
}


def test_need_text_lists_fields_in_fixed_order_with_finnish_labels() -> None:
    assert need_text(WAREHOUSE_NEED) == (
        "Tehtävä: Varastotyöntekijä. Ammatti: varastotyöntekijä. "
        "Osaaminen: keräily, trukin kuljettaminen. Eduksi: varastonhallinta. "
        "Pätevyydet: trukkikortti. Sijainti: Turku. Kuvaus: Keräily ja lähettämö, trukkikortti eduksi."
    )


def test_need_text_does_not_depend_on_dict_order() -> None:
    reordered = dict(reversed(list(WAREHOUSE_NEED.items())))
    assert need_text(reordered) == need_text(WAREHOUSE_NEED)


def test_profile_text_orders_fields_and_leaves_out_empty_ones() -> None:
    profile = {
        "text": "Olen työskennellyt varastossa kolme vuotta.",
        "skills": ["varastonhallinta", "keräily", "varastonhallinta"],
        "desired_occupations": ["varastotyöntekijä"],
        "work_history": [{"title": "Varastotyöntekijä", "employer": "Logistiikka Oy", "years": 3}],
        "education": [],
        "certificates": None,
    }
    assert profile_text(profile) == (
        "Toiveammatit: varastotyöntekijä. Osaaminen: varastonhallinta, keräily. "
        "Työkokemus: Varastotyöntekijä Logistiikka Oy 3. "
        "Kuvaus: Olen työskennellyt varastossa kolme vuotta."
    )


def test_empty_free_text_still_gives_title_and_skills() -> None:
    assert need_text({"title": "Siivooja", "description": "  ", "skills": ["siivous"]}) == (
        "Tehtävä: Siivooja. Osaaminen: siivous."
    )
    assert profile_text({"text": "", "skills": ["siivous"]}) == "Osaaminen: siivous."


@pytest.mark.parametrize("compose", [need_text, profile_text])
def test_nothing_to_embed_is_a_clear_error(compose: object) -> None:
    assert callable(compose)
    with pytest.raises(EmptyTextError, match="nothing to embed"):
        compose({"title": " ", "text": "\n", "skills": [], "description": None})
    assert issubclass(EmptyTextError, ValueError)


def test_long_text_is_cut_at_a_word_boundary_within_the_budget() -> None:
    words = [f"sana{i}" for i in range(1000)]
    text = profile_text({"skills": ["kassatyö"], "text": " ".join(words)})
    assert len(text) <= MAX_CHARS
    assert text.startswith("Osaaminen: kassatyö. Kuvaus: sana0 sana1")
    last = text.rsplit(" ", 1)[1]
    assert last in words  # a whole word, not a cut one


def test_structured_fields_survive_truncation_of_a_long_description() -> None:
    need = {"title": "Kokki", "skills": ["ruoanvalmistus"], "description": "pitkä " * 2000}
    text = need_text(need)
    assert text.startswith("Tehtävä: Kokki. Osaaminen: ruoanvalmistus. Kuvaus: pitkä")
    assert len(text) <= MAX_CHARS


def test_a_single_overlong_word_is_cut_hard() -> None:
    text = need_text({"title": "x" * 5000})
    assert len(text) == MAX_CHARS


def test_text_hash_is_sha256_of_model_id_and_text() -> None:
    expected = hashlib.sha256(b"model-a\nTeht\xc3\xa4v\xc3\xa4: Kokki.").hexdigest()
    assert text_hash("Tehtävä: Kokki.", "model-a") == expected
    assert text_hash("Tehtävä: Kokki.", "model-a") == expected  # stable
    assert text_hash("Tehtävä: Kokki.", "model-b") != expected
    assert text_hash("Tehtävä: Kokki!", "model-a") != expected
