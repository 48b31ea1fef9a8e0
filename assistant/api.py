"""The REST API under ``/api/``: request and response models, and the routes.

Every route is a thin shell over ``Assistant`` (the same calls as the CLI and the Gradio
UI). Answering is CPU-bound and the embedder and tokenizer are not safe to call from
several threads at once, so ``AssistantRunner`` runs those calls in worker threads one at a
time. Catalogue reads use their own SQLite connection and do not wait for answers.
Uploads run as ingestion jobs (``assistant.jobs``) in their own thread, never in the
answering workers and without ``Assistant.lock``: answers go on from the last published
state while articles are added.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from assistant.feedback import FeedbackStore
from assistant.jobs import Job, JobQueue, QueueFull
from assistant.pipeline import Assistant, QuestionError
from assistant.scope import FilterError
from assistant.security import Guard, Identity, normalise_origin, valid_origin
from assistant.tokens import mint_widget_token
from assistant.types import AnswerEvent
from index.catalog import Catalog
from index.lock import IndexBusy
from index.types import SearchFilter

API_VERSION = "1.0"
T = TypeVar("T")
log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the API answers as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers


# --- models ------------------------------------------------------------------------------


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question.", examples=["What did Xi propose on railways?"])
    conversation: list[str] = Field(
        default_factory=list, description="The user's earlier questions in this chat, oldest first."
    )
    since: str | None = Field(default=None, description="Earliest article date: YYYY-MM-DD, YYYY-MM or YYYY.")
    until: str | None = Field(default=None, description="Latest article date (inclusive), same forms.")
    sources: list[str] = Field(default_factory=list, description="Only these news sources.")
    article_ids: list[str] = Field(default_factory=list, description="Only these articles.")


class CitationOut(BaseModel):
    n: int
    article_id: str
    title: str
    date: str | None
    source: str
    url: str
    text: str = Field(description="The cited passage.")
    sentence: str = Field(description="The supporting sentence.")
    start: int = Field(description="Offset of the sentence in the article text.")
    end: int
    score: float
    speaker: str | None
    passage_start: int = Field(description="Offset of the passage in the article text.")


class AnswerOut(BaseModel):
    """The answer object: the same JSON as ``python -m assistant ask --json``."""

    question: str
    answer: str = Field(description="Answer text with [n] markers.")
    found: bool
    citations: list[CitationOut]
    closest: list[CitationOut] = Field(description="Nearest passages when nothing answers (not evidence).")
    searched: str
    mode: str
    notice: str
    statements: list[dict[str, Any]]


class ArticleSummary(BaseModel):
    id: str
    title: str
    date: str | None
    source: str
    url: str
    chunks: int
    added_at: str


class ArticleList(BaseModel):
    total: int = Field(description="Articles matching `q` (before paging).")
    limit: int
    offset: int
    articles: list[ArticleSummary]


class ArticleDetail(ArticleSummary):
    text: str


class Health(BaseModel):
    status: Literal["ok"]
    articles: int
    chunks: int
    version: str


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=20_000)
    answer: dict[str, Any] = Field(description="The answer object that was rated.")
    rating: Literal[1, -1] = Field(description="1: helpful, -1: not helpful.")
    comment: str = Field(default="", max_length=2000)


class FeedbackOut(BaseModel):
    id: int
    stored: bool = True


class WidgetTokenIn(BaseModel):
    origin: str = Field(description="Origin of the page that embeds the widget.",
                        examples=["https://intranet.example.com"])


class WidgetTokenOut(BaseModel):
    token: str
    origin: str
    expires: int = Field(description="Unix time (seconds) after which the token is refused.")


class IngestOut(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    failed: list[dict[str, str]]
    articles: int
    chunks: int


class JobAccepted(BaseModel):
    job: str = Field(description="The job id.")
    status_url: str = Field(description="Poll this (GET, admin) for progress and the result.")


class JobOut(BaseModel):
    id: str
    state: Literal["queued", "running", "done", "failed"]
    stage: str = Field(description="reading, indexing, ... (empty until it starts).")
    done: int
    total: int
    result: IngestOut | None = Field(default=None, description="When done: what the upload returns.")
    error: str | None = Field(default=None, description="When failed: why.")


class ErrorOut(BaseModel):
    error: str


# --- the assistant, one call at a time ---------------------------------------------------


class AssistantRunner:
    """Runs blocking ``Assistant`` calls in worker threads; ingestion jobs in ``jobs``.

    The ``Assistant`` serialises its model-free work itself (``Assistant.lock``, shared with
    the Gradio UI) and releases it while a language model generates, so several answers
    can stream at once. Changes to the articles take neither that lock nor these workers.
    """

    def __init__(self, assistant: Assistant, max_history_turns: int, workers: int = 8) -> None:
        self.assistant = assistant
        self.max_history_turns = max_history_turns
        self.workers = workers
        self.jobs = JobQueue()
        self._limiter: anyio.CapacityLimiter | None = None

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` in one of the answering workers."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.workers)
        return await anyio.to_thread.run_sync(fn, limiter=self._limiter)

    def prepare(self, body: AskRequest) -> tuple[str, list[str], SearchFilter]:
        """Checked question, history and filter; raises ``QuestionError``/``FilterError``."""
        question = self.assistant.check(body.question)
        if len(body.conversation) > self.max_history_turns:
            raise QuestionError(
                f"The conversation has {len(body.conversation)} earlier questions; "
                f"at most {self.max_history_turns} are accepted."
            )
        limit = self.assistant.max_question_chars
        if any(len(turn) > limit for turn in body.conversation):
            raise QuestionError(f"An earlier question of the conversation is over {limit:,} characters long.")
        where = self.assistant.make_filter(body.since, body.until, body.sources, body.article_ids)
        return question, body.conversation, where

    def events(self, body: AskRequest) -> Iterator[AnswerEvent]:
        question, conversation, where = self.prepare(body)
        yield from self.assistant.stream(question, conversation, where)


def _sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _event_data(event: AnswerEvent) -> tuple[str, dict]:
    if event.kind == "answer" and event.answer is not None:
        return "answer", event.answer.to_json()
    return event.kind, {"text": event.text}


# --- routes ------------------------------------------------------------------------------

_ERRORS = {s: {"model": ErrorOut} for s in (400, 401, 403, 413, 422, 429)}
router = APIRouter(prefix="/api", responses=_ERRORS, dependencies=[Depends(HTTPBearer(auto_error=False))])


def _runner(request: Request) -> AssistantRunner:
    return request.app.state.runner


def _identity(request: Request) -> Identity | None:
    return getattr(request.state, "identity", None)


def _require_admin(request: Request) -> Identity:
    guard: Guard = request.app.state.guard
    if not guard.admin_configured:
        message = "admin routes are disabled: configure NEWSQA_ADMIN_TOKENS or issue an --admin token"
        raise ApiError(403, message)
    identity = _identity(request)
    if identity is None:
        raise ApiError(401, "an admin token is required", {"WWW-Authenticate": 'Bearer realm="newsqa"'})
    if not identity.admin:
        raise ApiError(403, "this token may not change the articles (not an admin token)")
    return identity


@router.post("/ask", response_model=AnswerOut, summary="Answer a question with citations")
async def ask(body: AskRequest, request: Request) -> JSONResponse:
    runner = _runner(request)

    def answer() -> dict:
        question, conversation, where = runner.prepare(body)
        return runner.assistant.ask(question, conversation, where).to_json()

    return JSONResponse(await runner.run(answer))


@router.post(
    "/ask/stream",
    summary="Answer as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": (
        "`event: status` / `event: token` lines (`data: {\"text\"}`), then `event: answer` "
        "(`data:` the answer object), then `event: done`; `event: error` (`data: {\"error\"}`) "
        "if answering fails after the stream started. Invalid questions get a JSON 400 instead."
    )}},
)
async def ask_stream(body: AskRequest, request: Request):
    runner = _runner(request)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    stop = threading.Event()

    def put(kind: str, item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (kind, item))

    def work() -> None:
        if stop.is_set():
            return
        events = runner.events(body)
        try:
            for event in events:
                put("event", event)
                if stop.is_set():  # the client went away: stop generating
                    return
        except Exception as exc:  # shown to the client as an error event or a 400
            put("error", exc)
        finally:
            events.close()
            put("end", None)

    task = asyncio.ensure_future(runner.run(work))
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    kind, first = await queue.get()
    if kind == "error":  # before any event: a JSON error with its status (400 for bad input)
        raise first

    async def stream() -> AsyncIterator[bytes]:
        item: tuple[str, Any] = (kind, first)
        try:
            while item[0] != "end":
                if item[0] == "event":
                    yield _sse(*_event_data(item[1]))
                else:
                    log.error("answering failed", exc_info=item[1])
                    status = 400 if isinstance(item[1], (QuestionError, FilterError)) else 500
                    yield _sse("error", {"error": f"answering failed: {item[1]}", "status": status})
                item = await queue.get()
            yield _sse("done", {})
        finally:
            stop.set()

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/articles", response_model=ArticleList, summary="List the indexed articles")
def list_articles(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    q: Annotated[str | None, Query(max_length=200, description="Substring of id, title or source.")] = None,
) -> dict:
    rows = _catalog_list(request)
    if q:
        needle = q.casefold()
        rows = [r for r in rows if any(needle in (r[k] or "").casefold() for k in ("id", "title", "source"))]
    return {"total": len(rows), "limit": limit, "offset": offset, "articles": rows[offset : offset + limit]}


@router.get("/articles/{article_id}", response_model=ArticleDetail, summary="One article with its full text")
def get_article(article_id: str, request: Request) -> dict:
    reader: Catalog = request.app.state.reader
    _refresh(request)
    with request.app.state.reader_lock:
        article = reader.get(article_id)
        summary = next((r for r in reader.list() if r["id"] == article_id), None) if article else None
    if article is None or summary is None:
        raise ApiError(404, f"no article {article_id!r}")
    return summary | {"text": article.text}


@router.get("/health", response_model=Health, summary="Status and counts")
def health(request: Request) -> dict:
    rows = _catalog_list(request)
    chunks = sum(r["chunks"] for r in rows)
    return {"status": "ok", "articles": len(rows), "chunks": chunks, "version": API_VERSION}


@router.post("/feedback", response_model=FeedbackOut, status_code=201, summary="Rate an answer")
def feedback(body: FeedbackIn, request: Request) -> dict:
    store: FeedbackStore = request.app.state.feedback
    identity = _identity(request)
    client = identity.name if identity else f"ip:{request.state.client}"
    rowid = store.add(body.question, body.answer, body.rating, body.comment.strip(),
                      client=client, origin=request.state.origin or "")
    return {"id": rowid, "stored": True}


@router.post("/widget-token", response_model=WidgetTokenOut, summary="Mint a short-lived widget token")
def widget_token(body: WidgetTokenIn, request: Request) -> dict:
    guard: Guard = request.app.state.guard
    identity = _identity(request)
    if identity is None or identity.kind == "widget":
        raise ApiError(401, "minting widget tokens needs an API or admin token")
    if not guard.widget_secret:
        raise ApiError(400, "widget tokens are disabled: set NEWSQA_WIDGET_SECRET")
    origin = normalise_origin(body.origin)
    if not valid_origin(origin):
        raise ApiError(400, f"{body.origin!r} is not an origin (scheme://host[:port])")
    if not guard.origin_allowed(origin):
        raise ApiError(400, f"origin {origin} is not in NEWSQA_ALLOWED_ORIGINS")
    token, expires = mint_widget_token(guard.widget_secret, origin, guard.widget_ttl)
    return {"token": token, "origin": origin, "expires": expires}


_MAX_NAME_BYTES = 200


def upload_name(raw: str | None) -> str:
    """The file name an upload is stored under; ``ApiError`` 400 for names that are not one."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if "\0" in name or any(unicodedata.category(c) == "Cc" for c in name):
        raise ApiError(400, f"the file name {raw!r} contains control characters")
    if "/" in name or "\\" in name:
        raise ApiError(400, f"the file name {raw!r} contains a path separator: send the file's name only")
    if name in ("", ".", ".."):
        raise ApiError(400, f"{raw!r} is not a file name: give each file its name (e.g. article.txt)")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise ApiError(400, f"the file name is longer than {_MAX_NAME_BYTES} bytes")
    return name


