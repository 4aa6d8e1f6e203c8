"""Outgoing e-mail: over SMTP when SECOR_SMTP_URL is set, else .eml files in the instance."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from ingest.settings import Settings


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="secor.local")
    msg.set_content(body)
    return msg


def send(settings: Settings, to: str, subject: str, body: str) -> Path | None:
    """Send one message; returns the .eml path when written to the instance folder."""
    msg = compose(settings, to, subject, body)
    if settings.smtp_url:
        url = urlsplit(settings.smtp_url)
        with smtplib.SMTP(url.hostname or "127.0.0.1", url.port or 25, timeout=10) as smtp:
            if url.scheme == "smtp+starttls":
                smtp.starttls()
            if url.username:
                smtp.login(url.username, url.password or "")
            smtp.send_message(msg)
        return None
    folder = settings.instance_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{msg['Date'][5:16].replace(' ', '-')}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))
    return path


def outbox(settings: Settings) -> list[Path]:
    folder = settings.instance_dir / "mail"
    return (
        sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
        if folder.is_dir()
        else []
    )
