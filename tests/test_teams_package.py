"""`make teams-package`: the Teams app zip, its manifest, Norwegian strings and icons."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from config import ConfigError
from handlers.common.parsing.commands import ALIASES, NORWEGIAN_NAMES
from teams import package

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "8e1b3a52-5f0b-4c49-9a51-1f1e0b0a7c11"
ENV = {"TEAMS_APP_ID": APP_ID, "DIALOG_PUBLIC_URL": "https://dialog.oslo.example/"}
COMMAND_MENU = {"help", "propose", "topics", "support", "meetings", "rsvp", "schedule", "urgent", "agenda",
                "minutes", "roster", "language", "my data", "setup"}


def _unzipped(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    return _unzipped(package.build_package(tmp_path / "app.zip", ENV))


def _png(data: bytes) -> tuple[int, int, list[list[tuple[int, ...]]]]:
    """Width, height and RGBA rows of one of our PNGs (8-bit RGBA, filter 0, as teams/package.py writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * 4 + 1
    rows = [[tuple(raw[y * stride + 1 + x * 4:y * stride + 5 + x * 4]) for x in range(width)] for y in range(height)]
    return width, height, rows


def test_the_zip_holds_the_manifest_its_norwegian_strings_and_the_icons_at_its_root(files: dict[str, bytes]) -> None:
    assert set(files) == {"manifest.json", "nb-no.json", "color.png", "outline.png"}


def test_the_manifest_has_what_the_schema_requires_with_the_deployments_values(files: dict[str, bytes]) -> None:
    manifest = json.loads(files["manifest.json"])
    assert manifest["manifestVersion"] == package.SCHEMA_VERSION
    assert manifest["$schema"].endswith(f"/v{package.SCHEMA_VERSION}/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    developer = manifest["developer"]
    assert developer["name"] and len(developer["name"]) <= 32
    for link in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[link] == "https://dialog.oslo.example"
    assert manifest["name"]["short"] == "Dialogbot" and len(manifest["name"]["full"]) <= 100
    assert 0 < len(manifest["description"]["short"]) <= 80 and 0 < len(manifest["description"]["full"]) <= 4000
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", manifest["accentColor"])
    assert manifest["validDomains"] == ["dialog.oslo.example"]
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "en-us", "additionalLanguages": [{"languageTag": "nb-no", "file": "nb-no.json"}]}
    assert "webApplicationInfo" not in manifest
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False


def test_the_command_menus_offer_the_commands_as_the_bot_reads_them(files: dict[str, bytes]) -> None:
    lists = json.loads(files["manifest.json"])["bots"][0]["commandLists"]
    assert [entry["scopes"] for entry in lists] == [["personal"], ["team"]]
    titles = {command["title"] for entry in lists for command in entry["commands"]}
    assert titles == COMMAND_MENU
    for entry in lists:
        # Teams' schema: at most 10 commands a list; in the localization file a title is at most
        # 32 characters and a description 128.
        assert len(entry["commands"]) <= 10
        for command in entry["commands"]:
            assert len(command["title"]) <= 32 and 0 < len(command["description"]) <= 128
            first = command["title"].split()[0]
            assert ALIASES.get(first) == first or first == "setup"


def test_the_norwegian_file_names_existing_entries_with_the_norwegian_command_words(files: dict[str, bytes]) -> None:
    manifest, norwegian = json.loads(files["manifest.json"]), json.loads(files["nb-no.json"])
    assert norwegian["$schema"].endswith(f"/v{package.SCHEMA_VERSION}/MicrosoftTeams.Localization.schema.json")
    lists = manifest["bots"][0]["commandLists"]
    titles = {}
    for key, value in norwegian.items():
        if key == "$schema":
            continue
        if key in ("name.short", "name.full", "description.short", "description.full"):
            section, field = key.split(".")
            assert manifest[section][field] and value
            continue
        match = re.fullmatch(r"bots\[0\]\.commandLists\[(\d)\]\.commands\[(\d)\]\.(title|description)", key)
        assert match, key
        english = lists[int(match[1])]["commands"][int(match[2])]
        assert match[3] in english and value
        if match[3] == "title":
            titles[english["title"]] = value
    assert len(titles) == len(COMMAND_MENU)
    for english, norsk in titles.items():
        words = norsk.split()
        assert words[0] in NORWEGIAN_NAMES or (english, norsk) == ("setup", "oppsett")
        assert ALIASES.get(words[0], "setup") == english.split()[0]
    assert titles["my data"] == "mine data" and titles["propose"] == "foreslå" and titles["roster"] == "deltakere"


def test_the_setup_words_are_the_ones_the_teams_bot_reads() -> None:
    from handlers.teams.bot import SETUP_WORDS

    assert package.SETUP_WORDS == SETUP_WORDS


def test_the_icons_are_pngs_of_teams_sizes_and_the_outline_is_white_on_transparency(files: dict[str, bytes]) -> None:
    width, height, _ = _png(files["color.png"])
    assert (width, height) == (192, 192)
    width, height, rows = _png(files["outline.png"])
    assert (width, height) == (32, 32)
    colours = {pixel for row in rows for pixel in row}
    assert colours == {(255, 255, 255, 255), (0, 0, 0, 0)}


def test_the_committed_icons_are_what_the_drawing_gives() -> None:
    assert (ROOT / "teams" / "color.png").read_bytes() == package.color_icon()
    assert (ROOT / "teams" / "outline.png").read_bytes() == package.outline_icon()


@pytest.mark.parametrize("value", ["", "  ", "not-a-guid", "8e1b3a52-5f0b-4c49-9a51"])
def test_a_missing_or_malformed_app_id_is_refused_by_name(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="TEAMS_APP_ID") as raised:
        package.build_package(tmp_path / "app.zip", {**ENV, "TEAMS_APP_ID": value})
    assert raised.value.variable == "TEAMS_APP_ID"
    assert not (tmp_path / "app.zip").exists()


def test_without_a_public_url_the_links_fall_back_and_no_domain_is_named(tmp_path: Path) -> None:
    files = _unzipped(package.build_package(tmp_path / "app.zip", {"TEAMS_APP_ID": APP_ID}))
    manifest = json.loads(files["manifest.json"])
    assert manifest["validDomains"] == []
    assert manifest["developer"]["websiteUrl"] == package.FALLBACK_URL


def test_a_public_url_that_is_no_web_address_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DIALOG_PUBLIC_URL"):
        package.build_package(tmp_path / "app.zip", {**ENV, "DIALOG_PUBLIC_URL": "dialog.oslo.example"})


def test_make_teams_package_builds_the_zip_from_the_environment(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "dialogbot-teams.zip"
    env = {**os.environ, **ENV, "TEAMS_APP_ID": APP_ID.upper()}
    # -o: the virtualenv is taken as installed (this test runs in it), so make never reinstalls it.
    result = subprocess.run(["make", "-s", "-o", ".venv/.installed", "teams-package", f"TEAMS_PACKAGE={out}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads(_unzipped(out)["manifest.json"])
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["validDomains"] == ["dialog.oslo.example"]


def test_make_teams_package_without_an_app_id_says_which_setting_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    env = {**os.environ, **ENV, "TEAMS_APP_ID": ""}
    result = subprocess.run(["make", "-s", "-o", ".venv/.installed", "teams-package", f"TEAMS_PACKAGE={out}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "TEAMS_APP_ID" in result.stderr
    assert not out.exists()
