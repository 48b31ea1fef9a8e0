"""Speaker attribution on the sample articles (pronouns, descriptions, continued statements).

The shipped attribution takes reporting verbs' subjects from spaCy's dependency parser
(``ParsedSubjects``); the gold set ``bench/data/attribution_gold.jsonl`` holds every
statement of the two sample articles with its speaker.
"""

from __future__ import annotations

import json

import pytest

from index.chunk import split_sentences
from index.speakers import JOINT, ParsedSubjects, attribute_speakers, name_in_phrase

FIRST = "000_e273dc11edd75a80"
SECOND = "002_1b26c6d6660b8148"

CASES = [
    # (article, sentence start, speaker)
    (FIRST, "Emphasizing the importance of mutually beneficial cooperation", "Xi Jinping"),  # "he suggested"
    (FIRST, "He called for greater effectiveness", "Luong Cuong"),  # "he" after Luong Cuong proposed
    (FIRST, "The Chinese leader reiterated", "Xi Jinping"),  # description -> country in titles
    (FIRST, "Congratulating China on its significant", "Luong Cuong"),  # "the Vietnamese leader"
    (FIRST, "General Secretary and President Xi, in turn, congratulated", "Xi Jinping"),  # short name
    (FIRST, "He emphasized the need for the two countries", "Xi Jinping"),
    (FIRST, "State President Luong Cuong proposed intensifying", "Luong Cuong"),
    (FIRST, "Highly valuing his guest's cooperation proposals", "Xi Jinping"),
    (FIRST, "The two sides held in-depth discussions", JOINT),
    (SECOND, "Xi Jinping stressed that in recent years, the role of the United Nations", "Xi Jinping"),
    (SECOND, "Luong Cuong described the visit", "Luong Cuong"),
    (SECOND, "When Xi Jinping arrived, Luong Cuong warmly welcomed him", "Luong Cuong"),  # the parse
]


@pytest.fixture(scope="module")
def attributed(sample_library) -> dict[str, list[tuple[str, str | None]]]:
    """Article id -> [(sentence, speaker)] from split_sentences + attribute_speakers."""
    out = {}
    for article_id in (FIRST, SECOND):
        text = sample_library.get(article_id).text
        spans = split_sentences(text)
        speakers = attribute_speakers(text, spans, ParsedSubjects())
        assert len(speakers) == len(spans)
        out[article_id] = [(text[s:e], who) for (s, e), who in zip(spans, speakers, strict=True)]
    return out


@pytest.mark.parametrize(("article_id", "opening", "speaker"), CASES, ids=[c[1][:40] for c in CASES])
def test_speaker_of_sentence(attributed, article_id, opening, speaker):
    matches = [(s, who) for s, who in attributed[article_id] if s.startswith(opening)]
    assert len(matches) == 1, f"expected one sentence starting {opening!r}, found {len(matches)}"
    assert matches[0][1] == speaker, f"{matches[0][0][:100]!r} attributed to {matches[0][1]!r}"


def test_canonical_names_only(attributed):
    """Within an article a person has one name ('Xi' and 'Xi Jinping' are one person)."""
    for article_id, pairs in attributed.items():
        names = {who for _, who in pairs if who}
        assert names <= {"Xi Jinping", "Luong Cuong", JOINT}, (article_id, names)


def test_speaker_accuracy_on_the_gold_statements(attributed, repo_root):
    """Every statement of the sample articles (bench/attribution.py reports the same figure)."""
    gold_path = repo_root / "bench" / "data" / "attribution_gold.jsonl"
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(gold) >= 30
    wrong = []
    for item in gold:
        [who] = [w for s, w in attributed[item["article_id"]] if s.startswith(item["opening"])]
        if who != item["speaker"]:
            wrong.append((item["opening"], who, item["speaker"]))
    assert 1 - len(wrong) / len(gold) >= 0.95, wrong


