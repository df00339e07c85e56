"""The console's guards over HTTP (Starlette's test client, SQLite and PostgreSQL): every page refuses an
anonymous user, a viewer cannot act, a form without its CSRF token is refused, search strings with quotes, SQL
and HTML are harmless, staff names reach only IT, logins are throttled, sessions and passwords are hashed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.routing import Route
from starlette.testclient import TestClient

from models.console import ConsoleSession, ConsoleUser
from models.tables import ActionRow, AuditEntry, CommentRow
from tests.web_support import LAWFUL, PASSWORD, SECRET_STAFF, T0, TRICKY, Seeded, seed_all
from web.accounts import AccountError, add_user
from web.app import build_app

BASE = "http://127.0.0.1"


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    return seed_all(engine)


@pytest.fixture
def app(engine: Engine, seeded: Seeded):  # type: ignore[no-untyped-def]
    return build_app(engine)


def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url=BASE, follow_redirects=False)


def logged_in(app, name: str) -> TestClient:  # type: ignore[no-untyped-def]
    c = client(app)
    form = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    answer = c.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": token.group(1), "next": "/log"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/log", answer.text
    return c


def csrf_of(c: TestClient, path: str = "/log") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert found is not None
    return found.group(1)


def _paths(app, seeded: Seeded) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    concrete = {"comment_id": str(seeded.deleted_id), "page_id": str(seeded.page_id), "platform": "vk",
                "author_id": "500", "fmt": "csv"}  # fmt: skip
    paths = []
    for route in app.routes:
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: concrete[m.group(1)], route.path)
        for method in sorted(route.methods or ()):
            if method != "HEAD" and path not in ("/login", "/favicon.ico"):
                paths.append((method, path))
    return paths


def test_every_page_refuses_an_anonymous_user(app, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    c = client(app)
    paths = _paths(app, seeded)
    assert len(paths) >= 12
    for method, path in paths:
        answer = c.request(method, path)
        if method == "GET":
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path
        else:
            assert answer.status_code == 403, (method, path)
        assert LAWFUL not in answer.text and SECRET_STAFF[0] not in answer.text
    assert client(app).get("/nothing-here").status_code == 303  # unknown paths too


def test_a_viewer_reads_but_cannot_act(app, seeded: Seeded, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(app, "guest")
    page = c.get(f"/comments/{seeded.deleted_id}")
    assert (
        page.status_code == 200
        and "только для просмотра" in page.text
        and "Восстановить по обжалованию" not in page.text
    )
    token = csrf_of(c)
    answer = c.post(f"/comments/{seeded.deleted_id}/restore", data={"csrf": token, "reason": "хочу"})
    assert answer.status_code == 403 and "только для просмотра" in answer.text
    assert c.get("/registry/import").status_code == 403
    assert c.post("/registry/import", data={"csrf": token}).status_code == 403
    with Session(engine) as session:
        kinds = session.exec(select(ActionRow.kind)).all()
    assert "restore" not in kinds


def test_a_form_without_its_csrf_token_is_refused(app, seeded: Seeded, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(app, "press")
    for data in ({"reason": "обращение"}, {"reason": "обращение", "csrf": "forged"}):
        answer = c.post(f"/comments/{seeded.deleted_id}/restore", data=data)
        assert answer.status_code == 403 and "Форма устарела" in answer.text
    assert c.post("/logout", data={}).status_code == 403
    it = logged_in(app, "ito")
    assert it.post("/registry/import", data={}).status_code == 403
    assert it.post("/registry/import/confirm", data={"token": "x"}).status_code == 403
    fresh = client(app)
    assert fresh.post("/login", data={"name": "press", "password": PASSWORD}).status_code == 403
    with Session(engine) as session:
        assert "restore" not in session.exec(select(ActionRow.kind)).all()


@pytest.mark.parametrize(
    "query",
    ['"; DROP TABLE comments; --', "' OR '1'='1", "<script>alert(1)</script>", "100%", "_", "\\", "%'--"],
)
def test_search_strings_with_quotes_sql_and_html_are_harmless(
    app, seeded: Seeded, engine: Engine, query: str
) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(app, "press")
    answer = c.get("/log", params={"q": query, "author": query})
    assert answer.status_code == 200
    assert "<script>alert(1)</script>" not in answer.text  # echoed back escaped, never as markup
    found = int(re.search(r"Найдено: (\d+)", answer.text).group(1))  # type: ignore[union-attr]
    assert found == 0  # the author filter matches nobody; the text alone is checked below
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(CommentRow)).one() == 3


def test_search_finds_literal_text_only(app, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(app, "press")
    for query, expected in (
        ("DROP TABLE", 1),
        ("100%", 1),
        ("' OR '1'='1", 0),
        ("<script>", 1),
        ("дорог", 2),
    ):
        answer = c.get("/log", params={"q": query})
        assert f"Найдено: {expected}" in answer.text, query
    page = c.get("/log", params={"q": "<script>"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    trail = c.get(f"/comments/{seeded.tricky_id}").text
    assert "<script>alert" not in trail and "&lt;script&gt;alert(1)&lt;/script&gt;" in trail
    assert "DROP TABLE comments" in trail and TRICKY not in trail  # shown, as escaped text


def test_staff_names_reach_only_it(app, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    for name in ("guest", "press"):
        c = logged_in(app, name)
        for path in ("/registry", f"/registry/pages/{seeded.page_id}"):
            text = c.get(path).text
            assert SECRET_STAFF[0] not in text and SECRET_STAFF[1] not in text, (name, path)
        assert "видит только отдел ИТО" in c.get(f"/registry/pages/{seeded.page_id}").text
    it = logged_in(app, "ito")
    assert SECRET_STAFF[0] in it.get(f"/registry/pages/{seeded.page_id}").text


def test_logins_are_throttled_and_recorded(app, seeded: Seeded, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    c = client(app)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    for _ in range(5):
        assert (
            c.post("/login", data={"name": "press", "password": "не тот", "csrf": token}).status_code == 401
        )
    locked = c.post("/login", data={"name": "press", "password": PASSWORD, "csrf": token})
    assert locked.status_code == 429 and "Слишком много неудачных попыток" in locked.text
    assert logged_in(app, "ito").get("/log").status_code == 200  # other accounts are not locked out
    with Session(engine) as session:
        events = session.exec(select(AuditEntry.event)).all()
    assert events.count("console_login_failed") == 5 and "console_login" in events


def test_sessions_and_passwords_are_stored_hashed_and_cookies_are_strict(
    app, seeded: Seeded, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    c = logged_in(app, "press")
    cookie = c.cookies.get("dozor_session")
    assert cookie
    with Session(engine) as session:
        stored = session.exec(select(ConsoleSession.token_hash)).all()
        hashes = session.exec(select(ConsoleUser.password_hash)).all()
    assert cookie not in stored and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
    raw = client(app)
    token = re.search(r'name="csrf" value="([^"]+)"', raw.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = raw.post("/login", data={"name": "press", "password": PASSWORD, "csrf": token})
    header = answer.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header
    outside = TestClient(build_app(engine), base_url="https://console.example", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', outside.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = outside.post("/login", data={"name": "press", "password": PASSWORD, "csrf": token})
    assert "secure" in answer.headers["set-cookie"].lower()
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_no_default_password_and_weak_passwords_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ConsoleUser)).one() == 0
        for password in ("", "short", "aaaaaaaaaaaaaa"):
            with pytest.raises(AccountError):
                add_user(session, "press", "moderator", password, T0)
        with pytest.raises(AccountError, match="неизвестная роль"):
            add_user(session, "press", "admin", PASSWORD, T0)


def test_open_redirects_are_refused(app, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    c = client(app)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = c.post(
        "/login", data={"name": "press", "password": PASSWORD, "csrf": token, "next": "//evil.example/"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
