import hashlib
import hmac

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class SchedulingSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore", populate_by_name=True)

    service_name: str = "scheduling"
    # Signs the tokens of personal calendar feed URLs. Changing it revokes every subscription.
    calendar_secret: str = ""

    @property
    def calendar_key(self) -> bytes:
        """The feed-signing key: SCHEDULING_CALENDAR_SECRET, else one derived from the service
        secret (a separate key, so a feed token reveals nothing about the service secret);
        empty when neither is set, which turns the feeds off rather than sign with a key
        anyone could guess."""
        if self.calendar_secret:
            return self.calendar_secret.encode()
        if not self.service_secret:
            return b""
        return hmac.new(self.service_secret.encode(), b"calendar", hashlib.sha256).digest()
