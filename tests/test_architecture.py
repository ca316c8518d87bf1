"""The layering rules of DESIGN §3, checked with every test run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {"services", "storage", "scheduling", "handlers", "sandbox", "bot", "config"}


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_config_depends_on_nothing_of_ours() -> None:
    assert _imports(ROOT / "config.py") & OUR_PACKAGES == set()


def test_only_bot_py_imports_handlers() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("services", "storage", "scheduling", "sandbox")
        for path in (ROOT / folder).rglob("*.py")
        if "handlers" in _imports(path)
    ]
    assert offenders == []
    assert "handlers" in _imports(ROOT / "bot.py")


def test_the_domain_never_touches_slack() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("services", "storage", "scheduling")
        for path in (ROOT / folder).rglob("*.py")
        if _imports(path) & {"slack_sdk", "slack_bolt", "flask", "waitress"}
    ]
    assert offenders == []
