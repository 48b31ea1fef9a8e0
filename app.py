"""The web chat: Gradio layout and wiring only; answers come from ``Assistant.ask``."""

from __future__ import annotations

import itertools
import logging

import index  # noqa: F401  (offline environment and telemetry off, before gradio loads)
import gradio as gr
import uvicorn

from assistant.build import build_assistant, ensure_sample_corpus
from assistant.html import answer_markdown, draft_markdown, sources_html
from assistant.llm import LLMError
from assistant.pipeline import Assistant, QuestionError
from assistant.rerank import RerankerError
from assistant.scope import FilterError
from assistant.server import create_app
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
        """Stream the answer into the chat: status, the model's draft, then the verified answer."""
        history = list(history or [])
        earlier = [_text(m["content"]) for m in history if m.get("role") == "user"]
        try:
            where = assistant.make_filter(since, until, chosen or [])
            events = assistant.stream(question, earlier, where)
            first = next(events)  # checks the question
        except (QuestionError, FilterError) as exc:
            shown = question if len(question) <= 200 else question[:200] + "…"
            history += [
                {"role": "user", "content": shown},
                {"role": "assistant", "content": f"⚠️ {exc}"},
            ]
            yield history, gr.update(), question if len(question) <= 200 else ""
            return
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        draft, status = "", ""
        for event in itertools.chain([first], events):
            if event.answer is not None:
                answer = event.answer
                ids = {c.passage.article_id for c in answer.citations + answer.closest}
                articles = {i: a for i in ids if (a := assistant.library.get(i)) is not None}
                history[-1] = {"role": "assistant", "content": answer_markdown(answer)}
                yield history, sources_html(answer, articles), ""
                return
            if event.kind == "token":
                draft += event.text
            else:
                status = event.text
            history[-1] = {"role": "assistant", "content": draft_markdown(draft, status)}
            yield history, gr.update(), ""

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
    except (RerankerError, LLMError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if settings.sample_corpus:
        ensure_sample_corpus(assistant.library)
    assistant.warm_up()  # load the models now, not on the first question
    try:
        web = create_app(assistant, settings, ui=build_ui(assistant))
    except ValueError as exc:  # a security setting that cannot work (origins, token file)
        raise SystemExit(f"error: {exc}") from None
    log.info("serving on http://%s:%s (state in %s)", settings.host, settings.port, settings.home)
    uvicorn.run(web, host=settings.host, port=settings.port, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
