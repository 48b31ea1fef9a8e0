"""What a question asks for, and whether a sentence holds it (assistant/asked.py), on real
spaCy and GloVe: questions and sentences written for this test, not taken from the sets."""

from __future__ import annotations

import pytest

from assistant.asked import AnswerKinds, realis
from assistant.hyponyms import Hyponyms
from assistant.meaning import WordVectors
from index.nlp import SpacyPipeline


@pytest.fixture(scope="module")
def kinds() -> AnswerKinds:
    return AnswerKinds(WordVectors(), Hyponyms().wordnet)  # as the answerer builds it


@pytest.mark.parametrize(
    "question,kind",
    [
        ("How many seats did the Labour party win?", "number"),
        ("how long did the dock strike last", "duration"),
        ("How much did the new stadium cost?", "amount"),
        ("What was the total cost of the bridge?", "amount"),
        ("What did a seat at the final cost on average?", "amount"),
        ("When will the summit be held?", "date"),
        ("In which year did the company go public?", "date"),
        ("Where did the ministers meet?", "place"),
        ("In which city was the treaty signed?", "place"),
        ("Who replaced the chief executive?", "person"),
        ("Which minister announced the budget?", "person"),
        ("What did the central bank say about inflation?", None),
        ("Why did the talks collapse?", None),
        ("Which agreements were signed?", None),
        ("What did the appeals court decide about the merger?", "outcome"),
        ("What did the regulator conclude about the app's tracking?", "outcome"),
        ("What did Maria Okafor conclude about demand?", None),  # a person's view: a statement
        ("What did the board propose?", None),  # a proposal is said, not decided
        ("How many years did the ceasefire hold?", "duration"),  # counts time
        ("How old is the new chief executive?", "age"),
        ("Who is Zhao Leji?", None),  # what the articles say of someone named: no other person
        ("Who's Helen Smith?", None),
        ("Who is the chief executive of Nike?", "person"),
        ("Who was Xi meeting in Hanoi?", "person"),
    ],
)
def test_expected_kind_comes_from_the_question_grammar(kinds, question, kind):
    assert kinds.expected(question).kind == kind


def test_how_many_knows_what_is_counted(kinds):
    assert kinds.expected("How many seats did the party win?").counted == "seats"


