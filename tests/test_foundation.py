"""Health, sign-in, CSRF, errors and the CLI, as a new user meets them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from review.db import dispose_engines, session_scope
from review.models import User
from tests.conftest import ROOT, Account, bearer, free_port, make_app, secor_cmd


def test_healthz_reports_each_part_and_200_when_all_are_usable(client) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/healthz")
    body = res.get_json()
    assert res.status_code == 200
    assert body["database"] == {"ok": True, "engine": "sqlite"}
    assert body["broker"]["ok"] and body["broker"]["transport"] == "filesystem"
    assert body["storage"]["ok"] is True


def test_healthz_is_503_when_the_broker_is_unreachable(
    tmp_path: Path, free_port_value=None
) -> None:
    from tests.conftest import free_port

    app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    res = app.test_client().get("/healthz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["broker"]["ok"] is False and body["database"]["ok"] is True
    dispose_engines()


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    from tests.conftest import free_port
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "i"),
            "SECRET_KEY": "x",
            "DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/x",
        }
    )
    res = app.test_client().get("/healthz")
    assert res.status_code == 503
    assert res.get_json()["database"]["ok"] is False
    assert "Traceback" not in res.get_data(as_text=True)
    dispose_engines()


def test_sign_in_and_out(client, accounts: dict[str, Account]) -> None:  # type: ignore[no-untyped-def]
    acc = accounts["employer"]
    bad = client.post("/login", data={"email": acc.email, "password": "wrong password"})
    assert b"email or password is not right" in bad.data
    assert client.get("/submissions").status_code == 302
    ok = client.post("/login", data={"email": acc.email.upper(), "password": acc.password})
    assert ok.status_code == 302
    page = client.get("/submissions")
    assert page.status_code == 200 and acc.email.encode() in page.data
    client.post("/logout")
    assert client.get("/submissions").status_code == 302


def test_forms_need_a_csrf_token(csrf_app: Flask) -> None:
    from tests.conftest import add_account

    acc = add_account(csrf_app, "employer", "Acme")
    client = csrf_app.test_client()
    res = client.post("/login", data={"email": acc.email, "password": acc.password})
    assert res.status_code == 400 and b"csrf" in res.data
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    res = client.post(
        "/login", data={"email": acc.email, "password": acc.password, "csrf_token": token}
    )
    assert res.status_code == 302
    # A signed-in browser calling the API must send the token too; a bearer token need not.
    assert client.post("/api/v1/submissions").status_code == 400
    assert client.post("/api/v1/submissions", headers={"X-CSRFToken": token}).status_code == 201
    other = csrf_app.test_client()
    assert other.post("/api/v1/submissions", headers=bearer(acc)).status_code == 201
    dispose_engines()


def test_api_errors_are_json_with_a_stable_code_and_pages_are_html(client, accounts) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/submissions/99999", headers=bearer(accounts["staff"]))
    assert res.status_code == 404 and res.get_json()["code"] == "not_found"
    res = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert res.status_code == 401 and res.get_json()["code"] == "unauthorized"
    res = client.get("/no/such/page")
    assert res.status_code == 404 and res.mimetype == "text/html"
    assert b"Error code: <code>not_found</code>" in res.data


def test_user_input_is_escaped_in_pages(app: Flask, staff_client) -> None:  # type: ignore[no-untyped-def]
    from review.accounts import create_user

    with session_scope(app.extensions["secor_settings"].database_url) as s:
        create_user(
            s, "x@example.com", "a long enough passphrase", "employer", "<script>alert(1)</script>"
        )
    page = staff_client.get("/staff/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        secor_cmd(*args),
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
        timeout=120,
    )


def test_cli_creates_users_and_tokens_that_work(tmp_path: Path) -> None:
    env = {"SECOR_INSTANCE_DIR": str(tmp_path / "inst")}
    assert _run(env, "db", "upgrade").returncode == 0
    help_text = _run(env, "--help").stdout
    for command in ("serve", "worker", "db", "user", "token", "extract", "protocol", "demo"):
        assert f"  {command} " in help_text, command
    made = _run(
        env,
        "user",
        "create",
        "Jo@Example.com",
        "--role",
        "employer",
        "--company",
        "Jo's Welding",
        "--password-stdin",
        stdin="s3cret-passphrase\n",
    )
    assert made.returncode == 0, made.stderr
    dup = _run(
        env,
        "user",
        "create",
        "jo@example.com",
        "--role",
        "staff",
        "--password-stdin",
        stdin="s3cret-passphrase\n",
    )
    assert dup.returncode != 0 and "already exists" in dup.stderr
    no_company = _run(
        env,
        "user",
        "create",
        "k@example.com",
        "--role",
        "employer",
        "--password-stdin",
        stdin="s3cret-passphrase\n",
    )
    assert no_company.returncode != 0 and "--company" in no_company.stderr
    token = _run(env, "token", "create", "jo@example.com").stdout.strip().splitlines()[-1]
    app = make_app(tmp_path / "x", DATABASE_URL=f"sqlite:///{tmp_path / 'inst' / 'secor.db'}")
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json() == {
        "id": me.get_json()["id"],
        "email": "jo@example.com",
        "role": "employer",
        "company": "Jo's Welding",
    }
    with session_scope(app.extensions["secor_settings"].database_url) as s:
        stored = s.scalar(select(User).where(User.email == "jo@example.com"))
        assert stored is not None and "s3cret-passphrase" not in stored.password_hash
    dispose_engines()


def test_demo_prints_accounts_that_can_sign_in(tmp_path: Path) -> None:
    env = {"SECOR_INSTANCE_DIR": str(tmp_path / "inst")}
    _run(env, "db", "upgrade")
    out = _run(env, "demo").stdout
    creds = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] == "password:":
            creds[parts[0]] = (parts[1], parts[3])
    assert set(creds) == {"employer", "reviewer", "staff"}
    app = make_app(tmp_path / "x", DATABASE_URL=f"sqlite:///{tmp_path / 'inst' / 'secor.db'}")
    for role, (email, password) in creds.items():
        client = app.test_client()
        res = client.post("/login", data={"email": email, "password": password})
        assert res.status_code == 302, role
    dispose_engines()


def test_docker_compose_file_parses_and_names_the_scale_out_services() -> None:
    import shutil

    import yaml  # type: ignore[import-untyped]

    compose = ROOT / "docker-compose.yml"
    spec = yaml.safe_load(compose.read_text())
    assert set(spec["services"]) == {"web", "worker", "redis", "postgres"}
    assert {"secor-files", "postgres-data"} <= set(spec["volumes"])
    assert all("healthcheck" in svc for svc in spec["services"].values())
    env = spec["services"]["worker"]["environment"]
    assert (
        env["SECOR_REDIS_URL"].startswith("redis://") and "postgresql" in env["SECOR_DATABASE_URL"]
    )
    tool = shutil.which("docker-compose")
    if tool:  # Debian's docker-compose validates the schema offline
        res = subprocess.run(
            [tool, "-f", str(compose), "config", "-q"], capture_output=True, text=True, timeout=60
        )
        assert res.returncode == 0, res.stderr


def test_healthz_reports_a_broker_the_worker_could_not_use(tmp_path: Path) -> None:
    # A fresh process where kombu's Redis transport cannot load (as when `packaging` was
    # missing from an install): the broker is reported unusable, not ok.
    script = (
        "import sys; sys.modules['kombu.transport.redis'] = None\n"
        "from tests.conftest import make_app\n"
        "from pathlib import Path\n"
        f"app = make_app(Path({str(tmp_path)!r}), REDIS_URL='redis://127.0.0.1:9/0')\n"
        "res = app.test_client().get('/healthz')\n"
        "print(res.status_code, res.json['broker'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("503 ") and "'ok': False" in out.stdout
    assert "ModuleNotFoundError" in out.stdout


def test_healthz_reports_a_redis_that_does_not_answer(tmp_path: Path) -> None:
    app = make_app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    res = app.test_client().get("/healthz")
    assert res.status_code == 503 and res.json["broker"]["ok"] is False
    dispose_engines()
