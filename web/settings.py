import os
import secrets
import tempfile
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import BaseServiceSettings


class WebSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", populate_by_name=True)

    service_name: str = "web"
    required_secrets = ("secret_key",)
    # Signs the session cookie and the CSRF tokens (WEB_SECRET_KEY; `cascade run` keeps it in
    # var_dir/web-secret). Empty, where CASCADE_ALLOW_EMPTY_SECRETS permits it: kept in
    # var_dir/web-secret, so that every web process on one machine agrees.
    secret_key: str = ""
    # Behind TLS in production; the local stack is plain http on 127.0.0.1.
    cookie_secure: bool = False
    # The cookie lasts as long as identity's login session (IDENTITY_LOGIN_SESSION_TTL).
    session_max_age: int = 8 * 60 * 60

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        return read_or_create_secret(self.var_dir / "web-secret")


def read_or_create_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place: when two processes start together, the loser of
        # the link reads the winner's complete secret, never a half-written file.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".web-secret-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    return path.read_text().strip()