@pytest.mark.parametrize(
    "question,sentence,holds",
    [
        # A duration about the asked event, or only its start.
        (
            "How long did the dock strike last?",
            "The dock strike lasted three weeks and ended on Friday.",
            True,
        ),
        ("How long did the dock strike last?", "Dock workers began a strike on Monday over pay.", False),
        # "Three days ago" says when, not how long.
        ("How long did the dock strike last?", "Three days ago the dock strike ended in a deal.", False),
        ("How long is the new TV contract?", "A couple of days back, the league signed the contract.", False),
        ("How long is the new TV contract?", "The TV contract runs for seven years.", True),
        # A count of the asked things, or another number.
        ("How many seats did the party win?", "The party won 112 seats in the new parliament.", True),
        ("How many seats did the party win?", "The two parties campaign for Sunday's vote.", False),
        # None of them is a count too; "no" on another noun is not.
        ("How many goals has the club scored from corners?", "It has no goals from 40 corners.", True),
        ("How many seats did the party win?", "The party had no comment on the seats.", False),
        # The noun counted is the head of the phrase, not its first word.
        ("How many Harbor Freight fraud cases were merged?", "A judge merged 80 cases in May.", True),
        ("How many of his finals has the coach lost?", "The coach has lost two of his nine finals.", True),
        # "injured" in the question, "injury" in the sentence: one word.
        (
            "How long will Tom Reyes be out injured?",
            "The club's worries, heightened by the loss of Tom Reyes for up to three months with a "
            "knee injury, are growing.",
            True,
        ),
        # A person the question does not already name.
        (
            "Who replaced Maria Lopez as chief executive?",
            "Maria Lopez resigned as chief executive on Tuesday.",
            False,
        ),
        (
            "Who replaced Maria Lopez as chief executive?",
            "The board named John Okafor chief executive, replacing Maria Lopez.",
            True,
        ),
        # A date of the asked event, not of another one in the same sentence.
        ("When will the summit take place?", "The summit will take place on 12 March in Geneva.", True),
        (
            "When will the summit take place?",
            "Ministers proposed a summit, and the trade fair opened on 3 May in Lyon.",
            False,
        ),
        # "How many years" is answered by a duration in years, not in days.
        ("How many years has the treaty been in force?", "Over the past 40 years the treaty held.", True),
        ("How many years has the treaty been in force?", "Talks on the treaty took three days.", False),
        # A weekday the tagger takes for part of a name ("X. Late Thursday") is still a date.
        (
            "When did the EU send X a formal request for information?",
            "The EU is turning up the heat on X. Late Thursday, the Commission sent X a formal request.",
            True,
        ),
        # An age: of the asked person, not of someone beside them.
        ("How old is Dana Whitfield?", "Dana Whitfield, 52, joined the board in May.", True),
        ("How old is Dana Whitfield?", "The board hired Whitfield, a 52-year-old banker, in May.", True),
        ("How old is Dana Whitfield?", "Whitfield said her 12-year-old daughter loved the show.", False),
        ("How old is Dana Whitfield?", "Whitfield joined the board in May with 52 others.", False),
        ("How old is Dana Whitfield's son?", "Whitfield’s 12-year-old son ran to a neighbour.", True),
        # A place inside the one the question names.
        (
            "Where was the meeting in Hanoi held?",
            "Xi met Luong Cuong at the Hanoi presidential palace.",
            True,
        ),
        ("Where was the meeting in Hanoi held?", "The meeting in Hanoi was held on April 15.", False),
        # An amount, not "the two sides".
        ("What was the total value of the deals?", "The deals were worth $4.2 billion in total.", True),
        ("What was the total value of the deals?", "The two sides signed several deals.", False),
        # "cost" frames an amount question as "last" does a duration: the price of the named
        # product (tagged a person) answers it, another product's does not.
        (
            "How much does Jasper Mini cost?",
            "Jasper Mini is priced at $4.99 per month, with a free trial.",
            True,
        ),
        ("How much does Jasper Mini cost?", "The rival Kiva Tab is priced at $199.", False),
        # A name written with a dot is a word of the question's topic.
        ("How much does Texts.com cost?", "Rival Texts.com charges $15 per month.", True),
        (
            "How much does Texts.com cost?",
            "Rival Signal charges nothing, and Slack charges $8 a month.",
            False,
        ),
        # People are counted by any kind of person (WordNet puts "employee" and "person" under
        # "person", the singular English forms no "people" from).
        ("How many people work at Orbit Labs?", "Orbit Labs is a 40-person team based in Leeds.", True),
        ("How many people work at Orbit Labs?", "Orbit Labs has 300 employees in three offices.", True),
        ("How many people work at Orbit Labs?", "Orbit Labs was founded 12 years ago in Leeds.", False),
    ],
)
def test_a_sentence_holds_the_asked_thing_only_about_the_asked_event(kinds, question, sentence, holds):
    asked = kinds.expected(question)
    (span,) = kinds.holds([sentence], asked, question)
    assert (span is not None) == holds, (question, sentence, span)
    if span is not None:
        assert 0 <= span[0] < span[1] <= len(sentence)


def test_which_x_is_found_as_the_phrase_the_word_heads(kinds):
    asked = kinds.expected("Which treaty did the minister cite on fishing rights?")
    assert asked.kind is None and asked.noun == "treaty"
    sentence = "She urged restraint in line with the 1995 Treaty on Straddling Fish Stocks (UNFSA), she said."
    start, end = kinds.phrase(sentence, asked.noun)
    assert sentence[start:end] == "the 1995 Treaty on Straddling Fish Stocks (UNFSA)"
    assert kinds.phrase("She urged restraint on fishing.", "treaty") is None


def test_the_asked_act_is_the_question_s_main_verb(kinds):
    """ "When was the festival launched?": a date of the launch, before the festival's other dates."""
    assert kinds.event("When was the festival launched?") == "launch"
    assert kinds.event("When did the strike happen?") == ""  # a frame verb names no act
    assert kinds.event("When did the minister propose the levy?") == ""  # when_said's business
    assert kinds.names_event("The festival was launched in Accra in 2017.", "launch")
    assert not kinds.names_event("Held last December, the festival drew 31,000 people.", "launch")


def test_nouns_that_name_what_someone_said_are_told_apart_by_meaning(kinds):
    assert kinds.said_nouns("What was the minister's message on tariffs?") == ("message",)
    assert kinds.said_nouns("What was the union's response to the offer?") == ("response",)
    assert kinds.said_nouns("What was the minister's plan for tariffs?") == ()