def _ingestion(library, names: dict[str, str]) -> Callable[..., dict]:  # noqa: ANN001
    """The job that indexes saved uploads: the upload route's response body as its result."""

    def work(progress: Callable[[str, int, int], None]) -> dict:
        report = library.add_paths(list(names), progress=progress)
        stats = library.stats()
        result = report.to_dict()
        for failure in result["failed"]:
            for tmp_path, name in names.items():
                failure["path"] = failure["path"].replace(tmp_path, name)
        return result | {"articles": stats["articles"], "chunks": stats["chunks"]}

    return work


def _submit(runner: AssistantRunner, work: Callable[..., dict], folder: Path) -> Job:
    try:
        return runner.jobs.submit(work, cleanup=lambda: shutil.rmtree(folder, ignore_errors=True))
    except QueueFull as exc:
        raise ApiError(503, str(exc), {"Retry-After": "30"}) from None


@router.post(
    "/articles", response_model=IngestOut, summary="Upload articles (admin)",
    dependencies=[Depends(_require_admin)],
    responses={202: {"model": JobAccepted, "description": "With `wait=false`: the job to poll."}},
)
async def upload_articles(
    request: Request,
    files: Annotated[list[UploadFile], File(description="Files as for `python -m index add`.")],
    wait: Annotated[bool, Query(description="false: answer 202 at once with a job to poll.")] = True,
) -> Any:
    runner = _runner(request)
    stored = [upload_name(upload.filename) for upload in files]  # all checked before any is saved
    folder = Path(tempfile.mkdtemp(prefix="newsqa-upload-"))
    try:
        names: dict[str, str] = {}
        for n, (upload, name) in enumerate(zip(files, stored, strict=True)):
            path = folder / f"{n:04d}" / name
            path.parent.mkdir()
            with path.open("wb") as out:
                await anyio.to_thread.run_sync(shutil.copyfileobj, upload.file, out)
            names[str(path)] = name
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = _submit(runner, _ingestion(runner.assistant.library, names), folder)
    if not wait:
        return JSONResponse({"job": job.id, "status_url": f"/api/jobs/{job.id}"}, status_code=202)
    while not job.finished.is_set():  # the job runs in its own thread; this only polls it
        await asyncio.sleep(0.05)
    if isinstance(job.exception, IndexBusy):  # another ingestion holds the write lock
        raise ApiError(503, str(job.exception), {"Retry-After": "30"})
    if job.exception is not None:
        raise job.exception
    return job.result


