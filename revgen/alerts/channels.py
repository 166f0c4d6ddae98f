"""Where alerts go: an email over SMTP and a Slack-compatible incoming webhook, each configured as
an Airflow connection (revgen_smtp, revgen_webhook). Either may be absent."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import urlsplit

import requests
from tenacity import retry, stop_after_attempt, wait_exponential

from revgen.errors import RevgenError

log = logging.getLogger(__name__)

SMTP_CONN_ID = "revgen_smtp"  # host, port, login, password; extra {"from", "to": [...], "starttls"}
WEBHOOK_CONN_ID = "revgen_webhook"  # host = URL (https://hooks.slack.com), port, extra {"endpoint"}


class AlertError(RevgenError):
    """An alert could not be delivered."""


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False


@dataclass(frozen=True)
class Channels:
    smtp: Smtp | None = None
    webhook_url: str | None = field(default=None, repr=False)  # the URL is the secret

    @property
    def configured(self) -> bool:
        return self.smtp is not None or self.webhook_url is not None

    @property
    def names(self) -> list[str]:
        """The configured channels, each tried on its own."""
        return [name for name, on in (("email", self.smtp), ("webhook", self.webhook_url)) if on]

    def masked(self, text: str) -> str:
        """The text with every secret of these channels masked: the webhook URL (its path is the
        credential) and the SMTP password."""
        if self.webhook_url:
            parts = urlsplit(self.webhook_url)
            text = text.replace(self.webhook_url, f"{parts.scheme}://{parts.netloc}/***")
            if parts.path not in ("", "/"):
                text = text.replace(parts.path, "/***")
        if self.smtp and self.smtp.password:
            text = text.replace(self.smtp.password, "***")
        return text


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.5, max=5), reraise=True)
def _send_email(smtp: Smtp, subject: str, body: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.recipients)
    message.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.login:
            client.login(smtp.login, smtp.password or "")
        client.send_message(message)


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.5, max=5), reraise=True)
def _post_webhook(url: str, text: str) -> None:
    response = requests.post(url, json={"text": text}, timeout=30)
    response.raise_for_status()


def slack_text(text: str) -> str:
    """Text as Slack's mrkdwn shows it literally: &, < and > escaped, so an id such as
    `<!channel>` in the data never becomes a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def deliver(channels: Channels, channel: str, subject: str, body: str) -> None:
    """Send to one channel (`email` or `webhook`). Raises AlertError, its secrets masked."""
    try:
        if channel == "email" and channels.smtp:
            _send_email(channels.smtp, subject, body)
        elif channel == "webhook" and channels.webhook_url:
            _post_webhook(channels.webhook_url, f"*{slack_text(subject)}*\n{slack_text(body)}")
        else:
            raise AlertError(f"The alert channel {channel!r} is not configured.")
    except (OSError, smtplib.SMTPException, requests.RequestException) as err:
        conn_id = SMTP_CONN_ID if channel == "email" else WEBHOOK_CONN_ID
        raise AlertError(
            channels.masked(
                f"Could not deliver the alert by {channel} ({type(err).__name__}: {err}); check "
                f"the {conn_id} Airflow connection."
            )
        ) from None  # the cause's message may carry the secret URL


def send(channels: Channels, subject: str, body: str) -> list[str]:
    """Try every configured channel, each on its own; return those that delivered. Raises
    AlertError naming each channel that failed, after every other channel was tried."""
    delivered, failures = [], []
    for channel in channels.names:
        try:
            deliver(channels, channel, subject, body)
            delivered.append(channel)
        except AlertError as err:
            failures.append(str(err))
    if failures:
        raise delivery_error(failures, delivered)
    return delivered


def delivery_error(failures: list[str], delivered) -> AlertError:
    """One error for the channels that failed, saying which delivered."""
    return AlertError(
        " ".join(failures) + f" (delivered by: {', '.join(sorted(delivered)) or 'none'})"
    )


def channels_from_airflow() -> Channels:
    """The channels whose Airflow connections exist (inside a task)."""
    from revgen.connections import airflow_connection, http_url

    smtp_conn = airflow_connection(SMTP_CONN_ID)
    hook_conn = airflow_connection(WEBHOOK_CONN_ID)
    smtp = None
    if smtp_conn is not None:
        extra = smtp_conn.extra_dejson
        recipients = extra.get("to") or []
        smtp = Smtp(
            host=smtp_conn.host or "localhost",
            port=int(smtp_conn.port or 25),
            sender=extra.get("from", "revgen@localhost"),
            recipients=tuple([recipients] if isinstance(recipients, str) else recipients),
            login=smtp_conn.login or None,
            password=smtp_conn.password or None,
            starttls=bool(extra.get("starttls", False)),
        )
    return Channels(smtp, http_url(hook_conn) if hook_conn is not None else None)
