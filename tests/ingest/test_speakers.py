import pytest

from diplosearch.ingest.speakers import (affiliation_of_post, floor_given, invitations,
    language_switch, parse_label)


@pytest.mark.parametrize("text, name, affiliation, role, language", [
    ("Mr. Semerikov (spoke in Russian): I wish", "Mr. Semerikov", None, None, "Russian"),
    ("The President: I thank", "The President", None, "President", None),
    ("Mr. Amorin (Uruguay) (spoke in Spanish): x", "Mr. Amorin", "Uruguay", None, "Spanish"),
    ("Mr. Nebenzia (Russian Federation): x", "Mr. Nebenzia", "Russian Federation", None, None),
    ("Mrs. Craft (United States of America): x", "Mrs. Craft", "United States of America", None, None),
    ("The Secretary-General (spoke in French): x", "The Secretary-General", None, "Secretary-General", "French"),
    ("Mr. Michon (spoke in French) (France): x", "Mr. Michon", "France", None, "French"),
    ("Monsignor Hansen (Holy See): x", "Monsignor Hansen", "Holy See", None, None),
    ("Dato Lim Jock Hoi: x", "Dato Lim Jock Hoi", None, None, None),
    ("Hadiza (spoke in French): x", "Hadiza", None, None, "French"),
])
def test_labels(text, name, affiliation, role, language):
    speaker, cut = parse_label(text)
    assert (speaker.name, speaker.affiliation, speaker.role, speaker.language) == \
        (name, affiliation, role, language)
    assert text[cut:] == "I wish" if text.endswith("I wish") else text[cut:] in ("x", "I thank")


@pytest.mark.parametrize("text", [
    "We believe that: the Council must act.",
    "In conclusion, as the community: x",
    "Resolution 2178 (2014): foreign fighters",
    "",
])
def test_ordinary_sentences_are_not_labels(text):
    assert parse_label(text) is None


def test_every_2020_speech_file_opens_with_a_label(shared):
    folder = shared / "corpus/unsc_2020_pires/speeches_txt_2020"
    missing = []
    for f in sorted(folder.iterdir()):
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        if parse_label(text) is None:
            missing.append(f.name)
    assert missing == []


def test_words_moved_into_a_label_go_back_to_the_statement(tmp_path):
    from diplosearch.ingest.documents import to_passages
    from diplosearch.ingest.sources import SourceFile, read_source
    from diplosearch.ingest.speakers import moved_words

    text = ("The President (spoke I thank Mr. Voronkov for his briefing. in French): "
            "I now give the floor to Ms. Coninsx.")
    speaker, cut = parse_label(text)
    assert (speaker.name, speaker.language, speaker.affiliation) == ("The President", "French", None)
    s, e = moved_words(text)
    assert text[s:e] == "I thank Mr. Voronkov for his briefing."
    f = tmp_path / "UNSC_2020_SPV.8716_spch003.txt"
    f.write_text(text)
    (passage,) = to_passages(read_source(SourceFile(f, f.name)), lambda ts: [len(t.split()) for t in ts], 128)
    assert passage.text == ("I thank Mr. Voronkov for his briefing. "
                            "I now give the floor to Ms. Coninsx.")
    assert passage.language == "French"


def test_labels_with_accented_capitals():
    speaker, _ = parse_label("Mr. Šimonović (Croatia): At the outset")
    assert (speaker.name, speaker.affiliation) == ("Mr. Šimonović", "Croatia")


@pytest.mark.parametrize("text, language", [
    ("(spoke in English)", "English"), (" (spoke in French) ", "French"),
    ("(spoke in English) and then", None), ("We spoke in English.", None),
])
def test_language_switch_notes(text, language):
    assert language_switch(text) == language


@pytest.mark.parametrize("post, affiliation", [
    ("Special Representative of the Secretary-General and Head of the United Nations Office "
     "for West Africa and the Sahel", "United Nations"),
    ("Under-Secretary-General for Humanitarian Affairs and Emergency Relief Coordinator",
     "United Nations"),
    ("Head of Delegation of the European Union to the United Nations", "European Union"),
    ("Permanent Observer of the International Committee of the Red Cross to the United Nations",
     "International Committee of the Red Cross"),
    ("Chair of The Elders", "The Elders"),
    ("a student from Niamey", None),
])
def test_affiliation_of_a_briefers_post(post, affiliation):
    assert affiliation_of_post(post) == affiliation


