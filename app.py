"""The web chat: Gradio layout and wiring only; answers come from ``Assistant.ask``."""

from __future__ import annotations

import logging

import index  # noqa: F401  (offline environment and telemetry off, before gradio loads)
import gradio as gr

from assistant.build import build_assistant, ensure_sample_corpus
from assistant.html import answer_markdown, sources_html
from assistant.pipeline import Assistant, QuestionError
from assistant.rerank import RerankerError
from assistant.scope import FilterError
from assistant.settings import Settings, get_settings

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


def build_ui(assistant: Assistant) -> gr.Blocks:
    def respond(question: str, history: list[dict], since: str, until: str, chosen: list[str] | None):
        history = list(history or [])
        earlier = [_text(m["content"]) for m in history if m.get("role") == "user"]
        try:
            where = assistant.make_filter(since, until, chosen or [])
            answer = assistant.ask(question, earlier, where)
        except (QuestionError, FilterError) as exc:
            shown = question if len(question) <= 200 else question[:200] + "…"
            history += [
                {"role": "user", "content": shown},
                {"role": "assistant", "content": f"⚠️ {exc}"},
            ]
            return history, gr.update(), question if len(question) <= 200 else ""
        ids = {c.passage.article_id for c in answer.citations + answer.closest}
        articles = {i: a for i in ids if (a := assistant.library.get(i)) is not None}
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer_markdown(answer)},
        ]
        return history, sources_html(answer, articles), ""

    stats = assistant.library.stats()
    with gr.Blocks(title="News QA — cited answers") as ui:
        gr.Markdown(
            "## Ask the news articles\nEvery statement is quoted from an article and "
            f"cited. {stats['articles']} articles indexed."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=480, elem_id="chat")
                question = gr.Textbox(
                    placeholder="Ask a question about the articles, e.g. What did Xi propose on railways?",
                    show_label=False,
                    elem_id="question",
                    max_lines=4,
                )
                with gr.Row():
                    ask = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("New chat", elem_id="clear")
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
                gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(scale=2):
                sources = gr.HTML(sources_html(None, {}), elem_id="sources")
        for trigger in (question.submit, ask.click):
            trigger(respond, [question, chat, since, until, source], [chat, sources, question])
        # Sources added while the app runs appear on the next page load.
        ui.load(lambda: gr.update(choices=assistant.library.sources()), None, source)
        clear.click(lambda: ([], sources_html(None, {}), ""), None, [chat, sources, question])
    return ui


def main(settings: Settings | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings or get_settings()
    try:
        assistant = build_assistant(settings)
    except RerankerError as exc:
        raise SystemExit(f"error: {exc}") from None
    if settings.sample_corpus:
        ensure_sample_corpus(assistant.library)
    assistant.warm_up()  # load the models now, not on the first question
    log.info("serving on http://%s:%s (state in %s)", settings.host, settings.port, settings.home)
    build_ui(assistant).launch(server_name=settings.host, server_port=settings.port)


if __name__ == "__main__":
    main()
