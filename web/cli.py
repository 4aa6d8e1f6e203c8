"""The ``secor`` command line: serve, worker, relay, db, user, token, demo, extract, protocol."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask

from review.db import session_scope


def _app() -> Flask:
    from web import create_app

    return create_app()


def _settings(app: Flask) -> Any:
    return app.extensions["secor_settings"]


@click.group(help="SECOR audit review service.")
def cli() -> None:
    pass


def register_cli(app: Flask) -> None:
    """Also expose the commands as ``flask --app web secor ...``."""
    app.cli.add_command(cli, "secor")


# --- database -------------------------------------------------------------------------------


@cli.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Create or upgrade the schema (Alembic) to the newest version.")
def db_upgrade() -> None:
    from web.migrate import upgrade

    url = _settings(_app()).database_url
    upgrade(url)
    click.echo(f"database is up to date ({url.split('://')[0]})")


# --- users and tokens -----------------------------------------------------------------------


@cli.group(help="User accounts.")
def user() -> None:
    pass


@user.command("create", help="Create a user; the password comes from a prompt or stdin.")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(["employer", "reviewer", "staff"]))
@click.option("--company", default=None, help="Company name (required for employers).")
@click.option("--name", default="", help="Full name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from one line of stdin.")
def user_create(
    email: str, role: str, company: str | None, name: str, password_stdin: bool
) -> None:
    from review.accounts import create_user
    from review.errors import ReviewError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    try:
        with session_scope(_settings(app).database_url) as session:
            created = create_user(session, email, password, role, company, name)
            click.echo(
                f"created {created.role} {created.email}" + (f" of {company}" if company else "")
            )
    except ReviewError as e:
        raise click.ClickException(e.message) from e


@cli.group(help="API tokens.")
def token() -> None:
    pass


def _user(session: Any, email: str) -> Any:
    from sqlalchemy import select

    from review.models import User

    found = session.scalar(select(User).where(User.email == email.strip().lower()))
    if found is None:
        raise click.ClickException(f"no user {email}")
    return found


def _set_active(email: str, active: bool) -> None:
    from review.accounts import set_active

    with session_scope(_settings(_app()).database_url) as session:
        set_active(session, _user(session, email), active)
    click.echo(
        f"enabled {email}" if active else f"disabled {email}; their sessions and tokens ended"
    )


@user.command("disable", help="Disable a user: every session and token ends; sign-in refused.")
@click.argument("email")
def user_disable(email: str) -> None:
    _set_active(email, False)


@user.command("enable", help="Enable a disabled user again.")
@click.argument("email")
def user_enable(email: str) -> None:
    _set_active(email, True)


@token.command("create", help="Issue an API token for EMAIL; printed as the last line.")
@click.argument("email")
@click.option(
    "--days",
    default=90,
    show_default=True,
    type=click.IntRange(1, 366),
    help="Days until the token expires.",
)
def token_create(email: str, days: int) -> None:
    from review.accounts import create_token

    with session_scope(_settings(_app()).database_url) as session:
        value = create_token(session, _user(session, email), days)
    click.echo(f"token for {email}, valid {days} days (send as 'Authorization: Bearer <token>'):")
    click.echo(value)


@token.command("revoke", help="Revoke one TOKEN, or with --user every token of that user.")
@click.argument("value", required=False)
@click.option("--user", "email", default=None, help="Revoke all tokens of this user.")
def token_revoke(value: str | None, email: str | None) -> None:
    from sqlalchemy import delete

    from review.accounts import revoke_token
    from review.models import ApiToken

    if bool(value) == bool(email):
        raise click.UsageError("give either a TOKEN or --user EMAIL")
    with session_scope(_settings(_app()).database_url) as session:
        if email:
            gone = session.execute(
                delete(ApiToken).where(ApiToken.user_id == _user(session, email).id)
            ).rowcount  # type: ignore[attr-defined]
            click.echo(f"revoked {gone} token(s) of {email}")
        elif revoke_token(session, value or ""):
            click.echo("revoked the token")
        else:
            raise click.ClickException("no such token (already revoked or expired?)")


@cli.command(help="Seed a demo company and one user per role, and print how to sign in.")
@click.option("--company", default="Demo Safety Ltd.")
def demo(company: str) -> None:
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from review.accounts import create_user
    from review.models import User

    app = _app()
    people = [
        ("employer@demo.example.com", "employer", company),
        ("reviewer@demo.example.com", "reviewer", None),
        ("staff@demo.example.com", "staff", None),
    ]
    click.echo("Demo accounts (passwords are new each time you run this):")
    with session_scope(_settings(app).database_url) as session:
        for email, role, comp in people:
            password = secrets.token_urlsafe(9)
            existing = session.scalar(select(User).where(User.email == email))
            if existing is None:
                create_user(session, email, password, role, comp, name=f"Demo {role}")
            else:
                existing.password_hash = generate_password_hash(password)
            click.echo(f"  {role:9} {email:24} password: {password}")


# --- registrations --------------------------------------------------------------------------


@cli.group(help="Audit registrations.")
def registration() -> None:
    pass


@registration.command(
    "create",
    help="Record a REGISTERED audit made outside the portal; prints its audit number last.",
)
@click.option("--company", required=True, help="Company name (created if needed).")
@click.option("--start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--employees", required=True, type=int)
@click.option(
    "--type", "kind", type=click.Choice(["secor", "one_year"]), default="secor", show_default=True
)
def registration_create(company: str, start: Any, end: Any, employees: int, kind: str) -> None:
    from review.accounts import get_or_create_company
    from review.errors import ReviewError
    from review.registration import record_registered

    certificate = "secor" if kind == "secor" else "secor_one_year"
    try:
        with session_scope(_settings(_app()).database_url) as session:
            reg = record_registered(
                session,
                get_or_create_company(session, company.strip()),
                start.date(),
                end.date(),
                employees,
                certificate,
            )
            number = reg.audit_number
            due = reg.due_date
    except ReviewError as e:
        raise click.ClickException(e.message) from e
    click.echo(f"registered audit for {company}, due {due}; audit number:")
    click.echo(number)


@cli.command(help="E-mail each certificate holder whose annual audit is due soon (run daily).")
def remind() -> None:
    import datetime as dt

    from ingest.mail import send
    from review.certificates import due_reminders
    from review.models import Company, Role, User

    settings = _settings(_app())
    sent = 0
    with session_scope(settings.database_url) as session:
        for cert, due in due_reminders(session, dt.date.today()):
            company = session.get(Company, cert.company_id)
            for user in session.query(User).filter_by(
                company_id=cert.company_id, role=Role.EMPLOYER
            ):
                send(
                    settings,
                    user.email,
                    "Your annual SECOR audit is due soon",
                    f"The SECOR of {company.name if company else 'your company'} is kept with an "
                    f"audit every year: the next one is due in {due.strftime('%B %Y')}. "
                    "Register it from the dashboard before its start date.",
                )
                sent += 1
    click.echo(f"{sent} reminder(s) sent")


# --- processes ------------------------------------------------------------------------------


def _stop_requested() -> Callable[[], bool]:
    """SIGTERM or SIGINT asks a long-running command to stop; ask the returned function."""
    requested = threading.Event()

    def stop(*_: Any) -> None:
        requested.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return requested.is_set


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def _start_relay(app: Flask) -> Any:
    from ingest.outbox import Relay
    from web.celery import broker_epoch, send_task

    relay = Relay(
        app.extensions["secor_sessions"],
        send_task(app),
        _settings(app),
        epoch=broker_epoch(_settings(app)),
    )
    relay.start()
    return relay


@cli.command(help="Run the web server (gunicorn), the outbox relay and a background worker.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Run no worker here (scale-out: `secor worker`).")
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per gunicorn worker.")
def serve(host: str, port: int, no_worker: bool, workers: int, threads: int) -> None:
    from web.migrate import upgrade

    app = _app()
    settings = _settings(app)
    upgrade(settings.database_url)
    if not _port_free(host, port):
        raise click.ClickException(f"{host}:{port} is already in use; pass --port")
    env = {**os.environ, "SECOR_INSTANCE_DIR": str(settings.instance_dir)}
    web_cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--access-logfile",
        "-",
        "web.wsgi:app",
    ]
    worker_cmd = [sys.executable, "-m", "web", "worker", "--no-relay"]
    relay = _start_relay(app)
    procs = {"web": subprocess.Popen(web_cmd, env=env)}
    if not no_worker:
        procs["worker"] = subprocess.Popen(worker_cmd, env=env)
    broker = "redis" if settings.redis_url else f"filesystem ({settings.broker_dir})"
    click.echo(
        f"SECOR is serving on http://{host}:{port}  (database: "
        f"{settings.database_url.split('://')[0]}, broker: {broker}, "
        f"worker: {'no' if no_worker else 'yes'})"
    )
    stopping = _stop_requested()
    try:
        while not stopping():
            time.sleep(0.5)
            if procs["web"].poll() is not None:
                raise click.ClickException("the web server stopped")
            if "worker" in procs and procs["worker"].poll() is not None:
                click.echo("the worker stopped; starting a new one", err=True)
                procs["worker"] = subprocess.Popen(worker_cmd, env=env)
    finally:
        relay.stop()
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@cli.command(help="Run the worker: supervised slots (and, unless --no-relay, an outbox relay).")
@click.option("--concurrency", "-c", default=None, type=int, help="Slots (default: cores).")
@click.option("--no-relay", is_flag=True, help="Do not drain the outbox from this process.")
@click.option("--loglevel", default="INFO")
def worker(concurrency: int | None, no_relay: bool, loglevel: str) -> None:
    import logging

    from ingest.outbox import resend_now
    from ingest.supervisor import Supervisor

    logging.basicConfig(
        level=loglevel.upper(), format="[%(asctime)s: %(levelname)s/supervisor] %(message)s"
    )
    app = _app()
    settings = _settings(app)
    relay = None if no_relay else _start_relay(app)
    factory = app.extensions["secor_sessions"]

    def lost(document_ids: list[int]) -> None:
        resend_now(factory, document_ids)
        if relay is not None:
            relay.wake.set()

    def slot_command(number: int, beat_file: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "web",
            "worker-slot",
            "--beat-file",
            str(beat_file),
            "--loglevel",
            loglevel,
        ]

    # Each slot's heartbeat file, where an operator (and the fault tests) can see what it does.
    state = settings.instance_dir / "workers" / f"{socket.gethostname()}-{os.getpid()}"
    supervisor = Supervisor(
        slot_command, concurrency or os.cpu_count() or 1, state, settings.task_hard_limit, lost
    )
    stopping = _stop_requested()
    click.echo(
        f"worker: {len(supervisor.slots)} supervised slots (relay: {'no' if no_relay else 'yes'})"
    )
    try:
        supervisor.run(stopping)
    finally:
        if relay is not None:
            relay.stop()
        shutil.rmtree(state, ignore_errors=True)


@cli.command("worker-status", help="Show this machine's worker slots; exit 1 if one is stale.")
def worker_status() -> None:
    import time

    from ingest.heartbeat import read_beat
    from ingest.settings import Settings
    from ingest.supervisor import STALE_AFTER

    folder = Settings.from_env().instance_dir / "workers"
    stale, seen = 0, 0
    for sup_dir in sorted(folder.glob(f"{socket.gethostname()}-*")):
        if not Path(f"/proc/{sup_dir.name.rsplit('-', 1)[1]}").exists():
            continue  # a supervisor that is gone (its folder was left by a SIGKILL)
        for beat_file in sorted(sup_dir.glob("slot-*.json")):
            beat, seen = read_beat(beat_file), seen + 1
            age = None if beat is None else time.monotonic() - beat.beat
            if age is None or (beat is not None and beat.busy_since is None and age > STALE_AFTER):
                stale += 1
            state = (
                "starting"
                if beat is None
                else (f"busy with document {beat.document_id}" if beat.busy_since else "idle")
            )
            click.echo(
                f"{sup_dir.name} {beat_file.stem}: {state}"
                + (f", beat {age:.1f} s ago (pid {beat.pid})" if beat and age is not None else "")
            )
    if not seen or stale:
        raise click.ClickException(
            "no worker slots are running here" if not seen else f"{stale} slot(s) are not beating"
        )


@cli.command("worker-slot", hidden=True, help="One supervised slot (started by `secor worker`).")
@click.option("--beat-file", required=True, type=click.Path())
@click.option("--loglevel", default="INFO")
def worker_slot(beat_file: str, loglevel: str) -> None:
    from ingest.slot import run_slot
    from web.celery import instance_queue

    app = _app()
    _identity, queue = instance_queue(app)
    run_slot(
        app.extensions["celery"], Path(beat_file), queue, _settings(app).task_soft_limit, loglevel
    )


@cli.command(help="Drain the outbox into the broker (when no `serve` or `worker` does it).")
def relay() -> None:
    app = _app()
    thread = _start_relay(app)
    click.echo("relay running; Ctrl-C to stop")
    try:
        while thread.is_alive():
            time.sleep(1)
    except KeyboardInterrupt:
        thread.stop()


# --- backup ---------------------------------------------------------------------------------


@cli.command("backup", help="Snapshot the database and the file store into DIR (while serving).")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_cmd(directory: str) -> None:
    from ingest.backup import BackupError, backup
    from ingest.settings import Settings

    try:
        done = backup(Settings.from_env(), Path(directory))
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(
        f"backed up the {done.database} database and {done.files} files "
        f"({done.bytes / 2**20:.1f} MiB) into {directory}; manifest.json lists their hashes"
    )


@cli.command("restore", help="Restore a backup from DIR onto a fresh instance, checking hashes.")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
def restore_cmd(directory: str) -> None:
    from ingest.backup import BackupError, restore
    from ingest.settings import Settings
    from web.migrate import upgrade

    try:
        done = restore(Settings.from_env(), Path(directory), migrate=upgrade)
    except BackupError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"restored the {done.database} database and {done.files} files; every hash matches")


def main() -> None:
    from web import commands  # noqa: F401  (extract and protocol commands)

    cli(prog_name="secor")