def test_rule_39_invitations_name_each_briefer():
    text = ("In accordance with rule 39 of the Council’s provisional rules of procedure, I invite "
            "the following briefers to participate in this meeting: Mr. Martin Griffiths, Special "
            "Envoy of the Secretary-General for Yemen, and Mr. Ramesh Rajasingham, Director, "
            "Coordination Division, United Nations Office for the Coordination of Humanitarian Affairs.")
    found = invitations(text)
    assert sorted(found) == ["Mr. Griffiths", "Mr. Rajasingham"]
    assert found["Mr. Griffiths"].role == "Special Envoy of the Secretary-General for Yemen"
    assert found["Mr. Rajasingham"].role.startswith("Director, Coordination Division")
    assert {s.affiliation for s in found.values()} == {"United Nations"}
    assert invitations("In accordance with rule 37, I invite the representatives of Chile.") == {}


def test_an_invitation_in_a_one_line_record_ends_at_to_participate():
    # A 2020 speech file is one line: the President's next sentences followed the invitation
    # and became Mr. Chambas's "post".
    text = ("In accordance with rule 39 of the Council's provisional rules of procedure, I "
            "invite Mr. Mohamed Ibn Chambas, Special Representative of the Secretary-General "
            "and Head of the United Nations Office for West Africa and the Sahel, to "
            "participate in this meeting. The Security Council will now begin its "
            "consideration of the item on its agenda. I now give the floor to Mr. Chambas.")
    found = invitations(text)
    assert found["Mr. Chambas"].role == ("Special Representative of the Secretary-General and "
                                         "Head of the United Nations Office for West Africa "
                                         "and the Sahel")


@pytest.mark.parametrize("text, name, affiliation", [
    ("I now give the floor to the observer of the League of Arab States.", "",
     "League of Arab States"),
    ("I thank Mr. Riyad Mansour. I now give the floor to the Vice-Chair of the Committee on the "
     "Exercise of the Inalienable Rights of the Palestinian People.", "",
     "Committee on the Exercise of the Inalienable Rights of the Palestinian People"),
    ("I now give the floor to His Excellency Mr. Riyad Al-Maliki, Minister for Foreign "
     "Affairs of the State of Palestine.", "Mr. Riyad Al-Maliki", "State of Palestine"),
    ("I now give the floor to the\nrepresentative of the Bolivarian Republic of Venezuela.", "",
     "Bolivarian Republic of Venezuela"),
    ("I give the floor to the Head of the Delegation of the European Union to the United "
     "Nations.", "", "European Union"),
])
def test_the_president_giving_the_floor_names_whom_for(text, name, affiliation):
    found = floor_given(text)
    assert (found.name, found.affiliation) == (name, affiliation)


@pytest.mark.parametrize("text", [
    "I now give the floor to Mr. Mardini.",          # a name alone says for whom nothing
    "I thank the representative of Kuwait for his statement.",
])
def test_no_floor_or_no_affiliation_given(text):
    assert floor_given(text) is None


RECORD = """The President: I now give the floor to the observer of the League of Arab States.

Mr. Abdelaziz: I thank you, Mr. President, for convening this meeting on the Charter.

The President: I now give the floor to His Excellency Mr. Riyad Al-Maliki, Minister for
Foreign Affairs of the State of Palestine.

Mr. Al-Maliki: The Charter binds every Member State to settle disputes by peaceful means.

The President: I now give the floor to the representative of Kuwait.

Mr. Alotaibi (Kuwait): We align ourselves with the statement of the League of Arab States.

Mr. Omar: A speaker the President did not call by post keeps no affiliation here.
"""


def test_the_floor_given_attributes_the_next_statement_only(tmp_path):
    from diplosearch.embed.models import HashingEmbedder
    from diplosearch.ingest.documents import to_passages
    from diplosearch.ingest.sources import SourceFile, read_source

    path = tmp_path / "record.txt"
    path.write_text(RECORD)
    passages = to_passages(read_source(SourceFile(path, path.name)),
                           HashingEmbedder().count_tokens, 128)
    said = {p.speaker: (p.affiliation, p.role) for p in passages if p.speaker != "The President"}
    assert said["Mr. Abdelaziz"] == ("League of Arab States", "observer of the League of Arab States")
    assert said["Mr. Al-Maliki"][0] == "State of Palestine"
    assert said["Mr. Alotaibi"][0] == "Kuwait"
    assert said["Mr. Omar"] == (None, None)


