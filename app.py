"""The web chat: Gradio layout and wiring only; answers come from ``Assistant.ask``."""

from __future__ import annotations

import html
import itertools
import logging
import tempfile
from pathlib import Path

import index  # noqa: F401  (offline environment and telemetry off, before gradio loads)
import gradio as gr
import uvicorn
from gradio.utils import get_upload_folder

from assistant.build import build_assistant, ensure_sample_corpus
from assistant.feedback import FeedbackStore, feedback_path
from assistant.html import (
    LIBRARY_COLUMNS,
    answer_markdown,
    conversation_markdown,
    draft_markdown,
    ingest_summary,
    library_table,
    markdown_text,
    panel_html,
    turn_sources_html,
)
from assistant.llm import LLMError
from assistant.pipeline import Assistant, QuestionError
from assistant.rerank import RerankerError
from assistant.scope import FilterError
from assistant.security import GUEST, Guard, inside_folder, ui_display_name, ui_is_admin
from assistant.server import create_app
from assistant.settings import Settings, get_settings
from index.identity import EmbedderMismatch
from index.shared import StoreUnavailable

log = logging.getLogger("newsqa.app")

EXAMPLES = [
    "What did Xi propose on railways?",
    "What did Luong Cuong propose on science and technology?",
    "What did Xi say about the role of the United Nations?",
]


