"""Answer rules on small real libraries: conflicting sources are both shown; restatements are not answers."""

from __future__ import annotations

import datetime as dt

from index.types import Article


def _add(library, article_id: str, source: str, text: str, date: dt.date | None = None) -> None:
    library.add(Article(id=article_id, title=f"Report {article_id}", source=source, date=date, text=text))


def test_conflicting_sources_are_both_quoted(fresh_assistant):
    library = fresh_assistant.library
    _add(
        library,
        "a",
        "Coast Herald",
        "The final was played on 7 March at Harbour Stadium in Portmere, the home ground of the Gulls.",
    )
    _add(
        library,
        "b",
        "Valley Times",
        "The final was played on 7 March at Harbour Stadium in Eastbrook, the home ground of the Gulls.",
    )
    _add(library, "c", "Valley Times", "Ticket prices for the season rose by ten percent, the club said.")
    answer = fresh_assistant.ask("Where was the final played?")
    assert answer.found
    quoted = " ".join(c.sentence for c in answer.citations)
    assert "Portmere" in quoted and "Eastbrook" in quoted, answer.text
    # Each version is labelled with where it comes from.
    assert "Coast Herald" in answer.text and "Valley Times" in answer.text


def test_a_headline_that_restates_the_question_is_not_the_answer(fresh_assistant):
    _add(
        fresh_assistant.library,
        "q2",
        "Auto Weekly",
        "Northwind Motors second quarter revenue.\n\n"
        "Northwind Motors reported revenue of $6.04 billion for the second quarter, up 4 percent. "
        "The company also opened a new plant in Arlow.",
    )
    answer = fresh_assistant.ask("What was the second quarter revenue of Northwind Motors?")
    assert answer.found
    assert "6.04 billion" in answer.citations[0].sentence, answer.text
    assert all(c.sentence != "Northwind Motors second quarter revenue." for c in answer.citations)


PRICE_ARTICLE = (
    "A startup called Lumo has launched a messaging app named Lumo Glide that lets Android users "
    "chat with iPhone owners. Lumo Glide is priced at $2.49 per month, with a seven-day free trial. "
    "The company said it has raised $6 million from investors. The older Lumo app will be renamed "
    "Lumo Cloud and closed next year."
)


def test_a_follow_up_asks_about_what_the_earlier_turn_named(fresh_assistant):
    """A follow-up, "How much did it cost?" after "What is Lumo Glide?", is about Lumo Glide: its price
    answers, though the sentence says "priced", not "cost", and does not say "launched"."""
    _add(fresh_assistant.library, "p1", "Tech Daily", PRICE_ARTICLE)
    answer = fresh_assistant.ask(
        "How much did it cost when it launched?", conversation=["What is Lumo Glide?"]
    )
    assert answer.found, answer.text
    assert "$2.49" in answer.citations[0].sentence, answer.text


GOVERNOR_ARTICLE = (
    "Rita Moss, the attorney general of the territory, was dismissed in December after three years "
    "pursuing the bank. Governor Ana Pell texted Moss in May about the case. The governor gave her "
    "blessing when Moss filed the suit. Officially, Moss, not the governor, was in charge of the "
    "legal calls. “The bank must answer for what it did,” Moss said in an interview. After Moss was "
    "gone, Pell said: “If we never mention the bank again, it will be too soon.”"
)


def test_a_follow_up_that_asks_for_someone_else_quotes_them(fresh_assistant):
    """The governor's words, not the dismissed attorney general's that the earlier turn was
    about; the role is read from the name's own phrase ("Governor Ana Pell"), not from a
    sentence that mentions both."""
    _add(fresh_assistant.library, "g1", "Island News", GOVERNOR_ARTICLE)
    answer = fresh_assistant.ask(
        "And what did the governor say about the bank once she was gone?",
        conversation=["Why was Rita Moss dismissed as attorney general?"],
    )
    assert answer.found, answer.text
    assert "never mention the bank" in answer.citations[0].sentence, answer.text
    assert "Pell" in (answer.citations[0].speaker or ""), answer.text


def test_who_replaced_someone_is_not_answered_by_the_company_that_ousted_them(fresh_assistant):
    """A near miss: the article reports the ouster, not the successor. The company the
    question names ("Brightway's") is not who replaced him."""
    _add(
        fresh_assistant.library,
        "w1",
        "Freight Wire",
        "Brightway recently ousted Dan Cole as chief financial officer and lost its head of sales. "
        "For much of the summer, Cole had pushed Brightway's planning team to cut its forecasts. "
        "Brightway's shares fell 3 percent on the news.",
    )
    answer = fresh_assistant.ask("Who replaced Dan Cole as Brightway's chief financial officer?")
    assert not answer.found, answer.text
    assert "who" in answer.text.lower(), answer.text


