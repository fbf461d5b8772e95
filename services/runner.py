"""Runs the whole suite as separate processes: the four services, web and the gateway.

`cascade run` (and `make run`) use it; so do the browser tests, on ports of their own.
"""

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared import migrations
from shared.settings import REPO_ROOT

SERVICES = ("identity", "scheduling", "evidence", "reach")
APPS = {
    "identity": "services.identity.main:create_app",
    "scheduling": "services.scheduling.main:create_app",
    "evidence": "services.evidence.main:create_app",
    "reach": "services.reach.main:create_app",
    "web": "web.main:create_app",
    "gateway": "gateway.main:create_app",
}
DEFAULT_PORTS = {"gateway": 8000, "web": 8010, "identity": 8011, "scheduling": 8012,
                 "evidence": 8013, "reach": 8014}


def read_or_create_secret(path: Path) -> str:
    """A random secret kept in var/ so a restart keeps sessions and service tokens valid."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


# The services that get a token of their own from identity (client credentials).
CLIENTS = ("identity", "scheduling", "evidence", "reach")
SECRET_NAMES = frozenset({
    "IDENTITY_KEY_ENCRYPTION_KEY", "IDENTITY_SERVICE_CLIENTS", "WEB_SECRET_KEY",
    *(f"{client.upper()}_CLIENT_SECRET" for client in CLIENTS),
})


def embedded_secrets(var_dir: Path, *, only: str | None = None) -> dict[str, str]:
    """The secrets of the embedded suite: each from the environment when set there, else made
    once and kept in var/ (mode 0600). `only` narrows them to what that app needs: identity
    its key encryption key, the hashes of the clients' secrets and its own (it reads
    scheduling's feed), each client its own secret, web its cookie key, the gateway none."""
    def secret(name: str, file: str) -> str:
        return os.environ.get(name) or read_or_create_secret(var_dir / file)

    clients = {client: secret(f"{client.upper()}_CLIENT_SECRET", f"{client}-client-secret")
               for client in CLIENTS}
    every = {client: {f"{client.upper()}_CLIENT_SECRET": value}
             for client, value in clients.items()}
    every["identity"].update({
        "IDENTITY_KEY_ENCRYPTION_KEY": secret("IDENTITY_KEY_ENCRYPTION_KEY",
                                              "identity-key-encryption-key"),
        "IDENTITY_SERVICE_CLIENTS": os.environ.get("IDENTITY_SERVICE_CLIENTS") or json.dumps(
            {client: client_secret_hash(value) for client, value in clients.items()}),
    })
    every["web"] = {"WEB_SECRET_KEY": secret("WEB_SECRET_KEY", "web-secret")}
    if only is not None:
        return every.get(only, {})
    return {name: value for app_secrets in every.values() for name, value in app_secrets.items()}


def client_secret_hash(secret: str) -> str:
    """What identity keeps of a service's client secret (IDENTITY_SERVICE_CLIENTS)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def database_url(service: str, var_dir: Path) -> str:
    return os.environ.get(f"{service.upper()}_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{var_dir / service}.db"
    )


def migrate_all(var_dir: Path) -> None:
    for service in SERVICES:
        migrations.upgrade(service, database_url(service, var_dir))


@dataclass
class Suite:
    var_dir: Path
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    log_dir: Path | None = None  # None: children write to this terminal
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def environment(self, app: str | None = None) -> dict[str, str]:
        """The environment of one app's process: the suite's settings and that app's own
        secrets (generated in var/ unless set), never another app's."""
        env = {name: value for name, value in os.environ.items() if name not in SECRET_NAMES}
        env.update(embedded_secrets(self.var_dir, only=app))
        env["CASCADE_VAR_DIR"] = str(self.var_dir)
        env["CASCADE_GATEWAY_URL"] = self.url
        for name, port in self.ports.items():
            if name != "gateway":
                env[f"GATEWAY_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
        for service in SERVICES:
            env[f"{service.upper()}_DATABASE_URL"] = database_url(service, self.var_dir)
        return env

    def check_ports_free(self) -> None:
        for name, port in self.ports.items():
            with socket.socket() as probe:
                # As uvicorn binds: connections lingering in TIME_WAIT do not count, listeners do.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    raise RuntimeError(
                        f"port {port} (for {name}) is in use: is Cascade already running?"
                    ) from None

    def start(self) -> None:
        self.check_ports_free()
        for name, target in APPS.items():
            env = self.environment(name)
            command = [sys.executable, "-m", "uvicorn", "--factory", target, "--host", "127.0.0.1",
                       "--port", str(self.ports[name]), "--no-access-log", "--log-level", "warning",
                       # Only the gateway writes X-Forwarded-*; uvicorn would otherwise believe
                       # a client on loopback that sends its own.
                       "--no-proxy-headers"]
            output = None
            if self.log_dir:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                output = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
            # S603: our own uvicorn apps, by an argument list built above from fixed names.
            self.processes[name] = subprocess.Popen(  # noqa: S603
                command, cwd=REPO_ROOT, env=env, stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=self.log_dir is not None,
            )

    def wait_until_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with status {process.returncode}")
            try:
                response = httpx.get(f"{self.url}/healthz", timeout=2.0)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise RuntimeError(f"the suite did not become healthy in {timeout:.0f}s: {last}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait(self) -> int:
        """Blocks until a child exits (an error: the others are stopped) or we are told to stop
        (Ctrl-C, or SIGTERM from a process manager)."""

        def interrupt(_signum, _frame):
            raise KeyboardInterrupt

        # Explicit handlers: a shell may start a background job with SIGINT ignored.
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
        try:
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        print(f"\n{name} stopped (status {process.returncode}); "
                              "stopping the suite.")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nStopping Cascade...")
            return 0
        finally:
            self.stop()