def _text(content: object) -> str:
    """Message text from Gradio history content (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


GREETING = (
    "**Ask about the news articles.** Every statement of an answer comes from an article "
    "and is cited: click a marker like [1] to see the passage it comes from."
)


def header_markdown(articles: int) -> str:
    return (
        "## Ask the news articles\nEvery statement comes from an article and is cited. "
        f"{articles:,} article{'s' if articles != 1 else ''} indexed."
    )


def article_choices(rows: list[dict]) -> list[tuple[str, str]]:
    """(label, id) for the delete list: title, date and source name the article, not its id."""
    choices = []
    for row in rows:
        when = row.get("date") or "no date"
        label = f"{row['title']} — {when}" + (f" — {row['source']}" if row.get("source") else "")
        choices.append((label, row["id"]))
    return choices


def delete_question(row: dict) -> str:
    """The confirmation asked before deleting an article, naming it."""
    when = row.get("date") or "no date"
    source = f", {markdown_text(row['source'])}" if row.get("source") else ""
    return (
        f"**Delete “{markdown_text(row['title'])}” ({markdown_text(when)}{source})?** Its "
        f"{row.get('chunks', 0)} passages leave the index; this cannot be undone (add the file "
        "again to restore it)."
    )


def account_html(username: str | None, admin: bool) -> str:
    """Who is signed in, with sign-out; a sign-in link for a guest; nothing on the laptop."""
    if username and ":" in username:
        role = " (admin)" if admin else ""
        name = html.escape(ui_display_name(username))
        return (f'<div class="nq-account" style="text-align:right">Signed in as <b>{name}</b>{role}'
                ' · <a href="/logout" id="sign-out">Sign out</a></div>')
    if username == GUEST:
        link = '<a href="/login" id="sign-in">Sign in</a>'
        return f'<div class="nq-account" style="text-align:right">{link}</div>'
    return ""


def build_ui(
    assistant: Assistant, library_tab: bool = True, feedback: FeedbackStore | None = None
) -> gr.Blocks:
    """The chat (answers streamed, sources beside them, thumbs up/down stored in ``feedback``,
    kept across reloads, exportable as Markdown) and, unless turned off, the Library tab."""

    def respond(
        question: str,
        history: list[dict],
        since: str,
        until: str,
        chosen: list[str] | None,
        turns: list,
        sections: list,
    ):
        """Stream the answer into the chat: status, the model's draft, then the verified answer.

        ``turns`` holds each answered turn's answer JSON (for feedback and the export),
        ``sections`` each answer's part of the sources panel: answer N's ``[n]`` chips point at
        its own cards, so a marker keeps its meaning after follow-ups.
        """
        history = list(history or [])
        earlier = [_text(m["content"]) for m in history if m.get("role") == "user"]
        try:
            where = assistant.make_filter(since, until, chosen or [])
            events = assistant.stream(question, earlier, where)
            first = next(events)  # checks the question
        except (QuestionError, FilterError) as exc:
            # Said under the question box; the chat is left as it was and the text kept to fix.
            yield history, gr.update(), question, gr.update(), gr.update(), f"⚠️ {markdown_text(str(exc))}"
            return
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        draft, status = "", ""
        for event in itertools.chain([first], events):
            if event.answer is not None:
                answer = event.answer
                ids = {c.passage.article_id for c in answer.citations + answer.closest}
                articles = {i: a for i in ids if (a := assistant.library.get(i)) is not None}
                turn = len(turns or []) + 1
                history[-1] = {"role": "assistant", "content": answer_markdown(answer, turn)}
                shown = [*(sections or []), turn_sources_html(answer, articles, turn)]
                yield history, panel_html(shown), "", [*(turns or []), answer.to_json()], shown, ""
                return
            if event.kind == "token":
                draft += event.text
            else:
                status = event.text
            history[-1] = {"role": "assistant", "content": draft_markdown(draft, status)}
            yield history, gr.update(), "", gr.update(), gr.update(), ""

    def rate(history: list[dict], turns: list, like: gr.LikeData):
        """A thumbs up/down on an answer of the chat, stored with its question and citations."""
        position = like.index[0] if isinstance(like.index, (list, tuple)) else like.index
        turn = sum(1 for m in history[:position] if m.get("role") == "assistant")
        return store_rating(turns, turn, 1 if like.liked else -1, "")

    def comment(turns: list, verdict: str, text: str):
        if not turns:
            return "Ask something first."
        return store_rating(turns, len(turns) - 1, 1 if verdict.startswith("👍") else -1, text)

    def store_rating(turns: list, turn: int, rating: int, text: str) -> str:
        if feedback is None or not turns or not 0 <= turn < len(turns):
            return "Feedback is not stored here."
        answer = turns[turn]
        feedback.add(answer["question"], answer, rating, text.strip()[:2000], client="web-ui")
        return "Thank you: your feedback is stored with the answer and its sources."

    def restore(kept: dict):
        """A reloaded page: the chat, its answers and their sources as they were."""
        turns, shown = kept.get("turns", []), kept.get("sections", [])
        return kept.get("chat", []), turns, shown, panel_html(shown), export(turns)

    def export(turns: list) -> str | None:
        """The conversation with its citations as a Markdown file, for the download button."""
        if not turns:
            return None
        path = Path(tempfile.mkdtemp(prefix="newsqa-chat-")) / "news-qa-chat.md"
        path.write_text(conversation_markdown(turns), encoding="utf-8")
        return str(path)

    def require_admin(request: gr.Request | None) -> None:
        """The Library's functions are for admins only, whatever route calls them."""
        username = getattr(request, "username", None)
        if not ui_is_admin(username):
            log.warning("refused a library change by %s", username or "an anonymous client")
            raise gr.Error("Only an admin may change the library.", print_exception=False)

    def rows(query: str = "") -> list[list]:
        return library_table(assistant.library.list(), query)

    def library_rows(query: str, request: gr.Request) -> list[list]:
        require_admin(request)
        return rows(query)

    def article_ids() -> gr.Dropdown:
        return gr.update(choices=article_choices(assistant.library.list()), value=None)

    def header() -> str:
        return header_markdown(assistant.library.stats()["articles"])

    def account(request: gr.Request):
        """On page load: who is signed in, and the Library tab (its rows) for admins only."""
        username = getattr(request, "username", None)
        admin = ui_is_admin(username)
        bar = account_html(username, admin)
        if not (library_tab and admin):
            return bar, gr.update(visible=False), gr.update(), gr.update()
        listed = assistant.library.list()
        ids = gr.update(choices=article_choices(listed), value=None)
        return bar, gr.update(visible=True), library_table(listed, ""), ids

    def account_only(request: gr.Request) -> str:
        return account(request)[0]

    def add_files(files: list | None, query: str, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio's API
        require_admin(request)
        if not files:
            return "Choose or drop files first.", gr.update(), gr.update(), gr.update()
        paths = [f if isinstance(f, str) else f.name for f in files]
        upload_folder = get_upload_folder()
        foreign = [p for p in paths if not inside_folder(p, upload_folder)]
        if foreign:
            log.warning("refused to index files that were not uploaded: %s", foreign)
            return "⚠️ Only files uploaded here can be added.", gr.update(), gr.update(), gr.update()

        def report(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=stage)

        try:  # ingestion publishes aside: answering goes on meanwhile (no Assistant.lock)
            result = assistant.library.add_paths(paths, progress=report)
        except Exception as exc:  # noqa: BLE001 - a locked or mismatched index: say so, keep the app up
            return f"⚠️ {exc}", gr.update(), gr.update(), gr.update()
        return ingest_summary(result.to_dict()), rows(query), article_ids(), header()

    def ask_to_delete(article_id: str | None, request: gr.Request):
        """First step of a deletion: name the article (title, date, source) and ask to confirm."""
        require_admin(request)
        found = next((r for r in assistant.library.list() if r["id"] == article_id), None)
        if not article_id or found is None:
            return "Choose the article to delete.", gr.update(visible=False)
        return delete_question(found), gr.update(visible=True)

    def delete(article_id: str | None, query: str, request: gr.Request):
        require_admin(request)
        hidden = gr.update(visible=False)
        if not article_id:
            return "Choose the article to delete.", gr.update(), gr.update(), gr.update(), hidden
        found = next((r for r in assistant.library.list() if r["id"] == article_id), None)
        try:
            removed = assistant.library.remove(article_id)
        except Exception as exc:  # noqa: BLE001
            return f"⚠️ {exc}", gr.update(), gr.update(), gr.update(), hidden
        name = markdown_text(found["title"] if found else article_id)
        message = f"Deleted “{name}”." if removed else f"There is no article “{name}”."
        return message, rows(query), article_ids(), header(), hidden

    def reindex(query: str, request: gr.Request, progress=gr.Progress()):  # noqa: B008 - Gradio's API
        require_admin(request)

        def report(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=stage)

        try:
            result = assistant.library.reindex(progress=report)
        except Exception as exc:  # noqa: BLE001
            return f"⚠️ {exc}", gr.update(), gr.update()
        return (
            f"Re-indexed {result.get('articles', 0)} articles ({result.get('chunks', 0)} chunks).",
            rows(query),
            header(),
        )

    stats = assistant.library.stats()
    with gr.Blocks(title="News QA — cited answers") as ui:
        with gr.Row(equal_height=True, elem_classes="nq-header-row"):
            title = gr.Markdown(header_markdown(stats["articles"]), elem_id="header")
            account_bar = gr.HTML("", elem_id="account")
        with gr.Tab("Chat", elem_id="chat-tab"):
            with gr.Row(elem_classes="nq-main"):  # one column on a phone (LAYOUT_CSS)
                with gr.Column(scale=3, elem_classes="nq-ask-col"):
                    chat = gr.Chatbot(
                        label="Chat",
                        show_label=False,
                        height=480,
                        elem_id="chat",
                        placeholder=GREETING,
                    )
                    question = gr.Textbox(
                        placeholder="Ask about the articles, e.g. What did Xi propose on railways?",
                        show_label=False,
                        elem_id="question",
                        max_lines=4,
                    )
                    note = gr.Markdown(elem_id="question-note")
                    with gr.Row(elem_classes="nq-buttons"):
                        ask = gr.Button("Ask", variant="primary", elem_id="ask")
                        clear = gr.Button("New chat", elem_id="clear")
                        download = gr.DownloadButton("Export .md", value=None, elem_id="export")
                    with gr.Accordion("Filters", open=False, elem_id="filters"):
                        with gr.Row():
                            since = gr.Textbox(label="From", placeholder="YYYY-MM-DD", elem_id="since")
                            until = gr.Textbox(label="To", placeholder="YYYY-MM-DD", elem_id="until")
                        source = gr.Dropdown(
                            choices=assistant.library.sources(),
                            multiselect=True,
                            label="Sources",
                            elem_id="source",
                        )
                    with gr.Accordion("Feedback on the last answer", open=False, elem_id="feedback"):
                        verdict = gr.Radio(
                            ["👍 helpful", "👎 not helpful"], value="👍 helpful", show_label=False
                        )
                        remark = gr.Textbox(
                            label="Comment (optional)", max_lines=4, elem_id="feedback-comment"
                        )
                        send = gr.Button("Send feedback", elem_id="feedback-send")
                    thanks = gr.Markdown(elem_id="feedback-result")
                    examples = gr.Examples(EXAMPLES, inputs=question)
                with gr.Column(scale=2, elem_classes="nq-sources-col"):
                    sources = gr.HTML(panel_html([]), elem_id="sources")
        if library_tab:
            # Shown on page load to admins only (``account``); its functions check again.
            with gr.Tab("Library", elem_id="library-tab", visible=False) as library:
                upload = gr.File(
                    file_count="multiple",
                    label="Add articles: drop files here (.txt .md .html .json .jsonl .csv .pdf .docx)",
                    elem_id="upload",
                )
                add = gr.Button("Add to the library", variant="primary", elem_id="add-files")
                outcome = gr.Markdown(elem_id="library-outcome")
                query = gr.Textbox(label="Find", placeholder="title, source or id", elem_id="library-find")
                table = gr.Dataframe(
                    headers=list(LIBRARY_COLUMNS),
                    interactive=False,
                    wrap=True,
                    elem_id="library-table",
                )
                with gr.Row():
                    doomed = gr.Dropdown(label="Article to delete", choices=[], elem_id="delete-id")
                    remove = gr.Button("Delete article…", variant="stop", elem_id="delete")
                with gr.Row(visible=False, elem_id="delete-confirm") as confirm_row:
                    confirm = gr.Button("Yes, delete it", variant="stop", elem_id="delete-yes")
                    cancel = gr.Button("Cancel", elem_id="delete-cancel")
                with gr.Accordion("Maintenance", open=False, elem_id="maintenance"):
                    gr.Markdown(
                        "Re-embed every article with the configured embedder (after changing "
                        "`NEWSQA_EMBEDDER`). Answers keep working from the current index meanwhile."
                    )
                    rebuild = gr.Button("Re-index everything", elem_id="reindex")
                add.click(add_files, [upload, query], [outcome, table, doomed, title])
                query.change(library_rows, query, table)
                remove.click(ask_to_delete, doomed, [outcome, confirm_row])
                confirm.click(delete, [doomed, query], [outcome, table, doomed, title, confirm_row])
                cancel.click(lambda: ("Nothing was deleted.", gr.update(visible=False)), None,
                             [outcome, confirm_row])
                rebuild.click(reindex, query, [outcome, table, title])
            ui.load(account, None, [account_bar, library, table, doomed])
        else:
            ui.load(account_only, None, account_bar)
        turns = gr.State([])
        sections = gr.State([])
        # The chat survives a page reload: kept (encrypted) in the browser's localStorage.
        saved = gr.BrowserState({"chat": [], "turns": [], "sections": []}, storage_key="newsqa-chat")
        # An example asks itself: it fills the box, then the question is answered.
        for trigger in (question.submit, ask.click, examples.load_input_event.then):
            trigger(
                respond,
                [question, chat, since, until, source, turns, sections],
                [chat, sources, question, turns, sections, note],
            ).then(
                lambda c, t, s: {"chat": c, "turns": t, "sections": s}, [chat, turns, sections], saved
            ).then(export, turns, download)
        chat.like(rate, [chat, turns], thanks)
        send.click(comment, [turns, verdict, remark], thanks)
        # Sources added while the app runs appear on the next page load.
        ui.load(lambda: gr.update(choices=assistant.library.sources()), None, source)
        ui.load(restore, saved, [chat, turns, sections, sources, download])
        clear.click(
            lambda: ([], panel_html([]), "", [], [], {"chat": [], "turns": [], "sections": []}, None, ""),
            None,
            [chat, sources, question, turns, sections, saved, download, note],
        )
    return ui


def main(settings: Settings | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings or get_settings()
    try:  # refuse an unsafe bind or a broken security setting before loading any model
        Guard(settings).check_bind(settings.host, settings.allow_anonymous)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    try:
        assistant = build_assistant(settings)
    except (RerankerError, LLMError, EmbedderMismatch, StoreUnavailable) as exc:
        raise SystemExit(f"error: {exc}") from None
    if settings.sample_corpus:
        ensure_sample_corpus(assistant.library)
    assistant.warm_up()  # load the models now, not on the first question
    try:
        ui = build_ui(assistant, settings.library_tab, FeedbackStore(feedback_path(settings.home)))
        web = create_app(assistant, settings, ui=ui)
    except ValueError as exc:  # a security setting that cannot work (origins, token file)
        raise SystemExit(f"error: {exc}") from None
    log.info("serving on http://%s:%s (state in %s)", settings.host, settings.port, settings.home)
    uvicorn.run(web, host=settings.host, port=settings.port, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
