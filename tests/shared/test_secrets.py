"""Apps refuse to start on a placeholder or (outside tests) empty secret; `cascade run` makes
every secret and hands each process only its own."""

import hashlib
import json
import stat

import pytest

from gateway.main import create_app as create_gateway
from gateway.settings import GatewaySettings
from services.evidence.main import create_app as create_evidence
from services.evidence.settings import EvidenceSettings
from services.identity.main import create_app as create_identity
from services.identity.settings import IdentitySettings
from services.reach.main import create_app as create_reach
from services.reach.settings import ReachSettings
from services.runner import SECRET_NAMES, Suite, embedded_secrets
from services.scheduling.main import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from shared.settings import InsecureSettings, secret_problem
from web.main import create_app as create_web
from web.settings import WebSettings

GOOD = "Vq3k9PzL0aR7mW2xT5nB8cY1dF4gH6jK"  # 32 random characters
pytestmark = pytest.mark.usefixtures("production_password_cost")
APPS = [
    (create_identity, IdentitySettings, "key_encryption_key", "IDENTITY_KEY_ENCRYPTION_KEY"),
    (create_scheduling, SchedulingSettings, "client_secret", "SCHEDULING_CLIENT_SECRET"),
    (create_evidence, EvidenceSettings, "client_secret", "EVIDENCE_CLIENT_SECRET"),
    (create_reach, ReachSettings, "client_secret", "REACH_CLIENT_SECRET"),
    (create_web, WebSettings, "secret_key", "WEB_SECRET_KEY"),
]


@pytest.mark.parametrize("create,settings_class,field,env", APPS)
@pytest.mark.parametrize("value", ["", "replace-with-a-long-random-string", "change-me",
                                   "short-but-random-Zq8"])
def test_an_app_refuses_to_start_on_a_missing_or_placeholder_secret(
        create, settings_class, field, env, value, tmp_path):
    settings = settings_class(var_dir=tmp_path, allow_empty_secrets=False, **{field: value})
    with pytest.raises(InsecureSettings, match=env):
        create(settings)


@pytest.mark.parametrize("create,settings_class,field,env", APPS)
def test_an_app_starts_with_a_real_secret(create, settings_class, field, env, tmp_path):
    settings = settings_class(var_dir=tmp_path, allow_empty_secrets=False, **{field: GOOD})
    assert create(settings).state.settings is settings


@pytest.mark.parametrize("create,settings_class,field,env", APPS[1:])
def test_tests_may_leave_a_secret_empty_but_never_a_placeholder(create, settings_class, field,
                                                                env, tmp_path):
    assert create(settings_class(var_dir=tmp_path, allow_empty_secrets=True))
    with pytest.raises(InsecureSettings):
        create(settings_class(var_dir=tmp_path, allow_empty_secrets=True,
                              **{field: "replace-me-please-with-something-long"}))


def test_identity_has_no_plain_text_mode_even_where_empty_secrets_are_allowed(tmp_path):
    with pytest.raises(RuntimeError, match="IDENTITY_KEY_ENCRYPTION_KEY"):
        create_identity(IdentitySettings(var_dir=tmp_path, allow_empty_secrets=True))


def test_identity_refuses_a_client_entry_that_is_not_a_hash(tmp_path):
    with pytest.raises(InsecureSettings, match="IDENTITY_SERVICE_CLIENTS"):
        create_identity(IdentitySettings(var_dir=tmp_path, key_encryption_key=GOOD,
                                         service_clients={"reach": GOOD}))


def test_a_random_value_passes():
    assert secret_problem(GOOD) is None


class TestEmbeddedSecrets:
    def test_each_service_gets_its_own_secret_and_identity_only_their_hashes(self, tmp_path,
                                                                              monkeypatch):
        for name in SECRET_NAMES:
            monkeypatch.delenv(name, raising=False)
        every = embedded_secrets(tmp_path)
        clients = {c: every[f"{c.upper()}_CLIENT_SECRET"]
                   for c in ("identity", "scheduling", "evidence", "reach")}
        assert len(set(clients.values())) == 4
        assert json.loads(every["IDENTITY_SERVICE_CLIENTS"]) == {
            c: hashlib.sha256(v.encode()).hexdigest() for c, v in clients.items()}
        for value in every.values():
            assert secret_problem(value) is None or value.startswith("{")
        for path in tmp_path.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert embedded_secrets(tmp_path) == every  # kept in var/: a restart keeps them

    def test_a_process_sees_only_its_own_secrets(self, tmp_path, monkeypatch):
        for name in SECRET_NAMES:
            monkeypatch.delenv(name, raising=False)
        suite = Suite(var_dir=tmp_path)
        held = {app: SECRET_NAMES & set(suite.environment(app)) for app in
                ("identity", "scheduling", "evidence", "reach", "web", "gateway")}
        assert held == {
            "identity": {"IDENTITY_KEY_ENCRYPTION_KEY", "IDENTITY_SERVICE_CLIENTS",
                         "IDENTITY_CLIENT_SECRET"},
            "scheduling": {"SCHEDULING_CLIENT_SECRET"},
            "evidence": {"EVIDENCE_CLIENT_SECRET"},
            "reach": {"REACH_CLIENT_SECRET"},
            "web": {"WEB_SECRET_KEY"},
            "gateway": set(),
        }

    def test_the_gateway_starts_with_no_secret_at_all(self):
        assert create_gateway(GatewaySettings())
