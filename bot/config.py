"""Settings from the environment, validated in one place.

A bad value stops the process with one line naming the variable and the problem,
so an operator can fix it without reading a traceback.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Webhook secrets we choose (Telegram's secret token, WhatsApp's verify token).
MIN_SECRET_CHARS = 32
# Where a browser talks to the server over plain HTTP as a matter of course.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for operators."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under DATA_DIR",
    )
    data_dir: Path = PROJECT_ROOT / "data"
    flows_dir: Path = PROJECT_ROOT / "flows"
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    nlu_data_dir: Path = PROJECT_ROOT / "nlu_data"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    nlu_backend: Literal["inprocess", "rasa"] = "inprocess"
    # Where the trained classifier is cached, keyed by a hash of the data.
    nlu_cache_dir: Path | None = None
    rasa_url: str = ""
    # At or above this confidence a typed message goes straight to its topic;
    # below it the parent is asked "Did you mean..." (see benchmarks/nlu.py).
    nlu_confident: float = Field(default=0.4, ge=0.0, le=1.0)
    # Longest parent message we keep; longer ones are truncated with a kind note.
    max_message_chars: int = Field(default=4000, ge=100, le=100_000)
    # Whole request bodies over this size are refused with 413.
    max_request_bytes: int = Field(default=1_000_000, ge=10_000)
    # Console sessions unused for this long are signed out.
    console_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Mark cookies Secure (HTTPS only, with `__Host-` names). Unset: on unless HOST is
    # a loopback address (a developer's own machine). Any request that arrives over
    # HTTPS gets Secure cookies whatever this says.
    cookie_secure: bool | None = None
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: a
    # comma-separated list of addresses or CIDR blocks. Empty: none (direct clients).
    trusted_proxies: str = ""
    # How often each `serve` process looks for reminders to send; 0 turns it off.
    reminder_sweep_seconds: int = Field(default=30, ge=0, le=3600)
    # Redis for live notices between `serve` replicas; empty: within this process only.
    redis_url: str = ""
    # Conversations silent for longer than this are erased (tickets keep only outcomes).
    retention_months: int = Field(default=12, ge=1, le=120)
    # Web chat flood limits over a moving minute; 0 turns one off. Messages count per
    # session; new sessions (first requests for ids never seen) per client address.
    chat_messages_per_minute: int = Field(default=30, ge=0, le=100_000)
    chat_new_sessions_per_minute: int = Field(default=20, ge=0, le=100_000)
    # Key for the web chat's session secrets (HMAC). Empty: one is made and kept in
    # DATA_DIR/session.key. Replicas must share it (set it, or share DATA_DIR).
    session_secret_key: str = ""
    # Sites that may show the chat in a frame (GET /widget.js, GET /embed): exact
    # origins, comma-separated, each optionally tied to its council
    # ("https://www.leeds.gov.uk=Leeds"). Empty: nobody may frame the chat.
    embed_allowed_origins: str = ""
    # E-mail "a Parent Champion has replied" to web chat parents who ask for it
    # (bot/notify/). SMTP_URL: smtp://user:pass@host:587 (STARTTLS if offered;
    # ?starttls=required or ?starttls=off) or smtps://...:465. Empty: not offered.
    smtp_url: str = ""
    smtp_from: str = ""  # the neutral sender, e.g. "Champion <no-reply@example.org>"
    # The service's public address, for the links in those e-mails and in the console's
    # password-reset links (never taken from a request's Host header, which can be forged).
    public_url: str = "http://127.0.0.1:8000"
    # Web Push, "a Parent Champion has replied" in the browser (bot/notify/push*.py):
    # one key pair for the whole service, the same in every replica (a subscription is
    # tied to the public key); `python -m bot vapid-keys` makes one. Unset: not offered.
    vapid_public_key: str = ""
    vapid_private_key: str = ""
    # Who runs this service, for the push services (mailto: or https:); unset: PUBLIC_URL.
    vapid_subject: str = ""
    # Tests only: accept subscriptions at http://127.0.0.1 (a local stand-in push service).
    push_allow_local_endpoints: bool = False

    # Telegram: on when TELEGRAM_BOT_TOKEN is set. Long polling unless a webhook URL is given.
    telegram_bot_token: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    telegram_staff_chat_id: str = ""
    telegram_poll_timeout: int = Field(default=30, ge=0, le=50)

    # WhatsApp Cloud API: on when WHATSAPP_TOKEN is set (then all four are needed).
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_phone_number_id: str = ""
    # Reminders outside WhatsApp's 24-hour window go as this approved template,
    # whose body has one parameter: the reminder's text.
    whatsapp_reminder_template: str = "champion_reminder"
    whatsapp_template_language: str = "en_GB"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return upper

    @field_validator("rasa_url")
    @classmethod
    def _rasa_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_address(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value

    @field_validator("telegram_api_base", "whatsapp_api_base", "telegram_webhook_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_address(cls, value: str) -> str:
        from bot.notify.mailer import parse_smtp_url

        if value:
            parse_smtp_url(value)  # raises a ValueError saying what is wrong
        return value

    @field_validator("public_url")
    @classmethod
    def _public_address(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// address")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _mail_needs_sender(self) -> Settings:
        if self.smtp_url and "@" not in self.smtp_from:
            raise ValueError('SMTP_URL needs SMTP_FROM, e.g. "Champion <no-reply@example.org>"')
        return self

    @model_validator(mode="after")
    def _vapid_pair(self) -> Settings:
        from bot.notify.push_keys import load

        if bool(self.vapid_public_key) != bool(self.vapid_private_key):
            raise ValueError("set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither")
        if self.vapid_private_key:
            load(self.vapid_public_key, self.vapid_private_key)  # a ValueError saying what
        if self.vapid_subject and not self.vapid_subject.startswith(("mailto:", "https://")):
            raise ValueError("VAPID_SUBJECT must start with mailto: or https://")
        # Push services refuse a subject that is neither (py_vapid checks it too).
        https = self.public_url.startswith("https://")
        if self.vapid_private_key and not self.vapid_subject and not https:
            raise ValueError(
                "Web Push needs VAPID_SUBJECT (mailto:you@example.org) when PUBLIC_URL "
                "is not https://"
            )
        return self

    @field_validator("cookie_secure", mode="before")
    @classmethod
    def _unset_is_default(cls, value: object) -> object:
        # COOKIE_SECURE= (empty, as docker-compose passes an unset variable) means "default".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        from bot.web.client import parse_networks

        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("embed_allowed_origins")
    @classmethod
    def _embed_origins(cls, value: str) -> str:
        from bot.web.embed_origins import parse_embed_origins

        parse_embed_origins(value)  # raises ValueError naming the bad entry
        return value

    @field_validator("telegram_webhook_secret", "whatsapp_verify_token", "session_secret_key")
    @classmethod
    def _long_secret(cls, value: str) -> str:
        # Secrets we choose must not be guessable. (WHATSAPP_APP_SECRET is Meta's
        # own, 32 hex characters, and is checked by the signature, so it is left be.)
        if value and len(value) < MIN_SECRET_CHARS:
            raise ValueError(
                f"must be at least {MIN_SECRET_CHARS} characters (it has {len(value)}); "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _telegram_secret_characters(cls, value: str) -> str:
        # Telegram accepts only these, up to 256 of them, as a webhook's secret_token.
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("may contain only letters, digits, _ and - (at most 256)")
        return value

    @model_validator(mode="after")
    def _rasa_needs_url(self) -> Settings:
        if self.nlu_backend == "rasa" and not self.rasa_url:
            raise ValueError("NLU_BACKEND=rasa needs RASA_URL, e.g. http://rasa:5005")
        return self

    @model_validator(mode="after")
    def _channels_complete(self) -> Settings:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError(
                "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (letters, digits, _ and -), "
                "so the webhook can tell Telegram's calls from anyone else's"
            )
        if self.whatsapp_token:
            missing = [
                name.upper()
                for name in (
                    "whatsapp_app_secret",
                    "whatsapp_verify_token",
                    "whatsapp_phone_number_id",
                )
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"WHATSAPP_TOKEN is set, so {', '.join(missing)} must be too")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether every cookie is marked Secure (explicit, or: not on loopback)."""
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.host.strip("[]").lower() not in LOOPBACK_HOSTS

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_token)

    @property
    def classifier_cache_dir(self) -> Path:
        return self.nlu_cache_dir or self.data_dir / "nlu-cache"

    @property
    def sqlalchemy_url(self) -> str:
        """The async driver URL for whichever database was chosen."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{self.data_dir / 'champion.sqlite3'}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            return "postgresql+asyncpg://" + url[len("postgresql://") :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:
            raise SettingsError(f"settings are invalid: {message}") from None
        name = str(first["loc"][0]).upper()
        raise SettingsError(f"setting {name} is invalid: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
