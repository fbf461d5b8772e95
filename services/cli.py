"""`cascade`: the suite's command line.

    cascade run                      migrate, load the demo network once, start everything
    cascade migrate                  bring every service's database to its latest migration
    cascade admin create --email E --password-stdin
    cascade demo load                load the demo network into a running suite
    cascade keys rotate              a new token-signing key; the old one retires once its
                                     tokens have expired
    cascade secrets new              fresh secrets for a deployment's env file
"""

import argparse
import asyncio
import os
import sys
from pathlib import Path

from shared.settings import REPO_ROOT


def var_dir() -> Path:
    return Path(os.environ.get("CASCADE_VAR_DIR", REPO_ROOT / "var"))


def cmd_migrate(_args) -> int:
    from services.runner import migrate_all

    migrate_all(var_dir())
    print("Every service's database is at its latest migration.")
    return 0


def cmd_admin_create(args) -> int:
    from services.identity.cli import create_platform_admin
    from services.identity.settings import IdentitySettings
    from services.runner import database_url
    from shared import migrations

    if not args.password_stdin:
        print("Give the password on standard input with --password-stdin.", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        print("The password must be at least 10 characters.", file=sys.stderr)
        return 2
    url = database_url("identity", var_dir())
    migrations.upgrade("identity", url)
    settings = IdentitySettings(database_url=url)
    asyncio.run(create_platform_admin(settings, email=args.email, password=password,
                                      full_name=args.name))
    print(f"Platform admin {args.email} is ready.")
    return 0


def cmd_demo_load(args) -> int:
    from services.demo import load_demo

    url = args.url or os.environ.get("CASCADE_GATEWAY_URL", "http://127.0.0.1:8000")
    asyncio.run(load_demo(url, var_dir=var_dir()))
    print("The demo network is loaded.")
    return 0


def cmd_reach_rebuild(args) -> int:
    """Against a running suite: reach's read model emptied and read again from the feeds."""
    from services.reach.feeds.rebuild import rebuild
    from services.reach.main import create_app
    from services.reach.settings import ReachSettings
    from services.runner import database_url, embedded_secrets

    directory = var_dir()
    secret = embedded_secrets(directory, only="reach").get("REACH_CLIENT_SECRET", "")
    settings = ReachSettings(
        database_url=database_url("reach", directory), var_dir=directory,
        gateway_url=args.url or os.environ.get("CASCADE_GATEWAY_URL", "http://127.0.0.1:8000"),
        client_secret=os.environ.get("REACH_CLIENT_SECRET") or secret, consume_feeds=False,
        webhooks_enabled=False)

    async def run() -> dict[str, int]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            return await rebuild(app)

    applied = asyncio.run(run())
    print("Reach's read model is rebuilt: " + ", ".join(
        f"{count} {feed} events" for feed, count in applied.items()) + ".")
    return 0


def identity_settings():
    """Identity's settings for a command run beside the suite: its environment, else the
    database and the secrets `cascade run` keeps in var/."""
    from services.identity.settings import IdentitySettings
    from services.runner import database_url, embedded_secrets

    settings = IdentitySettings(database_url=database_url("identity", var_dir()))
    if not settings.key_encryption_key:
        key = embedded_secrets(var_dir(), only="identity")["IDENTITY_KEY_ENCRYPTION_KEY"]
        settings = settings.model_copy(update={"key_encryption_key": key})
    return settings


def cmd_keys_rotate(_args) -> int:
    from services.identity.cli import rotate_signing_keys
    from shared import migrations

    settings = identity_settings()
    migrations.upgrade("identity", settings.db_url)
    kid, retires_at = asyncio.run(rotate_signing_keys(settings))
    print(f"Key {kid} is published now and signs in {settings.key_publish_seconds:.0f} s (within "
          f"{settings.key_cache_seconds:.0f} s more in every identity process); the previous keys "
          f"leave the JWKS at {retires_at.isoformat()}.")
    return 0


def cmd_secrets_new(_args) -> int:
    import json
    import secrets

    from services.runner import CLIENTS, client_secret_hash

    clients = {client: secrets.token_urlsafe(32) for client in CLIENTS}
    lines = [f"IDENTITY_KEY_ENCRYPTION_KEY={secrets.token_urlsafe(32)}",
             *(f"{client.upper()}_CLIENT_SECRET={value}" for client, value in clients.items()),
             "IDENTITY_SERVICE_CLIENTS=" + json.dumps(
                 {client: client_secret_hash(value) for client, value in clients.items()},
                 separators=(",", ":")),
             f"WEB_SECRET_KEY={secrets.token_urlsafe(48)}",
             f"POSTGRES_PASSWORD={secrets.token_urlsafe(24)}",
             *(f"{service.upper()}_DB_PASSWORD={secrets.token_urlsafe(24)}"
               for service in ("identity", "scheduling", "evidence", "reach"))]
    print("\n".join(lines))
    return 0


def cmd_run(args) -> int:
    from services.demo import DEMO_LOGINS, demo_loaded, load_demo
    from services.runner import Suite, migrate_all

    directory = var_dir()
    directory.mkdir(parents=True, exist_ok=True)
    port = int(os.environ.get("CASCADE_PORT", "8000"))
    suite = Suite(var_dir=directory)
    suite.ports["gateway"] = port
    print("Migrating databases...", flush=True)
    migrate_all(directory)
    try:
        suite.start()
        suite.wait_until_healthy()
        if not args.no_demo and not demo_loaded(directory):
            print("Loading the demo network (first start only)...", flush=True)
            asyncio.run(load_demo(suite.url, var_dir=directory))
    except (RuntimeError, KeyboardInterrupt) as exc:
        print(f"Cascade could not start: {exc}", file=sys.stderr)
        suite.stop()
        return 1
    print(f"\nCascade is running at {suite.url}/  (API docs: {suite.url}/api/docs)")
    if not args.no_demo:
        print("Demo logins (password for all: cascade-demo):")
        for email, what in DEMO_LOGINS:
            print(f"  {email:<34} {what}")
    print("Press Ctrl-C to stop.", flush=True)
    return suite.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cascade", description="Cascade command line")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the whole suite")
    run.add_argument("--no-demo", action="store_true", help="do not load the demo network")
    run.set_defaults(handler=cmd_run)

    commands.add_parser("migrate", help="migrate every service").set_defaults(handler=cmd_migrate)

    admin = commands.add_parser("admin", help="platform administrators")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_commands.add_parser("create", help="create a platform admin")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="Platform admin")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(handler=cmd_admin_create)

    demo = commands.add_parser("demo", help="demo data")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    load = demo_commands.add_parser("load", help="load the demo network into a running suite")
    load.add_argument("--url", help="the gateway's URL (default CASCADE_GATEWAY_URL)")
    load.set_defaults(handler=cmd_demo_load)

    reach = commands.add_parser("reach", help="the reach service")
    reach_commands = reach.add_subparsers(dest="reach_command", required=True)
    rebuild = reach_commands.add_parser(
        "rebuild", help="empty reach's read model and read it again from the feeds")
    rebuild.add_argument("--url", help="the gateway's URL (default CASCADE_GATEWAY_URL)")
    rebuild.set_defaults(handler=cmd_reach_rebuild)

    keys = commands.add_parser("keys", help="identity's token-signing keys")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser("rotate", help="sign with a new key, retire the old one") \
        .set_defaults(handler=cmd_keys_rotate)

    secrets_parser = commands.add_parser("secrets", help="secrets for a deployment")
    secrets_commands = secrets_parser.add_subparsers(dest="secrets_command", required=True)
    secrets_commands.add_parser("new", help="print fresh secrets as env-file lines") \
        .set_defaults(handler=cmd_secrets_new)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
