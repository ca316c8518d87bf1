"""What a newcomer meets first: `.env.example`, the README, the manifest and help agree with the
program (each check here stands for a stumble someone once made)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from bot import sandbox_by_default
from config import load_settings
from handlers.slack.parsing import ALIASES, NORWEGIAN_NAMES
from handlers.slack.render.help import help_message
from services.i18n import translator

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PLACEHOLDER_HOST = "dialogbot.example.org"


def test_copying_env_example_unchanged_still_gives_the_sandbox() -> None:
    env = {k: v for k, v in dotenv_values(ROOT / ".env.example").items() if v is not None}
    assert sandbox_by_default(load_settings(env), env)


def test_every_manifest_url_uses_the_placeholder_host_the_readme_names() -> None:
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    urls: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith(("http://", "https://")):
            urls.append(node)

    walk(manifest)
    assert len(urls) == 3
    assert {urlsplit(url).netloc for url in urls} == {PLACEHOLDER_HOST}
    assert f"https://{PLACEHOLDER_HOST}" in README
    for key in ("settings.interactivity.request_url", "settings.event_subscriptions.request_url"):
        assert key in README


def test_no_tracked_document_links_outside_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.md", "*.rst", "*.txt"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert "README.md" in tracked
    for name in tracked:
        content = (ROOT / name).read_text(encoding="utf-8")
        assert "../shared" not in content, name
        for target in re.findall(r"\]\(([^)#\s]+)", content):
            if "://" in target or target.startswith("mailto:"):
                continue
            resolved = ((ROOT / name).parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{name} links outside the repository: {target}"
            assert resolved.exists(), f"{name} links to a missing file: {target}"


def _readme_section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def _readme_command_forms() -> tuple[set[str], set[str]]:
    """The subcommand forms in the README's `/dialog` table, and the Norwegian names it gives."""
    forms, norwegian = set(), set()
    for line in _readme_section("Using it: `/dialog`").splitlines():
        if not line.startswith("| `"):
            continue
        first = re.split(r"(?<!\\)\|", line)[1].replace("\\|", "|")
        for span in re.findall(r"`([^`]+)`", first):
            word = span.split()[0]
            if word in ALIASES.values():
                forms.add(span)
            elif word in ALIASES:
                norwegian.add(word)
    return forms, norwegian


def _help_forms(language: str) -> str:
    return json.dumps(help_message(translator(language), "Europe/Oslo").blocks, ensure_ascii=False)


def test_help_and_the_readme_list_the_same_commands() -> None:
    shown = _help_forms("en").replace("&lt;", "<").replace("&gt;", ">").replace('\\"', '"')
    in_help = {span.removeprefix("/dialog ") for span in re.findall(r"`(/dialog [^`]+)`", shown)}
    in_readme, _ = _readme_command_forms()
    assert in_help == in_readme


def test_help_and_the_readme_give_every_norwegian_name() -> None:
    _, in_readme = _readme_command_forms()
    assert set(NORWEGIAN_NAMES) == in_readme
    assert {ALIASES[name] for name in NORWEGIAN_NAMES} == set(ALIASES.values())
    shown = _help_forms("en")
    assert all(f"`{name}`" in shown for name in NORWEGIAN_NAMES)


def test_help_says_which_clock_times_are_read_in() -> None:
    assert "Europe/Oslo" in _help_forms("en") and "Europe/Oslo" in _help_forms("nb")


def test_every_bot_command_shown_to_people_runs_with_the_virtualenv() -> None:
    """`python bot.py` fails after `make run` (the system Python lacks the dependencies)."""
    deploying = _readme_section("Deploying")  # an operator's own supervisor set-up, not a first try
    texts = {"README.md": README.replace(deploying, "")}
    for path in [ROOT / "bot.py", *ROOT.glob("config/*.py"), *ROOT.glob("handlers/**/*.py"),
                 *ROOT.glob("locales/**/*.po")]:
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    for name, content in texts.items():
        for match in re.finditer(r"(\S*)python bot\.py", content):
            assert match.group(1).endswith(".venv/bin/"), f"{name}: {match.group(0)}"


def test_start_up_names_every_missing_setting_at_once(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    import bot

    for name in list(__import__("os").environ):
        if name.startswith(("SLACK_", "DIALOG_", "DATABASE_URL", "HOST")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bot.faulthandler, "enable", lambda: None)  # captured stderr has no fileno
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert bot.main(["run"]) == 2
    assert "Missing: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, DIALOG_CHANNEL" in capsys.readouterr().err
    assert load_settings({"SLACK_APP_TOKEN": "xapp-1"}).missing_to_connect() == ["SLACK_BOT_TOKEN",
                                                                               "DIALOG_CHANNEL"]
