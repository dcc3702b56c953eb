"""`show CITATION --lang fr`: the same paragraph in the record's French version.

The English side is the real record S/PV.8700. No French S/PV record could be found (none
in the shared corpus, none in the public repositories searched), so the French side is a
translation of its first three statements made for this test, laid out as the record is
(one paragraph per paragraph), except where a test changes it on purpose."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import diplosearch as ds
from diplosearch.cli import app
from diplosearch.errors import NotFoundError
from tests.conftest import SHARED

RECORD = SHARED / "corpus/unsc_2020_pires/speeches_pdf/S_PV.8700_E.pdf"
PRESIDENT = [
    "Le Président : Conformément à l'article 37 du Règlement intérieur provisoire du Conseil, "
    "j'invite le représentant de la République arabe syrienne à participer à la présente séance.",
    "Le Conseil de sécurité va maintenant aborder l'examen de la question inscrite à son ordre "
    "du jour. Les membres du Conseil sont saisis des documents S/2020/24 et S/2020/25, qui "
    "contiennent chacun le texte d'un projet de résolution.",
    "Le Conseil est prêt à passer au vote sur les projets de résolution dont il est saisi.",
    "Je donne maintenant la parole aux membres du Conseil qui souhaitent faire une déclaration "
    "avant le vote.",
]
NEBENZIA = [
    "M. Nebenzia (Fédération de Russie) (parle en russe) : La Fédération de Russie souhaite "
    "proposer un amendement oral au paragraphe 6 du projet de résolution publié sous la cote "
    "S/2020/24. Nous proposons que les mots suivants :",
    "« Et conformément aux principes humanitaires d'humanité, de neutralité, d'impartialité et "
    "d'indépendance » soient supprimés du texte actuel et remplacés par la formule suivante :",
    "« Et conformément aux principes directeurs de l'aide humanitaire d'urgence, tels "
    "qu'énoncés dans la résolution 46/182 de l'Assemblée générale des Nations Unies ».",
]
BELGIUM = [
    "M. Pecsteen de Buytswerve (Belgique) : Je fais cette déclaration au nom de l'Allemagne et "
    "de la Belgique, les co-porte-plume humanitaires.",
    "Des millions de Syriens ont toujours besoin d'aide humanitaire et de protection. Nous "
    "connaissons tous les chiffres : 11 millions de Syriens ont besoin d'aide humanitaire.",
]


def french(folder, nebenzia=NEBENZIA):
    folder.mkdir()
    (folder / "S_PV.8700_F.txt").write_text("\n\n".join(PRESIDENT + nebenzia + BELGIUM) + "\n",
                                            encoding="utf-8")
    (folder / "metadata.jsonl").write_text(
        '{"file": "S_PV.8700_F.txt", "symbol": "S/PV.8700", "language": "fr"}\n')
    return folder


@pytest.fixture
def both(tmp_path, hashing):
    idx, _ = ds.build_index([RECORD, french(tmp_path / "fr")], "both", model=hashing,
                            multilingual=False)
    return idx


def test_a_paragraph_in_the_french_record_by_turn_and_order(both):
    shown = both.show("S/PV.8700 ¶6", context=0, lang="fr")
    assert shown.hit.source == "S_PV.8700_F.txt" and shown.hit.language == "fr"
    assert shown.paragraphs[0][1].startswith("Le Conseil de sécurité va maintenant")
    assert "same paragraph order" in shown.note
    quoted = both.show("S/PV.8700 ¶13", context=0, lang="fr")       # Mr. Nebenzia's 3rd
    assert quoted.paragraphs[0][1].startswith("« Et conformément aux principes directeurs")
    assert quoted.hit.speaker == "M. Nebenzia"


def test_a_citation_names_the_english_record_when_both_are_indexed(both):
    assert both.show("S/PV.8700 ¶6", context=0).hit.source == "S_PV.8700_E.pdf"


def test_the_french_record_is_cited_as_such_and_its_citations_lead_back_to_it(both):
    shown = both.show("S/PV.8700 ¶6", context=0, lang="fr")
    assert shown.hit.citation == "S/PV.8700 (French) ¶2 — Le Président"
    assert shown.hit.doc == "S/PV.8700"                  # filters by symbol still find it
    again = both.show(shown.hit.citation, context=0)
    assert again.hit.source == "S_PV.8700_F.txt" and again.hit.paragraph == 2


def test_where_the_turns_differ_it_says_it_cannot_align(both):
    with pytest.raises(NotFoundError, match=r"cannot align .* statement 3 has 7 paragraphs "
                                            r"here and 2 there"):
        both.show("S/PV.8700 ¶19", lang="fr")


def test_a_language_the_index_does_not_hold_says_how_to_fetch_it(both):
    with pytest.raises(NotFoundError, match=r"S/PV.8700 is not indexed in Russian .*"
                                            r"diplosearch fetch \"S/PV.8700\" --lang ru"):
        both.show("S/PV.8700 ¶6", lang="ru")


def test_multilingual_vectors_repair_the_order_and_align_by_meaning(tmp_path, hashing):
    # The French statement 2 opens with an extra paragraph, so order alone is one off.
    extra = [NEBENZIA[0].split(" Nous proposons")[0],
             "Nous proposons que les mots suivants, qui figurent au paragraphe 6 du dispositif "
             "de ce projet, soient supprimés et remplacés comme il est indiqué ci-dessous :"]
    idx, _ = ds.build_index([RECORD, french(tmp_path / "fr", extra + NEBENZIA[1:])], "ml",
                            model=hashing, multilingual=True)
    repaired = idx.show("S/PV.8700 ¶11", context=0, lang="fr")
    assert repaired.paragraphs[0][1].startswith("« Et conformément aux principes humanitaires")
    assert "closest in meaning" in repaired.note
    belgium = idx.show("S/PV.8700 ¶15", context=0, lang="fr")      # statement 3, 2nd of 7
    assert belgium.paragraphs[0][1].startswith("Des millions de Syriens")


def test_show_lang_on_the_command_line(both):
    out = CliRunner().invoke(app, ["show", "S/PV.8700 ¶6", "-i", "both", "--lang", "fr",
                                   "-c", "0", "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["hit"]["source"] == "S_PV.8700_F.txt" and "same paragraph order" in data["note"]