def test_stored_sentences_carry_the_same_speakers(sample_library, attributed):
    """What the library indexes agrees with attribute_speakers over split_sentences."""
    for article_id, pairs in attributed.items():
        article = sample_library.get(article_id)
        expected = {s: who for s, who in pairs}
        for chunk in sample_library.chunk(article):
            for sentence in chunk.sentences:
                text = article.text[sentence.start : sentence.end]
                assert sentence.speaker == expected[text], text[:80]


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Party General Secretary and President of China Xi Jinping", "Xi Jinping"),
        ("State President Luong Cuong", "Luong Cuong"),
        ("General Secretary and President Xi", "Xi"),
        ("The two sides", None),
    ],
)
def test_name_in_phrase(phrase, name):
    assert name_in_phrase(phrase) == name


@pytest.mark.parametrize("parsed", [True, False], ids=["parser", "rules"])
def test_a_capitalised_sentence_opener_is_not_a_person(parsed):
    text = (
        "Coach Frank Reich said the team would improve after the break. Again, that's not to say "
        "that Reich will be fired on Thursday. He was hoping to break that streak with Young."
    )
    spans = split_sentences(text)
    speakers = attribute_speakers(text, spans, ParsedSubjects() if parsed else None)
    assert "Again" not in speakers
    assert speakers[0] == speakers[2] == "Frank Reich"  # "He" is the last person named


def _speakers_of(text: str) -> dict[str, str | None]:
    """Sentence (first five words) -> speaker, attributed with the shipped parser."""
    spans = split_sentences(text)
    speakers = attribute_speakers(text, spans, ParsedSubjects())
    return {" ".join(text[s:e].split()[:5]): who for (s, e), who in zip(spans, speakers, strict=True)}


# Newswire patterns the sample articles do not have (written for these tests).
NEWSWIRE = (
    "Harbor Freight reported weaker orders in the third quarter.\n\n"
    '"We expect demand to recover next spring," said CEO Maria Okafor, adding that prices had '
    'stabilised. "Frankly, our customers are still cautious about inventory."\n\n'
    "Chief financial officer Tom Reyes said margins would narrow.\n\n"
    '"The second half will be harder than the first."\n\n'
    "Senator Paul Lindqvist (R-Iowa) criticised the merger in a post, saying "
    "\u201cthis deal hurts farmers.\u201d\n\n"
    "A Harbor Freight spokesperson responded that the company would appeal the ruling.\n\n"
    "\u201cWe are reviewing the decision and will comment further next week.\u201d\n\n"
    "Another analyst joked that the shares had nowhere to go but up."
)


@pytest.mark.parametrize(
    ("opening", "speaker"),
    [
        ('"We expect demand to recover', "Maria Okafor"),  # inverted: said CEO <name>
        ('"Frankly, our customers are still', "Maria Okafor"),  # same quote, next sentence
        ('"The second half will be', "Tom Reyes"),  # a quote continued in a new paragraph
        ("Senator Paul Lindqvist (R-Iowa) criticised the", "Paul Lindqvist"),  # participle "saying"
        ("A Harbor Freight spokesperson responded", "Harbor Freight"),  # an organisation's voice
        ("\u201cWe are reviewing the decision", "Harbor Freight"),  # its statement, quoted after
        ("Another analyst joked that the", None),  # someone unnamed: not the running speaker
    ],
)
def test_newswire_attribution(opening, speaker):
    found = _speakers_of(NEWSWIRE)
    [key] = [k for k in found if opening.startswith(k) or k.startswith(opening[: len(k)])]
    assert found[key] == speaker, (key, found[key])


def test_a_quote_paragraph_belongs_to_the_speaker_named_where_it_closes():
    text = (
        "Lena Ortiz said the talks were slow.\n\n"
        '"We will get there." Union leader Sam Becker told reporters the talks would resume.'
    )
    found = _speakers_of(text)
    assert found['"We will get there."'] == "Sam Becker"  # not Lena Ortiz, the one before


def test_an_inverted_verb_s_subject_is_read_after_it_when_the_parse_misses_the_name():
    """The parser takes "co" of "co-founder" for the subject of "explains": the name is in
    the words after the verb."""
    text = (
        "“That’s the real breakthrough,” explains Orbit co-founder and CEO Dana Kowalski, previously "
        "the founder of smartwatch startup Pebble. “We are not a middleman anymore. The phone talks "
        "to the servers itself.”"
    )
    found = _speakers_of(text)
    assert set(found.values()) == {"Dana Kowalski"}, found