def test_asked_for_what_someone_said_their_quoted_words_are_shown(fresh_assistant):
    """The mayor's own words answer "what did the mayor say", though sentences that only report
    on the mayor name the bridge more often."""
    _add(
        fresh_assistant.library,
        "m1",
        "City Post",
        "Mayor Tom Reyes visited the old bridge on Monday and met engineers about the bridge repairs. "
        "Reyes later toured the bridge works with reporters and the bridge engineers. "
        "“We will not let this bridge fall apart on my watch,” Reyes said at the bridge. "
        "The bridge carries 30,000 cars a day.",
    )
    answer = fresh_assistant.ask("What did the mayor say about the bridge?")
    assert answer.found, answer.text
    assert any("fall apart" in c.sentence for c in answer.citations), answer.text


def test_why_asks_for_a_reason_not_for_the_named_peoples_words(fresh_assistant):
    """Naming the people a "why" question is about does not make it a question about what they
    said: the reason wins though someone else states it."""
    _add(
        fresh_assistant.library,
        "r1",
        "Business Desk",
        "Directors Ana Ruiz and Ben Cole agreed not to take part in the board's talks on the merger "
        "because of a dispute over a lawyer whose firm also works for a rival, spokesperson Lee Park said. "
        "“We have been frozen out of the board's talks for months,” Ruiz said. "
        "Cole said the merger talks should be held in public.",
    )
    answer = fresh_assistant.ask("Why did Ana Ruiz and Ben Cole sit out the board's talks on the merger?")
    assert answer.found, answer.text
    assert "dispute over a lawyer" in answer.citations[0].sentence, answer.text


def test_a_sentence_that_goes_on_from_the_one_before_answers_with_its_context(fresh_assistant):
    """ "Next came the rail operator, in June, for £5 million" says what was settled only through
    the sentence before it; read with that sentence, it answers how much the operator paid."""
    _add(
        fresh_assistant.library,
        "s1",
        "Coast Herald",
        "The dockworkers' union sued three companies over the harbour closure. "
        "The port authority was the first to settle with the union, paying £2 million in March. "
        "Next came the rail operator, in June, for £5 million. "
        "The ferry company has not settled and says the claim has no merit.",
    )
    answer = fresh_assistant.ask("How much did the rail operator pay to settle with the dockworkers' union?")
    assert answer.found, answer.text
    assert "£5 million" in answer.citations[0].sentence, answer.text


LAWSUIT_ARTICLE = (
    "Two shareholders of Lumo Freight sued the company on Monday, saying they had been shut out of "
    "board meetings for a year. Ana Ruiz, one of the two, said the board had hidden the losses of the "
    "Derby depot from them. “This matter should have been settled privately and will be,” Lumo "
    "Freight spokesperson Tom Hale said by email. Judge Mara Quint set the first hearing for March."
)


def test_what_the_company_said_back_is_its_spokespersons_statement(fresh_assistant):
    """ "The company" of a follow-up is the one the earlier turn names: its spokesperson's words
    answer, not the shareholders' complaint about it."""
    _add(fresh_assistant.library, "l1", "Coast Herald", LAWSUIT_ARTICLE)
    answer = fresh_assistant.ask(
        "What did the company say back?", conversation=["Why are the shareholders suing Lumo Freight?"]
    )
    assert answer.found, answer.text
    assert any(c.speaker == "Tom Hale" for c in answer.citations), answer.text
    assert "settled privately" in answer.text


def test_only_the_people_asked_to_speak_are_the_speakers_asked_for(fresh_assistant):
    """ "What did Dana Cole say … at Harbor Freight?" asks for Cole's words: the company the
    question also names speaks in the article too, but is not asked to; "Harbor Freight's
    chief executive" asks for the one who holds that role, not the company."""
    _add(
        fresh_assistant.library,
        "k1",
        "Coast Herald",
        "Harbor Freight named Dana Cole its chief executive in May. "
        "Harbor Freight said the board regretted the losses of the Derby depot. "
        "“The only thing I regret from my year at Harbor Freight is trusting the board,” "
        "chief executive Dana Cole said.",
    )
    assistant = fresh_assistant
    for question, asked in [
        ("What did Dana Cole say she regrets about her year at Harbor Freight?", {"Dana Cole"}),
        ("What did Harbor Freight's chief executive say about the board?", {"Dana Cole"}),
        ("What did Harbor Freight say about the Derby depot?", {"Harbor Freight"}),
    ]:
        passages = assistant.retriever.passages(question, where=None, scope=None)
        understood = assistant.answerer.reader.read(question)
        _, people = assistant.answerer.scorer.rank(understood, passages)
        assert people == asked, (question, people)
    answer = assistant.ask("What did Dana Cole say she regrets about her year at Harbor Freight?")
    assert "trusting the board" in answer.citations[0].sentence, answer.text