def test_the_speaker_answers_who_when_the_main_clause_is_about_the_question(kinds):
    question = "Who proposed a joint railway committee?"
    asked = kinds.expected(question)
    spans = kinds.holds(
        [
            "He proposed that the two sides set up a joint railway committee.",
            "He thanked his hosts for the dinner.",
        ],
        asked,
        question,
        ["Xi Jinping", "Xi Jinping"],
    )
    assert spans[0] is not None and spans[1] is None


def test_a_sentence_whose_root_is_not_a_verb_is_read_to_the_end(kinds):
    """The parse's root may be punctuation or a noun; the clause search stops there."""
    question = "How many primes are in the rows?"
    sentence = "The rows (=progressions) starting with a = 3, 6, or 9 contain at most one prime number."
    (span,) = kinds.holds([sentence], kinds.expected(question), question)
    assert span is None or sentence[span[0] : span[1]].strip()


@pytest.mark.parametrize(
    "sentence,holds",
    [
        ("The regulator concluded in March that the app broke privacy law.", True),
        ("The regulator has been assessing the app's tracking for months.", False),  # still going on
        ("The regulator has yet to reach a conclusion on the app's tracking.", False),
        ("The regulator must open an investigation into the app's tracking, a senator said.", False),
        ("The company moved to have the regulator's inquiry into the app's tracking dropped.", False),
    ],
)
def test_an_outcome_is_a_done_decision_of_the_asked_subject(kinds, sentence, holds):
    question = "What did the regulator conclude about the app's tracking?"
    asked = kinds.expected(question)
    assert (kinds.holds([sentence], asked, question)[0] is not None) == holds


@pytest.mark.parametrize(
    "question,outcome",
    [
        ("Did the appeals court throw out the airline's lawsuit?", True),
        ("Has the city council approved the new stadium?", True),
        ("Did the Vietnamese president thank the delegation?", False),  # a person by role: a statement
        ("Did Maria Okafor sign the contract?", False),  # a person by name
        ("Is the airline launching a new route?", False),  # not about something done
    ],
)
def test_a_yes_no_question_about_what_an_institution_did_asks_for_an_outcome(kinds, question, outcome):
    assert (kinds.expected(question).kind == "outcome") == outcome


@pytest.mark.parametrize(
    "sentence,holds",
    [
        ("A federal judge dismissed the airline's lawsuit on Friday.", True),  # the court's noun
        ("The appeals court refused to throw out the airline's lawsuit.", True),  # done: a refusal
        ("The airline moved to dismiss its lawsuit before the appeals court.", False),  # only asked for
        ("A hearing on the airline's lawsuit is scheduled for October.", False),  # pending
        ("The court will rule on the airline's lawsuit next month.", False),
        ("The minister suggested that the court dismiss the airline's lawsuit.", False),  # only proposed
        ("A pilot in the airline's lawsuit said the court had been patient.", False),  # not the court's act
    ],
)
def test_a_yes_no_outcome_is_the_asked_institutions_act_done(kinds, sentence, holds):
    question = "Did the appeals court throw out the airline's lawsuit?"
    asked = kinds.expected(question)
    assert (kinds.holds([sentence], asked, question)[0] is not None) == holds


@pytest.mark.parametrize(
    "sentence,done",
    [
        ("A hearing on the suit is scheduled for October.", False),
        ("The court is expected to rule on the suit next month.", False),
        ("A new attendance record was set at the final in March.", True),
        ("Xi suggested that the two sides soon organize the first meeting.", False),
        ("The two sides organized the first meeting in May.", True),
    ],
)
def test_done_is_not_scheduled_or_proposed(sentence, done):
    doc = SpacyPipeline()([sentence])[0]
    verbs = [t for t in doc if t.pos_ == "VERB" and t.lemma_ in ("schedule", "expect", "set", "organize")]
    assert verbs and realis(verbs[-1]) == done


@pytest.mark.parametrize(
    "question,said",
    [
        ("When did the mayor propose the tram line?", True),
        ("When did the minister announce the budget?", True),
        ("When did the company say the plant would open?", False),  # when it opens
        ("When did the mayor say the tram line is a priority?", False),  # the clause is said
        ("When did the two presidents meet?", False),
    ],
)
def test_when_said_is_asked_of_a_verb_of_saying_without_a_clause(kinds, question, said):
    assert kinds.asks_when_said(question) is said
