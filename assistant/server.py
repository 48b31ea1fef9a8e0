"""The one ASGI app: REST API (``/api/``), widget (``/widget.js``, ``/embed``), sign-in
(``/login``, ``/logout``), Gradio UI (``/``), all behind ``SecurityMiddleware``.

``create_app(assistant, settings, ui)`` wires the pieces; ``app.py`` serves it with uvicorn.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api import API_VERSION, ApiError, AssistantRunner, allowed_methods, router
from assistant.feedback import FeedbackStore, feedback_path
from assistant.html import CITATION_SCRIPT, LAYOUT_CSS
from assistant.pipeline import Assistant, QuestionError
from assistant.scope import FilterError
from assistant.security import Guard, SecurityMiddleware
from assistant.settings import Settings
from assistant.signin import router as signin_router
from index.catalog import Catalog

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]{5,40}\))$")
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")


def embed_page(params: dict[str, str], frame_ancestors: str) -> HTMLResponse:
    """The full-panel chat for iframes; query parameters become the widget's attributes."""
    attrs = {"mode": "page"}
    for key in ("title", "greeting", "color", "lang", "token"):
        value = (params.get(key) or "").strip()[:300]
        pattern = {"color": _COLOR, "lang": _LANG}.get(key)
        if not value or (pattern is not None and not pattern.match(value)):
            continue
        attrs[f"data-{key}"] = value
    rendered = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    title = html.escape(attrs.get("data-title", "Ask the news articles"))
    lang = html.escape(attrs.get("data-lang", "en"))
    page = (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>\n<body>\n<newsqa-chat {rendered}></newsqa-chat>\n"
        '<script src="/widget.js"></script>\n</body></html>\n'
    )
    csp = (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        f"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {frame_ancestors}"
    )
    headers = {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    return HTMLResponse(page, headers=headers)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            return "the request body is not valid JSON"
        where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, str(exc), exc.headers)

    @app.exception_handler(QuestionError)
    @app.exception_handler(FilterError)
    async def bad_input(_: Request, exc: Exception) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(500, f"internal error ({type(exc).__name__})")


def create_app(assistant: Assistant, settings: Settings, ui: Any = None) -> FastAPI:
    """The web app; ``ui`` (Gradio Blocks) is mounted at ``/`` when given."""
    app = FastAPI(
        title="News QA API",
        version=API_VERSION,
        description=(
            "Answers about news articles, every claim cited. Send `Authorization: Bearer <token>` "
            "when tokens are configured. Errors are `{\"error\": \"...\"}`."
        ),
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    guard = Guard(settings)
    guard.check_bind(settings.host, settings.allow_anonymous)
    app.state.guard = guard
    # Extractive answers are CPU-bound and serialised anyway: one worker avoids threads that
    # only wait on the lock. A language model generates outside the lock: let answers overlap.
    workers = 1 if assistant.generator is None else 8
    app.state.runner = AssistantRunner(assistant, settings.max_history_turns, workers=workers)
    app.state.reader = Catalog(assistant.library.home / "articles.sqlite3")
    app.state.reader_lock = threading.Lock()
    app.state.feedback = FeedbackStore(feedback_path(settings.home))
    _add_error_handlers(app)
    app.include_router(router)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    @app.api_route("/api/{rest:path}", methods=methods, include_in_schema=False)
    async def unknown_route(request: Request) -> JSONResponse:
        methods = allowed_methods(router.routes, request.url.path) - {"HEAD"}
        if methods:
            allow = ", ".join(sorted(methods))
            return _error(405, f"{request.method} is not allowed here; use {allow}", {"Allow": allow})
        return _error(404, f"no API route {request.url.path}; see /docs")

    widget_js = (STATIC / "widget.js").read_bytes()

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> Response:
        headers = {"Cache-Control": "public, max-age=300"}
        return Response(widget_js, media_type="application/javascript; charset=utf-8", headers=headers)

    @app.get("/embed", include_in_schema=False)
    def embed(request: Request) -> HTMLResponse:
        return embed_page(dict(request.query_params), guard.frame_ancestors())

    app.mount("/widget-static", StaticFiles(directory=STATIC), name="widget-static")
    app.include_router(signin_router)
    app.add_middleware(SecurityMiddleware, guard=guard)
    if ui is not None:
        import gradio as gr
        from gradio.utils import get_upload_folder

        def gradio_user(request: Request) -> str | None:
            """Who Gradio sees: the identity the middleware found (``gr.Request.username``)."""
            return guard.ui_user(getattr(request.state, "identity", None))

        guard.upload_folder = get_upload_folder()
        gr.mount_gradio_app(
            app,
            ui,
            path="/",
            server_name=settings.host,
            server_port=settings.port,
            auth_dependency=gradio_user,
            max_file_size=settings.max_body_bytes,
            footer_links=[],
            head=LAYOUT_CSS + CITATION_SCRIPT,
        )
        # Mounted apps skip Gradio's own check that a file input names an upload ("has not
        # launched"); turn it on. The middleware and the Library's functions check as well.
        ui.has_launched = True
    return app