def test_a_title_written_out_answers_who_holds_it(fresh_assistant):
    """ "CEO" is the "Chief Executive Officer" of a relative clause about someone else the
    question's company name also names (a family firm: "Brightway" / "Mira Brightway"); the
    one who holds the title now, not the "former CEO"."""
    _add(
        fresh_assistant.library,
        "t1",
        "Market Wire",
        "Two members of the family that controls Brightway Freight are suing the company. "
        "The siblings were close to a deal, but Owen Brightway reneged on it, according to a "
        "letter by Mira Brightway, which was sent to Chief Executive Officer Tom Reyes. "
        "Mira Brightway and her sister had opposed the CEO change. "
        "The committee asked for all letters between Mira Brightway and former CEO Dan Cole. "
        "Shares of Brightway fell 2 percent on the news.",
    )
    answer = fresh_assistant.ask("Who is the CEO of Brightway?")
    assert answer.found, answer.text
    assert "Tom Reyes" in answer.citations[0].sentence, answer.text


def test_what_one_person_said_about_a_difference_is_their_statement_not_a_list(fresh_assistant):
    """ "difference" does not make a comparison of articles when one article quotes the asked
    person: the answer is her statement, without a dated list of other reports."""
    _add(
        fresh_assistant.library,
        "d1",
        "Policy Daily",
        "Researcher Dana Okafor said the data collected by Lumo's tracker was similar to that of "
        "Orbit and Vega, but the difference was the intent. Advertising data had great value, she said.",
        dt.date(2023, 12, 25),
    )
    _add(
        fresh_assistant.library,
        "d2",
        "Tech Brief",
        "Lumo is testing an ad-free subscription tier for some users, the company said.",
        dt.date(2023, 10, 7),
    )
    _add(
        fresh_assistant.library,
        "d3",
        "Gadget News",
        "Orbit's latest phones are up to $200 off this week, and Vega cut its prices too.",
        dt.date(2023, 11, 19),
    )
    answer = fresh_assistant.ask("What did Dana Okafor say was the difference between Lumo and Orbit?")
    assert answer.found, answer.text
    assert "the intent" in answer.citations[0].sentence, answer.text
    assert not answer.text.startswith("-"), answer.text
    assert {c.passage.article_id for c in answer.citations} == {"d1"}, answer.text


def test_what_someone_said_when_they_did_not_respond_is_a_near_miss(fresh_assistant):
    """The article says Kmart did not comment: that is the answer, not another firm's quote."""
    _add(
        fresh_assistant.library,
        "k1",
        "Metro Daily",
        "A Sportsbet spokesman said: “We use advanced matching, and that’s consistent with the "
        "advertising methods a lot of companies use.” Kmart did not respond to requests for comment. "
        "According to the platform’s website, the tracking pixel can help you find new customers.",
    )
    answer = fresh_assistant.ask("What did Kmart say about the tracking pixel?")
    assert not answer.found, answer.text
    assert "Kmart" in answer.text.split("What they do say")[0], answer.text
    assert "did not respond" in answer.citations[0].sentence, answer.text


def test_a_person_quoted_elsewhere_in_the_article_is_not_unquoted(fresh_assistant):
    """Asked about one act of hers ("answer … in writing"), the passages given to the answer hold
    none of her statements (the retriever's cap per article can leave them out); the rest of
    her article does, so she is not one the articles "never quote"."""
    text = (
        "Commissioner Vera Lindgren said her department had followed the law. Lindgren said the "
        "campaign was standard practice.\n\n"
        + "".join(
            f"The committee pressed Lindgren on {topic} for a long time, and members asked for figures on "
            f"{topic} in every region and a timetable for new rules on {topic}.\n\n"
            for topic in ("fishing quotas", "rail freight", "port fees", "grain storage", "bridge tolls")
        )
        + "At the end of the session she undertook to answer the committee in writing as soon as possible."
    )
    _add(fresh_assistant.library, "v1", "Policy Daily", text)
    question = "When will Lindgren answer the committee in writing?"
    found = fresh_assistant.library.search(question, 8)
    pressed = [p for p in found if "said" not in p.chunk.text]
    assert pressed and len(pressed) < len(found)  # the statements' passage is left out
    answer = fresh_assistant.answerer.answer(question, pressed)
    assert "don't say what Lindgren said" not in answer.text, answer.text
