"""E-mail copies of notifications: queued on the session, sent after the commit, in a thread.

A request never waits for the mail server and a rolled-back change sends nothing. Delivery problems are
logged, never raised: the notification in the app is the record, the e-mail is a courtesy.
"""

import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
QUEUE = "waspada_mail"
SETTINGS = ("MAIL_HOST", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_STARTTLS", "MAIL_SSL", "MAIL_TIMEOUT")

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


@dataclass(frozen=True)
class Message:
    """One e-mail to one address."""

    to: str
    subject: str
    body: str


def enabled() -> bool:
    """Whether e-mail is configured for the current app."""
    return bool(current_app.config.get("MAIL_HOST"))


def queue(session: Session, message: Message) -> None:
    """Send `message` once the session's transaction commits (nothing when mail is not configured)."""
    if not enabled():
        return
    settings = {key: current_app.config.get(key) for key in (*SETTINGS, "MAIL_SENDER")}
    session.info.setdefault(QUEUE, []).append((settings, message))


def send_now(settings: dict, messages: list[Message]) -> int:
    """Deliver over one SMTP connection; returns how many were accepted."""
    if not messages:
        return 0
    sent = 0
    connect = smtplib.SMTP_SSL if settings.get("MAIL_SSL") else smtplib.SMTP
    try:
        with connect(settings["MAIL_HOST"], int(settings["MAIL_PORT"]), timeout=settings["MAIL_TIMEOUT"]) as smtp:
            if settings.get("MAIL_STARTTLS"):
                smtp.starttls()
            if settings.get("MAIL_USERNAME"):
                smtp.login(settings["MAIL_USERNAME"], settings.get("MAIL_PASSWORD") or "")
            for message in messages:
                email = EmailMessage()
                email["From"] = settings["MAIL_SENDER"]
                email["To"] = message.to
                email["Subject"] = message.subject
                email["Message-ID"] = make_msgid(domain="waspada")
                email.set_content(message.body)
                try:
                    smtp.send_message(email)
                    sent += 1
                except smtplib.SMTPException as err:
                    log.warning("e-mail to %s refused: %s", message.to, err)
    except (OSError, smtplib.SMTPException) as err:
        log.warning("mail server %s unreachable: %s", settings.get("MAIL_HOST"), err)
    return sent


def _send_queued(queued: list[tuple[dict, Message]]) -> None:
    """Send what one transaction queued (all share the same settings)."""
    send_now(queued[0][0], [message for _, message in queued])


def _after_commit(session: Session) -> None:
    queued = session.info.pop(QUEUE, None)
    if not queued:
        return
    thread = threading.Thread(target=_send_queued, args=(queued,), name="waspada-mail", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()


def _after_rollback(session: Session) -> None:
    session.info.pop(QUEUE, None)


def wait(timeout: float = 30) -> None:
    """Wait for the e-mails being sent (a CLI command before it exits; tests)."""
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)


def init_app(_app: Flask) -> None:
    """Hook the queue to every session's commit and rollback (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
