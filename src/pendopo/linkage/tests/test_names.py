from __future__ import annotations

import pytest

from pendopo.linkage.names import normalise_name, phonetic_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("H. Moch. Soekarno, S.Pd.", "MUHAMMAD SUKARNO"),
        ("Abd Muis", "Abdul Muis"),
        ("Achmad Fauzi bin Salim", "Ahmad Fauzi"),
        ("Akhmad Fauzi", "ahmad   fauzi"),
        ("M. Hakam", "Muhammad Hakam"),
        ("Mohammad Rizki", "Muhammad Rizki"),
        ("Hj. Siti Aminah", "SITI AMINAH"),
        ("Dra. Indah Hasanah", "Indah Hasanah"),
        ("Nur Aini, A.Md.Keb", "Nur Aini"),
        ("Djoko Soesilo", "Joko Susilo"),
    ],
)
def test_variants_of_one_name_normalise_to_the_same_tokens(a: str, b: str) -> None:
    # Golden pairs: spellings and abbreviations DOMAIN.md lists as the same name.
    assert normalise_name(a).tokens == normalise_name(b).tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [("Tjahjo", "Cahyo"), ("Wahju", "Wahyu"), ("Kholil", "Holil"), ("Cholil", "Kholil"), ("Fatimah", "Fatima"),
     ("Sjamsul", "Syamsul"), ("Njoman", "Nyoman"), ("Zainal", "Jainal"), ("Mohammad", "Muhammad")],
)
def test_old_and_new_spellings_meet_in_the_phonetic_key(a: str, b: str) -> None:
    assert phonetic_key(normalise_name(a).tokens[0]) == phonetic_key(normalise_name(b).tokens[0])


@pytest.mark.parametrize(("a", "b"), [("Siti Aminah", "Siti Khotimah"), ("Budi", "Bagus"), ("Sukarno", "Sukarni")])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert normalise_name(a).phonetic != normalise_name(b).phonetic


def test_one_letter_and_one_word_names_survive() -> None:
    assert normalise_name("Painem").tokens == ("painem",)
    assert normalise_name("A").tokens == ("a",)
    assert normalise_name("").is_empty and normalise_name(None).is_empty
    assert normalise_name("12345").is_empty


def test_the_first_informative_word_skips_muhammad() -> None:
    assert normalise_name("Muhammad Rizki Pratama").first_phonetic == phonetic_key("rizki")
    assert normalise_name("Muhammad").first_phonetic == phonetic_key("muhammad")


def test_word_order_meets_in_the_sorted_key() -> None:
    assert normalise_name("Santoso Budi").sorted_key == normalise_name("BUDI SANTOSO").sorted_key