# Label lines as the UN prints them in its other official languages. No non-English S/PV
# record could be found to read (none in the shared corpus, none in the public
# repositories searched), so these are lines, not records.
@pytest.mark.parametrize("text, name, affiliation, role, language, said", [
    ("Le Président : Je remercie M. Voronkov.", "Le Président", None, "President", None,
     "Je remercie"),
    ("La Présidente (parle en anglais) : Je", "La Présidente", None, "President", "English", "Je"),
    ("M. Nebenzia (Fédération de Russie) (parle en russe) : La Russie", "M. Nebenzia",
     "Fédération de Russie", None, "Russian", "La Russie"),
    ("Mme Craft (États-Unis d’Amérique) : Merci", "Mme Craft", "États-Unis d’Amérique", None,
     None, "Merci"),
    ("Le Secrétaire général : Je", "Le Secrétaire général", None, "Secretary-General", None, "Je"),
    ("El Presidente: Doy las gracias", "El Presidente", None, "President", None, "Doy"),
    ("Sr. Amorín (Uruguay) (habla en español): Gracias", "Sr. Amorín", "Uruguay", None,
     "Spanish", "Gracias"),
    ("Председатель (говорит по-английски): Я благодарю", "Председатель", None, "President",
     "English", "Я"),
    ("Г-н Небензя (Российская Федерация): Мы", "Г-н Небензя", "Российская Федерация", None,
     None, "Мы"),
    ("الرئيس (تكلم بالإنكليزية): أشكر", "الرئيس", None, "President", "English", "أشكر"),
    ("السيد نيبينزيا (الاتحاد الروسي) (تكلم بالروسية): نحن", "السيد نيبينزيا", "الاتحاد الروسي",
     None, "Russian", "نحن"),
    ("主席（以英语发言）：我感谢", "主席", None, "President", "English", "我感谢"),
    ("涅边扎先生（俄罗斯联邦）（以俄语发言）：我们", "涅边扎先生", "俄罗斯联邦", None, "Russian", "我们"),
    ("秘书长（以英语发言）：我", "秘书长", None, "Secretary-General", "English", "我"),
])
def test_labels_in_the_other_official_languages(text, name, affiliation, role, language, said):
    speaker, cut = parse_label(text)
    assert (speaker.name, speaker.affiliation, speaker.role, speaker.language) == \
        (name, affiliation, role, language)
    assert text[cut:].startswith(said)


@pytest.mark.parametrize("text", ["Monsieur le Président : merci", "Г-н Председатель: спасибо",
                                  "主席先生：我感谢您", "Señor Presidente: gracias"])
def test_addressing_the_chair_is_no_label_in_any_language(text):
    assert parse_label(text) is None


@pytest.mark.parametrize("text, language", [
    ("(parle en anglais)", "English"), ("(habla en francés)", "French"),
    ("(говорит по-английски)", "English"), ("(تكلم بالعربية)", "Arabic"), ("（以英语发言）", "English")])
def test_language_notes_in_the_other_official_languages(text, language):
    assert language_switch(text) == language


def test_a_french_president_is_named_and_speaks_for_the_country_on_the_cover(tmp_path):
    from diplosearch.embed.models import HashingEmbedder
    from diplosearch.ingest.documents import to_passages
    from diplosearch.ingest.sources import SourceFile, read_source

    path = tmp_path / "seance.txt"
    path.write_text("Le Président : La séance est ouverte.\n\n"
                    "M. Nebenzia (Fédération de Russie) (parle en russe) : Nous remercions la "
                    "présidence.\n\n(parle en anglais)\n\nNous soutenons le projet.\n")
    source = read_source(SourceFile(path, path.name))
    # What a French record's cover gives (cover.py reads English covers only).
    source.metadata.update({"president": "M. Dang", "president_affiliation": "Viet Nam",
                            "language": "French"})
    said = [(p.speaker, p.affiliation, p.role, p.language)
            for p in to_passages(source, HashingEmbedder().count_tokens, 128)]
    assert said == [("Le Président (M. Dang)", "Viet Nam", "President", "French"),
                    ("M. Nebenzia", "Fédération de Russie", None, "Russian"),
                    ("M. Nebenzia", "Fédération de Russie", None, "English")]
