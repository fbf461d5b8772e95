"""Passwords are hashed at OWASP's minimum argon2id cost or more; only tests (with
CASCADE_ALLOW_EMPTY_SECRETS) may lower it, as tests/conftest.py does."""

import pytest

from services.identity.accounts import passwords
from services.identity.main import create_app
from services.identity.settings import IdentitySettings
from shared.settings import InsecureSettings

KEY = "Vq3k9PzL0aR7mW2xT5nB8cY1dF4gH6jK"


def test_the_default_cost_is_owasps_minimum(production_password_cost, tmp_path):
    settings = IdentitySettings(var_dir=tmp_path, key_encryption_key=KEY,
                                allow_empty_secrets=False)
    assert (settings.password_time_cost, settings.password_memory_kib) == (2, 19 * 1024)
    create_app(settings)
    assert passwords._hasher.hash("a password").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("cost", [{"password_time_cost": 1},
                                  {"password_memory_kib": 19 * 1024 - 1}])
def test_a_lower_cost_is_refused_at_start_up(cost, tmp_path):
    settings = IdentitySettings(var_dir=tmp_path, key_encryption_key=KEY,
                                allow_empty_secrets=False, **cost)
    with pytest.raises(InsecureSettings, match="IDENTITY_PASSWORD_TIME_COST"):
        create_app(settings)
    with pytest.raises(InsecureSettings):  # and by the command line, which needs no app
        passwords.configure(settings)


async def test_tests_hash_cheaply_and_a_hash_of_another_cost_still_verifies(tmp_path):
    settings = IdentitySettings(var_dir=tmp_path, key_encryption_key=KEY)
    create_app(settings)
    cheap = await passwords.hash_password("a password")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    real = passwords.PasswordHasher(time_cost=2, memory_cost=19 * 1024).hash("a password")
    assert await passwords.verify_password(real, "a password") == (True, True)  # redone
    assert await passwords.verify_password(cheap, "a password") == (True, False)
    assert await passwords.verify_password(real, "another") == (False, False)
