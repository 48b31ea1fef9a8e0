"""Answer rules on small real libraries: conflicting sources are both shown; restatements are not answers."""

from __future__ import annotations

import datetime as dt

from index.types import Article


def _add(library, article_id: str, source: str, text: str, date: dt.date | None = None) -> None:
    library.add(Article(id=article_id, title=f"Report {article_id}", source=source, date=date, text=text))


def test_conflicting_sources_are_both_quoted(fresh_assistant):
    library = fresh_assistant.library
    _add(library, "a", "Coast Herald",
         "The final was played on 7 March at Harbour Stadium in Portmere, the home ground of the Gulls.")
    _add(library, "b", "Valley Times",
         "The final was played on 7 March at Harbour Stadium in Eastbrook, the home ground of the Gulls.")
    _add(library, "c", "Valley Times", "Ticket prices for the season rose by ten percent, the club said.")
    answer = fresh_assistant.ask("Where was the final played?")
    assert answer.found
    quoted = " ".join(c.sentence for c in answer.citations)
    assert "Portmere" in quoted and "Eastbrook" in quoted, answer.text
    # Each version is labelled with where it comes from.
    assert "Coast Herald" in answer.text and "Valley Times" in answer.text


def test_a_headline_that_restates_the_question_is_not_the_answer(fresh_assistant):
    _add(fresh_assistant.library, "q2", "Auto Weekly",
         "Northwind Motors second quarter revenue.\n\n"
         "Northwind Motors reported revenue of $6.04 billion for the second quarter, up 4 percent. "
         "The company also opened a new plant in Arlow.")
    answer = fresh_assistant.ask("What was the second quarter revenue of Northwind Motors?")
    assert answer.found
    assert "6.04 billion" in answer.citations[0].sentence, answer.text
    assert all(c.sentence != "Northwind Motors second quarter revenue." for c in answer.citations)
