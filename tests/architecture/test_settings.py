"""Each setting is declared once: a class body that names a field twice keeps the last
declaration silently, so an edit to the first one would change nothing."""

import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = sorted(str(p.relative_to(ROOT)) for p in (*ROOT.glob("services/*/settings.py"),
                                                      ROOT / "gateway" / "settings.py",
                                                      ROOT / "web" / "settings.py")
                  if p.exists())


@pytest.mark.parametrize("path", SETTINGS)
def test_no_setting_is_declared_twice(path):
    tree = ast.parse((ROOT / path).read_text(), filename=path)
    twice = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            names = Counter(statement.target.id for statement in node.body
                            if isinstance(statement, ast.AnnAssign)
                            and isinstance(statement.target, ast.Name))
            twice |= {f"{node.name}.{name}": n for name, n in names.items() if n > 1}
    assert twice == {}
