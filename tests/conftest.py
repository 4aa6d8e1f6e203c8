"""Shared fixtures: app, client, runner, a signed-in client per role, samples and shared dirs."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from review.accounts import create_token, create_user
from review.db import dispose_engines, session_scope
from tests.procs import ROOT, free_port, secor_cmd, wait_port  # noqa: F401  (re-exported to tests)
from web import create_app
from web.migrate import upgrade

SHARED = ROOT.parent / "shared"


@dataclass
class Account:
    email: str
    password: str
    role: str
    company: str | None
    token: str
    id: int


def make_app(tmp_path: Path, database_url: str | None = None, **extra: object) -> Flask:
    instance = tmp_path / "instance"
    config = {
        "TESTING": True,
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'test.db'}",
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": "",
        **extra,
    }
    instance.mkdir(parents=True, exist_ok=True)
    upgrade(str(config["DATABASE_URL"]))
    return create_app(config)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path)
    yield application
    dispose_engines()


@pytest.fixture
def csrf_app(tmp_path: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield application
    dispose_engines()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def add_account(
    app: Flask, role: str, company: str | None = None, registered: bool = True
) -> Account:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    with session_scope(app.extensions["secor_settings"].database_url) as session:
        user = create_user(session, email, password, role, company, name=f"{role.title()} Person")
        token = create_token(session, user)
        if role == "employer" and registered:
            register_company(session, user.company)
        return Account(email, password, role, company, token, user.id)


def register_company(session: Any, company: Any) -> str:
    """A REGISTERED audit for the company (once), as staff record one: submissions need it."""
    from review.models import Registration, RegistrationStatus
    from review.registration import record_registered

    existing = session.scalar(
        select(Registration.audit_number).where(
            Registration.company_id == company.id,
            Registration.status == RegistrationStatus.REGISTERED,
        )
    )
    if existing:
        return str(existing)
    today = dt.date.today()
    reg = record_registered(session, company, today - dt.timedelta(days=3), today, 5)
    return str(reg.audit_number)


@pytest.fixture
def accounts(app: Flask) -> dict[str, Account]:
    return {
        "employer": add_account(app, "employer", "Acme Drilling Ltd."),
        "other_employer": add_account(app, "employer", "Borealis Hauling Inc."),
        # no audit registered yet: the one who walks the registration wizard
        "newcomer": add_account(app, "employer", "Hillcrest Roofing", registered=False),
        "reviewer": add_account(app, "reviewer"),
        "staff": add_account(app, "staff"),
    }


def login(client: FlaskClient, account: Account) -> FlaskClient:
    res = client.post("/login", data={"email": account.email, "password": account.password})
    assert res.status_code == 302, res.data[:500]
    return client


@pytest.fixture
def employer_client(app: Flask, accounts: dict[str, Account]) -> FlaskClient:
    return login(app.test_client(), accounts["employer"])


@pytest.fixture
def reviewer_client(app: Flask, accounts: dict[str, Account]) -> FlaskClient:
    return login(app.test_client(), accounts["reviewer"])


@pytest.fixture
def staff_client(app: Flask, accounts: dict[str, Account]) -> FlaskClient:
    return login(app.test_client(), accounts["staff"])


def bearer(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


@pytest.fixture
def samples_dir() -> Path:
    return ROOT / "samples"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture
def corpus_dir(shared_dir: Path) -> Path:
    path = shared_dir / "corpus" / "public"
    if not path.is_dir():
        pytest.skip("../shared/corpus/public is not present")
    return path


@pytest.fixture
def forms_dir(shared_dir: Path) -> Path:
    return shared_dir / "forms"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the PostgreSQL that scripts/test started."""
    base = os.environ.get("SECOR_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("SECOR_TEST_POSTGRES_URL is not set (scripts/test starts PostgreSQL)")
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", base)
    yield url
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class RedisServer:
    url: str
    port: int
    proc: subprocess.Popen[bytes] | None
    workdir: Path

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = RedisServer(f"redis://127.0.0.1:{port}/0", port, None, tmp_path)
    server.start()
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    """pytest-playwright drives Debian's chromium; `playwright install` is never run."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def screenshot(page, name: str, accessible: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """Save the page as people see it, and check it with axe-core: every page a test looks
    at must have no accessibility violation."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if accessible:
        assert_accessible(page)
    return path


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core (shipped inside axe-playwright-python, nothing fetched) finds no violation."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )
