import hashlib
import hmac

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


def _cascade(name: str) -> AliasChoices:
    return AliasChoices(f"CASCADE_{name}")


class SchedulingSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore",
                                      populate_by_name=True)

    service_name: str = "scheduling"
    required_secrets = ("client_secret",)
    # Signs the tokens of personal calendar feed URLs. Changing it revokes every subscription.
    calendar_secret: str = ""

    # Notifications. The address people open in a browser, for links in messages: the gateway's
    # unless the public site lives elsewhere (behind a proxy, say).
    public_url: str = Field("", validation_alias=_cascade("PUBLIC_URL"))
    # SMTP for outgoing mail; with no host, messages go to the local mailbox page (/mailbox).
    smtp_host: str = Field("", validation_alias=_cascade("SMTP_HOST"))
    smtp_port: int = Field(25, validation_alias=_cascade("SMTP_PORT"))
    smtp_user: str = Field("", validation_alias=_cascade("SMTP_USER"))
    smtp_password: str = Field("", validation_alias=_cascade("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_cascade("SMTP_STARTTLS"))
    smtp_from: str = Field("Cascade <no-reply@cascade.invalid>",
                           validation_alias=_cascade("SMTP_FROM"))
    smtp_timeout: float = Field(10.0, gt=0)
    # Off only for processes that must not send (some tests drive the sender by hand).
    send_notifications: bool = True
    notify_poll_interval: float = Field(1.0, gt=0)
    notify_batch_size: int = Field(20, ge=1, le=500)
    # A failed send is tried again after retry_delay, doubling each time, up to max_attempts.
    notify_max_attempts: int = Field(5, ge=1)
    notify_retry_delay: float = Field(30.0, ge=0)
    # A claimed message not marked sent within this many seconds (its sender died) is due again.
    notify_claim_seconds: float = Field(120.0, gt=0)
    # Mail identity asks for (sign-up links, resets, invitations) comes from identity's feed;
    # off only where identity is not there (tests of scheduling alone).
    consume_identity_mail: bool = True
    identity_mail_poll_interval: float = Field(0.5, gt=0)
    # How often the sender looks for sessions starting within reminder_hours.
    reminder_interval: float = Field(60.0, gt=0)
    reminder_hours: float = Field(24.0, gt=0)
    # Attendance is recorded from this many hours before a session starts (people arrive early,
    # sheets are typed in afterwards); earlier is refused: reach counts only sessions that began.
    checkin_lead_hours: float = Field(3.0, ge=0)

    @property
    def site_url(self) -> str:
        return (self.public_url or self.gateway_url).rstrip("/")

    @property
    def calendar_key(self) -> bytes:
        """The feed-signing key: SCHEDULING_CALENDAR_SECRET, else one derived from scheduling's
        own client secret (which no other service holds; a separate key, so a feed token
        reveals nothing about the client secret); empty when neither is set, which turns the
        feeds off rather than sign with a key anyone could guess."""
        if self.calendar_secret:
            return self.calendar_secret.encode()
        if not self.client_secret:
            return b""
        return hmac.new(self.client_secret.encode(), b"calendar", hashlib.sha256).digest()