def test_a_person_the_sentence_only_mentions_does_not_speak_in_it():
    """The subject of "demanding" is the group; the senator is only mentioned."""
    sentence = (
        "On Monday, a group of employees from leading AI firms published an open letter to Senator "
        "Dana Morrow, demanding that Congress act."
    )
    assert set(_speakers_of(sentence).values()) == {None}


def test_a_pronoun_after_a_long_quote_is_the_sentence_s_own_subject():
    text = (
        "Finance chief Tom Reyes said margins would narrow.\n\n"
        "Senator Paul Lindqvist criticised the merger in a post, saying “The deal hurts farmers. "
        "Prices will rise for everyone who buys seed,” he wrote."
    )
    found = _speakers_of(text)
    assert found["Senator Paul Lindqvist criticised the"] == "Paul Lindqvist"  # not the last speaker


PROFILE = (
    "Coach Dana Whitfield said the team would rebuild around its defence.\n\n"
    "Whitfield, 44, has spent the past six seasons at Oregon State. Whitfield guided the "
    "Beavers to seven wins last year.\n\n"
    "Whitfield expects the rebuild to take two seasons.\n\n"
    "According to Sam Ortega of Fox Sports, the contract runs through 2030.\n\n"
    "ESPN reported that the deal was worth $9 million.\n\n"
    "But Okonjo denied that the deal was done."
)


@pytest.mark.parametrize(
    ("opening", "speaker"),
    [
        ("Whitfield, 44, has spent", None),  # about him, not said by him
        ("Whitfield guided the Beavers", None),
        ("Whitfield expects the rebuild", "Dana Whitfield"),  # a forecast is a statement
        ("According to Sam Ortega of Fox Sports", "Sam Ortega"),  # the person, not the outlet
        ("ESPN reported that the deal", "ESPN"),  # an acronym named only at a sentence start
        ("But Okonjo denied", "Okonjo"),  # not "But Okonjo"
    ],
)
def test_narration_about_a_person_is_not_their_statement(opening, speaker):
    found = _speakers_of(PROFILE)
    [key] = [k for k in found if opening.startswith(k) or k.startswith(opening[: len(k)])]
    assert found[key] == speaker, (key, found[key])


def test_a_date_is_nobody_s_name():
    """ "according to the Sept. 20 letter by …": the abbreviated month is no speaker."""
    text = (
        "The siblings were close to a deal, but Owen Brightway reneged on it, according to the "
        "Sept. 20 letter by Mira Brightway, which was sent to Chief Executive Officer Tom Reyes."
    )
    assert "Sept" not in set(_speakers_of(text).values())


def test_someone_who_did_not_respond_makes_no_statement():
    """ "did not respond to requests for comment" is no statement of theirs, and ends the
    statement carried from the sentence before."""
    text = (
        "A Sportsbet spokesman said: “We use advanced matching, like many companies.” "
        "Kmart did not respond to requests for comment. "
        "According to the company’s website, the pixel can help you find new customers."
    )
    found = _speakers_of(text)
    after = [who for k, who in found.items() if k.startswith(("Kmart did", "According to"))]
    assert after == [None, None], found


def test_the_quoted_speaker_s_i_is_not_the_subject_that_says_who_speaks():
    """ "I … think" inside the quote has the subject "I"; "he said" outside it names who."""
    text = (
        "Founder Sam Ortega said moderation had improved.\n\n"
        "If anything, Ortega credits a rival site with the best system so far.\n\n"
        "\u201cCommunity Notes, I personally think is a good \u2014 it\u2019s the best measure "
        "I\u2019ve seen yet. And frankly, I wish we had thought of it first,\u201d he said."
    )
    found = _speakers_of(text)
    assert [who for k, who in found.items() if k.startswith("\u201cCommunity")] == ["Sam Ortega"], found