@router.get(
    "/jobs/{job_id}", response_model=JobOut, response_model_exclude_none=True,
    summary="Progress and result of an upload job (admin)", dependencies=[Depends(_require_admin)],
)
def get_job(job_id: str, request: Request) -> dict:
    job = _runner(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id!r} (jobs are kept in memory, the latest 100)")
    return job.to_json()


@router.delete(
    "/articles/{article_id}", summary="Remove an article (admin)", dependencies=[Depends(_require_admin)]
)
async def delete_article(article_id: str, request: Request) -> dict:
    library = _runner(request).assistant.library
    try:  # not in the answering workers: answers go on meanwhile
        removed = await anyio.to_thread.run_sync(library.remove, article_id)
    except IndexBusy as exc:
        raise ApiError(503, str(exc), {"Retry-After": "30"}) from None
    if not removed:
        raise ApiError(404, f"no article {article_id!r}")
    return {"removed": True, "article_id": article_id}


def _refresh(request: Request) -> None:
    """With a shared Chroma server, pick up other processes' changes first (if it is reachable)."""
    assistant = request.app.state.runner.assistant
    try:  # one thread refreshes the cache at a time; others read it as it is meanwhile
        assistant.library.refresh()
    except Exception as exc:  # noqa: BLE001 - a server that is down: list what the cache holds
        log.warning("could not refresh from the shared index: %s", exc)


def _catalog_list(request: Request) -> list[dict]:
    _refresh(request)
    with request.app.state.reader_lock:
        return request.app.state.reader.list()


def allowed_methods(routes: Sequence[Any], path: str) -> set[str]:
    """Methods some route serves at ``path`` (for 405 answers of the catch-all)."""
    methods: set[str] = set()
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path) and getattr(route, "methods", None):
            methods |= set(route.methods)
    return methods
