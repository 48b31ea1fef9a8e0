"""Near-duplicate articles (one wire story, several outlets) are kept once for answering.

Real catalogue, Chroma and embedder; the copy differs from the original in headline,
byline and a closing sentence, as syndicated stories do.
"""

from __future__ import annotations

from assistant.build import build_assistant
from index.duplicates import DuplicateFinder, signature, to_bytes
from index.types import Article

STORY = (
    "The port authority of Valdora announced on Tuesday that the new container terminal will open "
    "in March 2032 after four years of construction. The terminal will handle two million containers "
    "a year, the authority's director Helena Brandt told reporters. Dredging of the access channel "
    "finished last month, and the first cranes arrived from Rotterdam in October. Local fishermen "
    "have protested against the loss of their traditional moorings, and the city council promised "
    "a new fishing harbour on the northern shore. The project cost 1.2 billion euros, financed by "
    "the regional government and a consortium of shipping companies."
)
ORIGINAL = Article(id="wire-valdora", title="Valdora container terminal to open in March 2032",
                   date="2031-11-04", source="Northern Wire", text=STORY)  # fmt: skip
COPY = Article(
    id="daily-valdora",
    title="New Valdora terminal opens next spring",
    date="2031-11-05",
    source="Valdora Daily",
    text="By our correspondent. " + STORY + " Valdora Daily will follow the opening.",
)
OTHER = Article(
    id="gazette-valdora",
    title="Fishermen fear for Valdora moorings",
    date="2031-11-06",
    source="Coast Gazette",
    text=(
        "Fishermen in Valdora say the container terminal takes away moorings their families used for "
        "generations. The council's promise of a northern fishing harbour has no date and no budget, "
        "said Marco Ilic, who leads the fishermen's cooperative. The port authority declined to comment."
    ),
)
QUESTION = "When will the Valdora container terminal open?"


def test_signatures_tell_copies_from_other_reports():
    finder = DuplicateFinder([(ORIGINAL.id, to_bytes(signature(ORIGINAL.text)))])
    assert finder.original_of(COPY.id, signature(COPY.text)) == ORIGINAL.id
    assert finder.original_of(OTHER.id, signature(OTHER.text)) is None


def test_a_copy_that_changes_a_fact_is_another_source(fresh_library):
    """RGB-style conflicts: the same story with another date is not a duplicate."""
    changed = COPY.model_copy(
        update={"id": "rival-valdora", "text": COPY.text.replace("March 2032", "June 2033")}
    )
    report = fresh_library.add_articles([ORIGINAL, changed])
    assert report.duplicates == {}


def test_a_syndicated_copy_is_cited_once_with_its_other_outlets(fresh_settings, fresh_library):
    report = fresh_library.add_articles([ORIGINAL, COPY, OTHER])
    assert report.duplicates == {COPY.id: ORIGINAL.id}
    assert report.to_dict()["duplicates"] == {COPY.id: ORIGINAL.id}
    assert fresh_library.stats()["articles"] == 3  # the copy stays listed and deletable

    assistant = build_assistant(fresh_settings, library=fresh_library)
    answer = assistant.ask(QUESTION)
    assert answer.found
    cited = {c.passage.article_id for c in answer.citations}
    assert ORIGINAL.id in cited and COPY.id not in cited
    original = next(c for c in answer.citations if c.passage.article_id == ORIGINAL.id)
    assert original.also_published_by == ("Valdora Daily",)
    assert original.to_json()["also_published_by"] == ["Valdora Daily"]
    # the copy's chunks are in no search result either
    assert COPY.id not in {p.article_id for p in assistant.search("Valdora container terminal", k=20)}


def test_removing_the_original_promotes_the_copy(fresh_settings, fresh_library):
    fresh_library.add_articles([ORIGINAL, COPY])
    assert fresh_library.remove(ORIGINAL.id)
    assistant = build_assistant(fresh_settings, library=fresh_library)
    answer = assistant.ask(QUESTION)
    assert [c.passage.article_id for c in answer.citations][:1] == [COPY.id]
    assert answer.citations[0].also_published_by == ()
    # a later copy of the story now points at the promoted article
    third = ORIGINAL.model_copy(update={"id": "radio-valdora", "source": "Radio Valdora"})
    assert fresh_library.add_articles([third]).duplicates == {"radio-valdora": COPY.id}
