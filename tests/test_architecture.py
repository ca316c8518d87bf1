"""The layering rules of DESIGN §3, checked with every test run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {"services", "storage", "scheduling", "handlers", "exports", "sandbox", "fakes", "bot", "runtime",
                "config"}


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
    modules = sorted((ROOT / "config").rglob("*.py"))
    assert modules, "config/ holds the settings"
    assert set().union(*(_imports(path) for path in modules)) & (OUR_PACKAGES - {"config"}) == set()


COMPOSITION_ROOTS = {"sandbox/launcher.py"}
"""Besides bot.py and runtime.py, the modules that wire handlers in (the sandbox's launcher)."""


def test_only_the_composition_roots_import_handlers() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("services", "storage", "scheduling", "exports", "sandbox")
        for path in (ROOT / folder).rglob("*.py")
        if "handlers" in _imports(path) and str(path.relative_to(ROOT)) not in COMPOSITION_ROOTS
    ]
    assert offenders == []
    assert "handlers" in _imports(ROOT / "runtime.py")
    assert "handlers" in _imports(ROOT / "bot.py")


def test_production_never_imports_the_fake_slack() -> None:
    # The fake is for tests, benchmarks and the sandbox; a real bot must not even load it.
    probe = ("import sys, bot, runtime\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'fakes' or m.startswith('sandbox.')))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_domain_never_touches_slack() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("services", "storage", "scheduling", "exports")
        for path in (ROOT / folder).rglob("*.py")
        if _imports(path) & {"slack_sdk", "slack_bolt", "flask", "waitress"}
    ]
    assert offenders == []
