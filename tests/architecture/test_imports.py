"""Imports go one way: shared knows no one; a service knows only shared; gateway and web know no
service. services/cli.py is the suite's command line, the one place that composes services.
Inside a service the layers go one way too: a router calls its feature's service, never a
repository; a service module holds the rules and knows nothing of FastAPI."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "main.py").exists())
COMPOSITION_ROOTS = {"services/cli.py", "services/runner.py", "services/demo.py"}


def imported_modules(path: Path, package: tuple[str, ...] | None = None) -> set[str]:
    """Every module the file imports, by absolute name: relative imports are resolved against
    the file's package, and `from package import name` also counts package.name, since name may
    be a module (`from services import identity` imports services.identity)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    if package is None:
        package = path.relative_to(ROOT).parts[:-1] if path.is_relative_to(ROOT) else ()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module:
                names.add(module)
            names.update(f"{module}.{alias.name}" if module else alias.name
                         for alias in node.names if alias.name != "*")
    return names


def owner(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] in {"shared", "gateway", "web"}:
        return parts[0]
    if parts[0] == "services" and len(parts) > 1:
        return f"services.{parts[1]}"
    return None


def allowed(package: str) -> set[str]:
    if package == "shared":
        return {"shared"}
    if package in {"gateway", "web"}:
        return {package, "shared"}
    return {package, "shared"}  # a service


def python_files(package_dir: Path):
    for path in package_dir.rglob("*.py"):
        if "migrations/versions" not in path.as_posix():
            yield path


PACKAGES = ["shared", "gateway", "web", *(f"services.{name}" for name in SERVICES)]


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_it_may(package):
    package_dir = ROOT.joinpath(*package.split("."))
    violations = []
    for path in python_files(package_dir):
        for module in imported_modules(path):
            target = owner(module)
            if target and target not in allowed(package):
                violations.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not violations, "\n".join(violations)


def test_the_checker_catches_a_service_importing_another(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from services.identity.db import ServiceTable\nimport web.main\n")
    targets = {owner(m) for m in imported_modules(bad)}
    assert "services.identity" not in allowed("services.scheduling")
    assert targets == {"services.identity", "web"}
    assert not targets <= allowed("shared")


def _service_files(name: str):
    return sorted(p for p in (ROOT / "services").rglob(name) if "migrations" not in p.parts)


def _layer_violations(files, forbidden) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {module}"
            for path in files for module in sorted(imported_modules(path)) if forbidden(module)]


def _is_repository(module: str) -> bool:
    return module.split(".")[-1] == "repository"


def _is_web_framework(module: str) -> bool:
    return module.split(".")[0] in {"fastapi", "starlette"}


def test_routers_call_services_never_repositories():
    violations = _layer_violations(_service_files("router.py"), _is_repository)
    assert not violations, "\n".join(violations)


def test_service_modules_know_nothing_of_fastapi():
    violations = _layer_violations(_service_files("service.py"), _is_web_framework)
    assert not violations, "\n".join(violations)


def test_the_layer_checks_catch_every_spelling(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from services.scheduling.sessions import repository as sessions\n"
                   "from services.scheduling.events.repository import get_event\n"
                   "from starlette.requests import Request\nimport fastapi\n")
    assert {m for m in imported_modules(bad) if _is_repository(m)} == {
        "services.scheduling.sessions.repository", "services.scheduling.events.repository"}
    assert {m for m in imported_modules(bad) if _is_web_framework(m)} == {
        "starlette.requests", "starlette.requests.Request", "fastapi"}
    relative = tmp_path / "relative.py"
    relative.write_text("from . import repository\nfrom ..sessions.repository import of_events\n")
    as_events_router = imported_modules(relative, package=("services", "scheduling", "events"))
    assert {m for m in as_events_router if _is_repository(m)} == {
        "services.scheduling.events.repository", "services.scheduling.sessions.repository"}


def test_the_checker_catches_a_service_imported_from_the_services_package(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from services import identity\n")
    assert "services.identity" in {owner(m) for m in imported_modules(bad)}


def test_only_the_composition_roots_sit_loose_in_services():
    loose = {p.relative_to(ROOT).as_posix() for p in (ROOT / "services").glob("*.py")}
    assert loose <= COMPOSITION_ROOTS | {"services/__init__.py"}
