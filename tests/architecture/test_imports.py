"""Imports go one way: shared knows no one; a service knows only shared; gateway and web know no
service. services/cli.py is the suite's command line, the one place that composes services."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "main.py").exists())
COMPOSITION_ROOTS = {"services/cli.py", "services/runner.py", "services/demo.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
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


def test_only_the_composition_roots_sit_loose_in_services():
    loose = {p.relative_to(ROOT).as_posix() for p in (ROOT / "services").glob("*.py")}
    assert loose <= COMPOSITION_ROOTS | {"services/__init__.py"}
