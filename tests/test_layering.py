"""Imports flow one way: ``index/`` (the lower layer) never imports ``assistant/``."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
INDEX_MODULES = sorted((REPO_ROOT / "index").rglob("*.py"))
UPPER = "assistant"


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in ``tree``, nested and lazy ones included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _is_upper(module: str) -> bool:
    return module == UPPER or module.startswith(UPPER + ".")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_index_modules_are_found():
    assert len(INDEX_MODULES) > 10
    assert REPO_ROOT / "index" / "__main__.py" in INDEX_MODULES


@pytest.mark.parametrize("path", INDEX_MODULES, ids=lambda p: p.name)
def test_index_module_does_not_import_assistant(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"line {line}: {module}" for line, module in _imported_modules(tree) if _is_upper(module)]
    assert not bad, f"{path.relative_to(REPO_ROOT)} imports the upper layer: {'; '.join(bad)}"


def test_detector_sees_every_import_form():
    tree = ast.parse(
        "import assistant\nimport assistant.build as b\nfrom assistant import settings\n"
        "from assistant.settings import Settings\ndef f():\n    import assistant.cli\n"
        "from assistance import x\nimport index.settings\n"
    )
    assert [m for _, m in _imported_modules(tree) if _is_upper(m)] == [
        "assistant", "assistant.build", "assistant", "assistant.settings", "assistant.cli",
    ]


def test_importing_index_loads_no_assistant_module():
    """Every index module, imported in a fresh interpreter, leaves ``assistant`` unloaded."""
    modules = [_module_name(p) for p in INDEX_MODULES]
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m == {UPPER!r} "
        f"or m.startswith({UPPER + '.'!r}))))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded == [], f"importing index loaded: {', '.join(loaded)}"
