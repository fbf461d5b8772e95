"""deploy/ as shipped: no password written into it, each container handed only the secrets it
needs, and its example values refused by the apps if copied unchanged."""

import re
import subprocess

import pytest
import yaml

from services.evidence.settings import EvidenceSettings
from services.identity.settings import IdentitySettings
from services.reach.settings import ReachSettings
from services.scheduling.settings import SchedulingSettings
from shared.settings import REPO_ROOT, InsecureSettings
from web.settings import WebSettings

DEPLOY = REPO_ROOT / "deploy"
SERVICE_SECRETS = re.compile(r"_CLIENT_SECRET$|^IDENTITY_KEY_ENCRYPTION_KEY$|"
                             r"^IDENTITY_SERVICE_CLIENTS$|^CASCADE_SERVICE_SECRET$")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _k8s() -> list[dict]:
    return [doc for doc in yaml.safe_load_all((DEPLOY / "k8s" / "cascade.yaml").read_text()) if doc]


def _example_env() -> dict[str, str]:
    lines = (DEPLOY / "example.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


class TestNoPasswordIsWrittenDown:
    @pytest.mark.parametrize("path", ["compose.yaml", "k8s/cascade.yaml", "postgres/init.sql",
                                      "postgres/init.sh"])
    def test_database_urls_and_roles_take_their_passwords_from_outside(self, path):
        text = (DEPLOY / path).read_text()
        for password in re.findall(r"postgresql\+psycopg://\w+:([^@\s]+)@", text):
            assert password.startswith("${"), (path, password)
        for password in re.findall(r"PASSWORD\s+(\S+?);", text):
            assert password.startswith(":'"), (path, password)  # a psql variable
        assert "change-me-" not in text

    def test_compose_hands_no_env_file_to_every_container(self):
        compose = _compose()
        assert all("env_file" not in service for service in compose["services"].values())
        assert "env_file" not in compose["x-app"]


class TestEachContainerGetsOnlyItsOwnSecrets:
    def test_compose(self):
        services = _compose()["services"]
        gateway = set(services["gateway"].get("environment", {}))
        web = set(services["web"].get("environment", {}))
        assert not {name for name in gateway if "SECRET" in name or "KEY" in name}
        assert {name for name in web if "SECRET" in name or "KEY" in name} == {"WEB_SECRET_KEY"}
        for name, service in services.items():
            held = {n for n in service.get("environment", {}) if SERVICE_SECRETS.search(n)}
            own = {n for n in held if n.startswith(name.upper() + "_")}
            assert held == own, (name, held - own)

    def test_kubernetes(self):
        deployments = {doc["metadata"]["name"]: doc for doc in _k8s()
                       if doc["kind"] in ("Deployment", "Job")}
        for name, deployment in deployments.items():
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            secrets = {ref["secretRef"]["name"] for ref in container.get("envFrom", [])
                       if "secretRef" in ref}
            if name == "gateway":
                assert secrets == set()
            elif name == "cascade-migrate":
                assert secrets == set()  # the database URLs alone, by key
                keys = {e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]}
                assert all(key.endswith("_DATABASE_URL") for key in keys)
            else:
                assert secrets == {f"cascade-{name}"}, name


class TestTheExampleValuesAreRefused:
    @pytest.mark.parametrize("settings_class,name,env", [
        (IdentitySettings, "key_encryption_key", "IDENTITY_KEY_ENCRYPTION_KEY"),
        (IdentitySettings, "service_clients", "IDENTITY_SERVICE_CLIENTS"),
        (SchedulingSettings, "client_secret", "SCHEDULING_CLIENT_SECRET"),
        (EvidenceSettings, "client_secret", "EVIDENCE_CLIENT_SECRET"),
        (ReachSettings, "client_secret", "REACH_CLIENT_SECRET"),
        (WebSettings, "secret_key", "WEB_SECRET_KEY"),
    ])
    def test_an_app_given_the_example_value_refuses_to_start(self, settings_class, name, env,
                                                            monkeypatch):
        monkeypatch.setenv(env, _example_env()[env])
        # Every other secret good, so the refusal is this value's.
        good = {"key_encryption_key": "k" * 40} if name != "key_encryption_key" else {}
        settings = settings_class(allow_empty_secrets=True, **good)
        with pytest.raises(InsecureSettings, match=env):
            settings.check_secrets()


def test_init_sh_refuses_a_placeholder_password(tmp_path):
    fake_psql = tmp_path / "psql"
    fake_psql.write_text("#!/bin/sh\necho psql ran\n")
    fake_psql.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "POSTGRES_USER": "postgres",
           "POSTGRES_DB": "cascade", "IDENTITY_DB_PASSWORD": "replace-me",
           "SCHEDULING_DB_PASSWORD": "a" * 24, "EVIDENCE_DB_PASSWORD": "b" * 24,
           "REACH_DB_PASSWORD": "c" * 24}
    # S603: our own script, by a fixed argument list.
    init_sh = ["/bin/sh", str(DEPLOY / "postgres" / "init.sh")]
    refused = subprocess.run(init_sh, env=env, capture_output=True, text=True)  # noqa: S603
    assert refused.returncode != 0 and "IDENTITY_DB_PASSWORD" in refused.stderr
    accepted = subprocess.run(init_sh, env={**env, "IDENTITY_DB_PASSWORD": "d" * 24},  # noqa: S603
                              capture_output=True, text=True)
    assert accepted.returncode == 0 and "psql ran" in accepted.stdout

