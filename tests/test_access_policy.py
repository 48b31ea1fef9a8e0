"""The one access policy, tried as an attacker on the network would, against ``python app.py``.

A server configured like an intranet install (an API token, an admin token, two users, one
allowed origin, a widget secret): without credentials nothing but the sign-in page and the
widget's files is served, on any route the server has (Gradio's included: the list is
taken from a real mounted Gradio app, not written by hand); a signed-in user may ask and
rate; only an admin may change the library; a file input takes only uploads; a spoofed
``Host`` gets 400. A second server bound to 0.0.0.0 is tried the same way, and one without
credentials on a non-loopback address refuses to start.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from live_server import REPO, SAMPLE, app_env, free_port, live_app

from assistant.auth import SESSION_COOKIE, SessionSigner, hash_password

pytestmark = pytest.mark.slow

TOKEN = "policy-api-token-0123456789"
ADMIN_TOKEN = "policy-admin-token-0123456789"
SECRET = "policy-session-secret"
ALLOWED = "http://intranet.example.test:8080"
USERS = {"alice": ("alice-password-1", False), "root": ("root-password-1", True)}
RAILWAY_Q = "What did Xi propose on railways?"


def settings_env(host: str = "127.0.0.1") -> dict[str, str]:
    users = ",".join(f"{n}:{hash_password(p, 1000)}{':admin' if a else ''}" for n, (p, a) in USERS.items())
    return {
        "NEWSQA_HOST": host,
        "NEWSQA_API_TOKENS": TOKEN,
        "NEWSQA_ADMIN_TOKENS": ADMIN_TOKEN,
        "NEWSQA_USERS": users,
        "NEWSQA_SESSION_SECRET": SECRET,
        "NEWSQA_ALLOWED_ORIGINS": ALLOWED,
        "NEWSQA_WIDGET_SECRET": "policy-widget-secret",
        "NEWSQA_RATE_LIMIT": "0",
    }


@pytest.fixture(scope="module", params=["127.0.0.1", "0.0.0.0"])
def server(request, tmp_path_factory):
    home = tmp_path_factory.mktemp("policy-home")
    with live_app(home, [SAMPLE], settings_env(request.param)) as base:
        yield {"base": base, "home": home, "port": int(base.rsplit(":", 1)[1]), "bind": request.param}


@pytest.fixture(scope="module")
def anon(server):
    with httpx.Client(base_url=server["base"], timeout=60) as client:
        yield client


@contextmanager
def signed_in(base: str, user: str) -> Iterator[httpx.Client]:
    """An httpx client holding the session cookie of ``user`` (signed in through /login)."""
    with httpx.Client(base_url=base, timeout=120) as client:
        response = client.post("/login", data={"user": user, "secret": USERS[user][0], "next": "/"})
        assert response.status_code == 303 and response.headers["location"] == "/", response.text
        yield client


def gradio_routes() -> list[tuple[str, set[str]]]:
    """Every route a mounted Gradio app serves, from a real (empty) Blocks mounted in FastAPI."""
    import gradio as gr
    from fastapi import FastAPI

    with gr.Blocks() as demo:
        gr.Textbox()
    app = gr.mount_gradio_app(FastAPI(), demo, path="/")
    found = []

    def walk(routes, prefix: str) -> None:
        for route in routes:
            path = prefix + getattr(route, "path", "")
            if hasattr(route, "routes") and not hasattr(route, "endpoint"):
                walk(route.routes, path)
            else:
                found.append((path, set(getattr(route, "methods", None) or {"GET"})))

    walk(app.routes, "")
    return found


def concrete(path: str) -> str:
    """A route template with its parameters filled in with something an attacker would send."""
    path = path.replace("{path:path}", "etc/passwd").replace("{file_path:path}", "/etc/passwd")
    return re.sub(r"\{[^}]+\}", "x", path) or "/"


def call(client: httpx.Client, api_name: str, data: list, **kwargs) -> tuple[str, object]:
    """A Gradio function called through its REST route: (event name, data) of the outcome."""
    response = client.post(f"/gradio_api/call/{api_name}", json={"data": data}, **kwargs)
    if response.status_code != 200:
        return f"http {response.status_code}", response.text
    event_id = response.json()["event_id"]
    text = client.get(f"/gradio_api/call/{api_name}/{event_id}", **kwargs).text
    events = re.findall(r"event: (\w+)\ndata: (.*)", text)
    name, payload = events[-1]
    return name, json.loads(payload) if payload and payload != "null" else None


# --- without credentials ---------------------------------------------------------------------


def test_anonymous_gets_nothing_from_any_gradio_route(anon):
    served = []
    for template, methods in gradio_routes():
        path = concrete(template)
        for method in sorted(methods & {"GET", "POST", "PUT", "DELETE"}):
            response = anon.request(method, path, json={} if method != "GET" else None)
            if response.status_code < 300 or response.status_code >= 500:
                served.append((method, path, response.status_code))
    assert not served, served


@pytest.mark.parametrize(
    "method,path",
    [("GET", "/config"), ("GET", "/gradio_api/info"), ("GET", "/gradio_api/file=/etc/passwd"),
     ("POST", "/gradio_api/call/respond"), ("POST", "/gradio_api/call/add_files"),
     ("POST", "/gradio_api/call/delete"), ("POST", "/gradio_api/call/reindex"),
     ("POST", "/gradio_api/call/rate"), ("POST", "/gradio_api/call/comment"),
     ("POST", "/gradio_api/queue/join"), ("POST", "/gradio_api/upload"), ("GET", "/docs"),
     ("GET", "/openapi.json"), ("POST", "/api/ask"), ("GET", "/api/articles"),
     ("POST", "/api/feedback"), ("DELETE", "/api/articles/xi-visit")],
)
def test_anonymous_is_refused(anon, method, path):
    response = anon.request(method, path, json={"data": [], "question": RAILWAY_Q})
    assert response.status_code == 401, (path, response.status_code, response.text[:200])
    assert "sign in" in response.text.lower() or "token" in response.text.lower()


def test_anonymous_browser_is_sent_to_sign_in(anon):
    response = anon.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    page = anon.get("/login")
    assert page.status_code == 200 and 'name="secret"' in page.text and 'name="user"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert anon.get("/widget.js").status_code == 200  # the widget's own files stay public


def test_a_huge_sign_in_form_is_refused_before_it_is_parsed(anon):
    response = anon.post("/login", data={"user": "alice", "secret": "x" * 200_000})
    assert response.status_code == 413


def test_anonymous_upload_of_a_large_file_is_refused_before_it_is_stored(anon):
    big = b"x" * (3 * 1024 * 1024)
    response = anon.post("/gradio_api/upload", files={"files": ("big.txt", big, "text/plain")})
    assert response.status_code == 401


# --- hosts and origins -------------------------------------------------------------------------


def test_spoofed_host_gets_400_on_every_surface(anon, server):
    port = server["port"]
    evil = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
    for method, path in [("GET", "/"), ("GET", "/login"), ("POST", "/api/ask"), ("GET", "/config"),
                         ("GET", "/widget.js")]:
        response = anon.request(method, path, headers=evil, json={"question": RAILWAY_Q})
        assert response.status_code == 400, (path, response.text)
        assert "NEWSQA_TRUSTED_HOSTS" in response.text
    # DNS rebinding: the attacker's name resolving to 127.0.0.1, with its token-bearing request
    rebinding = {"Host": f"attacker.test:{port}", "Authorization": f"Bearer {TOKEN}"}
    assert anon.post("/api/ask", headers=rebinding, json={"question": RAILWAY_Q}).status_code == 400


def test_widget_tokens_only_for_configured_origins(server):
    port = server["port"]
    with httpx.Client(base_url=server["base"], headers={"Authorization": f"Bearer {TOKEN}"}) as api:
        spoofed = api.post("/api/widget-token", json={"origin": f"http://evil.example:{port}"})
        assert spoofed.status_code == 400 and "NEWSQA_ALLOWED_ORIGINS" in spoofed.text
        good = api.post("/api/widget-token", json={"origin": ALLOWED})
        assert good.status_code == 200 and good.json()["origin"] == ALLOWED
        own = api.post("/api/widget-token", json={"origin": f"http://127.0.0.1:{port}"})
        assert own.status_code == 200


def test_cross_site_writes_to_the_ui_are_refused(server):
    with signed_in(server["base"], "root") as admin:
        response = admin.post("/gradio_api/call/reindex", json={"data": [""]},
                              headers={"Origin": "http://evil.example"})
        assert response.status_code == 403
        response = admin.post("/login", data={"user": "root", "secret": "x"},
                              headers={"Origin": ALLOWED})  # an allowed /api/ origin is not the UI's
        assert response.status_code == 403


# --- sessions ----------------------------------------------------------------------------------


def test_session_cookie_is_httponly_strict_signed_and_expires(server):
    with httpx.Client(base_url=server["base"], timeout=60) as client:
        wrong = client.post("/login", data={"user": "alice", "secret": "nope"})
        assert wrong.status_code == 401 and "not valid" in wrong.text and SESSION_COOKIE not in client.cookies
        response = client.post("/login", data={"user": "alice", "secret": USERS["alice"][0], "next": "/"})
        cookie = response.headers["set-cookie"].lower()
        for attribute in ("httponly", "samesite=strict", "max-age=28800", "path=/"):
            assert attribute in cookie, cookie
        assert client.get("/config").status_code == 200
        # a forged (re-signed with another key) or tampered cookie is refused
        value = client.cookies[SESSION_COOKIE]
        forged, _ = SessionSigner(b"another key", 3600).issue("root", "user")
        for bad in (forged, value[:-2] + "xx"):
            with httpx.Client(base_url=server["base"], cookies={SESSION_COOKIE: bad}) as other:
                assert other.get("/config").status_code == 401
                page = other.get("/", headers={"Accept": "text/html"})
                assert page.status_code == 303 and "expired=1" in page.headers["location"]
        # an expired session (signed with the real key, issued nine hours ago) is refused
        old, _ = SessionSigner(SECRET.encode(), 8 * 3600).issue("alice", "user", now=1)
        with httpx.Client(base_url=server["base"], cookies={SESSION_COOKIE: old}) as other:
            assert other.get("/config").status_code == 401
        # signing in with an API token works too; the next target stays on this site
        with httpx.Client(base_url=server["base"]) as other:
            response = other.post("/login", data={"secret": TOKEN, "next": "//evil.example/x"})
            assert response.status_code == 303 and response.headers["location"] == "/"
            assert other.get("/config").status_code == 200
        # sign-out ends it
        out = client.get("/logout")
        assert out.status_code == 303 and out.headers["location"].startswith("/login")
        assert client.get("/config").status_code == 401


# --- what a signed-in user and an admin may do -------------------------------------------------


def test_user_may_ask_and_rate_but_not_change_the_library(server):
    with signed_in(server["base"], "alice") as alice:
        name, data = call(alice, "respond", [RAILWAY_Q, [], "", "", [], [], []])
        assert name == "complete", data
        history = data[0]
        assert "[1]" in json.dumps(history) and "Railway" in json.dumps(history)
        # (a chat's state stays on the server: through this route the comment has no answer yet)
        name, data = call(alice, "comment", ["👍 helpful", "useful"])
        assert name == "complete" and "Ask something first" in data[0], data
        for api_name, args in [("add_files", [[], ""]), ("delete", ["xi-visit", ""]), ("reindex", [""]),
                               ("library_rows", [""])]:
            name, data = call(alice, api_name, args)
            assert name == "error", (api_name, data)
        upload = alice.post("/gradio_api/upload", files={"files": ("a.txt", b"text", "text/plain")})
        assert upload.status_code == 403
        assert alice.get("/api/articles").status_code == 401  # the API takes tokens, not cookies


def test_file_inputs_take_only_uploads(server, tmp_path):
    secret_file = tmp_path / "server-secret.md"
    secret_file.write_text("# Payroll\n\nThe payroll password is hunter2.\n", encoding="utf-8")
    with signed_in(server["base"], "root") as root:
        as_file_data = {"path": str(secret_file), "meta": {"_type": "gradio.FileData"}}
        response = root.post("/gradio_api/call/add_files", json={"data": [[as_file_data], ""]})
        assert response.status_code == 403 and "uploaded" in response.text
        # without Gradio's marker it is refused too (by Gradio's validation or by the function)
        name, data = call(root, "add_files", [[{"path": str(secret_file)}], ""])
        assert name == "error" or "Only files uploaded here" in json.dumps(data), data
        url = {"path": "http://127.0.0.1:9/x.md", "meta": {"_type": "gradio.FileData"}}
        assert root.post("/gradio_api/call/add_files", json={"data": [[url], ""]}).status_code == 403
        # a real upload of an admin is indexed
        uploaded = root.post("/gradio_api/upload",
                             files={"files": ("note.md", b"# Harbour note\n\nThe harbour opens in May.\n")})
        assert uploaded.status_code == 200, uploaded.text
        path = uploaded.json()[0]
        name, data = call(root, "add_files", [[{"path": path, "meta": {"_type": "gradio.FileData"}}], ""])
        assert name == "complete" and "added 1" in data[0], data
        listed = root.get("/api/articles", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
        assert "payroll" not in json.dumps(listed).lower()


def test_admin_may_list_the_library_through_the_ui(server):
    with signed_in(server["base"], "root") as root:
        name, data = call(root, "library_rows", ["Xi"])
        assert name == "complete" and "Xi Jinping" in json.dumps(data), data


# --- binding -----------------------------------------------------------------------------------


def test_non_loopback_bind_without_credentials_refuses_to_start(tmp_path):
    env = app_env(tmp_path, free_port(), {"NEWSQA_HOST": "0.0.0.0"})
    done = subprocess.run([sys.executable, "app.py"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "NEWSQA_ALLOW_ANONYMOUS" in done.stderr and "NEWSQA_API_TOKENS" in done.stderr
