"""The sign-in page (``/login``) and sign-out (``/logout``) of the web UI.

A user name and password from ``NEWSQA_USERS``, or an API token alone, sign in; the answer
sets a signed session cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure`` behind https)
that ``SecurityMiddleware`` accepts on every route until it expires or its user or token is
removed. Failed attempts are rate limited per client address.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.auth import SESSION_COOKIE
from assistant.security import Guard

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f7f9;color:#1f2328;
margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:28px 28px 20px;width:min(360px,90vw);
box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.25rem;margin:0 0 4px}p{margin:6px 0 14px;color:#57606a;font-size:.92rem}
label{display:block;font-size:.9rem;margin:12px 0 4px;font-weight:600}
input{box-sizing:border-box;width:100%;padding:9px 10px;border:1px solid #d0d7de;border-radius:6px;
font-size:1rem}
button{margin-top:18px;width:100%;padding:10px;border:0;border-radius:6px;background:#1f6feb;color:#fff;
font-size:1rem;font-weight:600;cursor:pointer}
.error{color:#cf222e;background:#ffebe9;border:1px solid #ffcecb;border-radius:6px;padding:8px 10px}
.note{color:#1a7f37;background:#dafbe1;border:1px solid #aceebb;border-radius:6px;padding:8px 10px}
small{display:block;margin-top:14px;color:#6e7781}
"""


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    target = (target or "/").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target or "\n" in target:
        return "/"
    return target


def page(guard: Guard, target: str, error: str = "", note: str = "", status: int = 200) -> HTMLResponse:
    """The sign-in form; it asks for a user name only when users are configured."""
    users = bool(guard.users)
    message = ""
    if error:
        message = f'<p class="error" role="alert" id="signin-error">{html.escape(error)}</p>'
    elif note:
        message = f'<p class="note" role="status" id="signin-note">{html.escape(note)}</p>'
    name_field = (
        '<label for="user">User name</label>'
        '<input id="user" name="user" autocomplete="username" autocapitalize="off">'
        if users
        else ""
    )
    secret_label = "Password or API token" if users else "API token"
    hint = (
        "<small>Sign in with your user name and password, or leave the user name empty and "
        "paste an API token.</small>"
        if users
        else "<small>Ask your administrator for a token "
        "(<code>python -m assistant.tokens issue NAME</code>).</small>"
    )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sign in — News QA</title><style>{_STYLE}</style></head><body><main>"
        "<h1>Sign in</h1><p>News QA — cited answers about the news articles.</p>"
        f'{message}<form method="post" action="/login" id="signin">'
        f'<input type="hidden" name="next" value="{html.escape(target, quote=True)}">'
        f"{name_field}"
        f'<label for="secret">{secret_label}</label>'
        '<input id="secret" name="secret" type="password" autocomplete="current-password" required>'
        f'<button type="submit" id="signin-submit">Sign in</button></form>{hint}</main></body></html>'
    )
    # "same-origin", not "no-referrer": with no-referrer Chromium sends `Origin: null` on the
    # form's POST, which the same-origin check must refuse.
    headers = {"Content-Security-Policy": _CSP, "Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
    return HTMLResponse(body, status_code=status, headers=headers)


def _guard(request: Request) -> Guard:
    return request.app.state.guard


@router.get("/login")
def login_form(request: Request) -> Response:
    guard = _guard(request)
    target = safe_next(request.query_params.get("next"))
    if not guard.credentials_configured:
        return RedirectResponse(target, status_code=303)
    note = "You are signed out." if request.query_params.get("signed_out") else ""
    if request.query_params.get("expired"):
        note = "Your session has ended; please sign in again."
    return page(guard, target, note=note)


@router.post("/login")
async def login(request: Request) -> Response:
    guard = _guard(request)
    form = await request.form()
    target = safe_next(str(form.get("next") or "/"))
    user, secret = str(form.get("user") or ""), str(form.get("secret") or "")
    client = (request.client.host if request.client else "unknown")
    if guard.sign_in_limiter.hit(f"signin:{client}", now=None) is not None:
        return page(guard, target, error="Too many attempts; wait a minute and try again.", status=429)
    identity = guard.sign_in(user, secret)
    if identity is None:
        log.warning("failed sign-in from %s (user %r)", client, user[:40])
        return page(guard, target, error="That user name, password or token is not valid.", status=401)
    guard.sign_in_limiter.forget(f"signin:{client}")
    value, expires = guard.session_cookie(identity)
    log.info("%s signed in from %s", identity.name, client)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=guard.signer.ttl,
        path="/",
        httponly=True,
        samesite="strict",
        secure=guard.secure_cookies,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request) -> Response:
    target = "/login?" + urlencode({"signed_out": "1"}) if _guard(request).credentials_configured else "/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_guard(request).secure_cookies
    )
    response.headers["Cache-Control"] = "no-store"
    return response
