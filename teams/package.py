"""`make teams-package`: the Teams app package (manifest, Norwegian strings, two icons) as one zip.

Run it as `python -m teams.package` from the project folder (make does).

The manifest is `teams/manifest.json` with the deployment's values filled in: TEAMS_APP_ID (the
app's and the bot's id) and DIALOG_PUBLIC_URL (its host is the app's valid domain), from the
environment or `.env`. Its command menus list command keys; each key becomes the command's words
as the grammar reads them (`handlers/common/parsing/commands.py`), in English in the manifest and
in Norwegian in `nb-no.json`, so the menu cannot offer a word the bot does not understand.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from config import ConfigError, read_environment, shown
from handlers.common.parsing.commands import ALIASES, ENGLISH_NAMES, NORWEGIAN_NAMES

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "manifest.json"
COLOR_ICON, OUTLINE_ICON = HERE / "color.png", HERE / "outline.png"
DEFAULT_OUT = ROOT / "dist" / "dialogbot-teams.zip"
LOCALIZATION_FILE = "nb-no.json"
# The manifest schema (the template's manifestVersion), the current one Microsoft documents.
SCHEMA_VERSION = "1.23"
LOCALIZATION_SCHEMA = f"https://developer.microsoft.com/json-schemas/teams/v{SCHEMA_VERSION}/MicrosoftTeams.Localization.schema.json"
# Used for the developer's links when DIALOG_PUBLIC_URL is empty (README: "Connecting Microsoft Teams").
FALLBACK_URL = "https://dialogbot.example.org"
ACCENT = (0x1F, 0x4E, 0x79)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# Teams' own word, not the /dialog grammar's: handlers/teams/bot.py reads it before the grammar.
SETUP_WORDS = ("setup", "oppsett")

# What each menu entry says (at most 128 characters in the localization file), English then Norwegian.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "help": ("What you can do with the bot, and how", "Hva du kan gjøre med boten, og hvordan"),
    "propose": ("propose <title>: suggest a topic for a dialogue meeting",
                "foreslå <tittel>: foreslå et tema til et dialogmøte"),
    "topics": ("The open topics, most supported first", "De åpne temaene, de med mest støtte først"),
    "support": ("support <topic-no>: support a topic", "støtt <tema-nr>: støtt et tema"),
    "meetings": ("Upcoming meetings, with your answer", "Kommende møter, med svaret ditt"),
    "rsvp": ("rsvp <meeting-no> yes|no|maybe: answer an invitation",
             "svar <møte-nr> ja|nei|kanskje: svar på en invitasjon"),
    "schedule": ("schedule <YYYY-MM-DD> <HH:MM> <title>: a regular meeting (coordinators)",
                 "planlegg <ÅÅÅÅ-MM-DD> <TT:MM> <tittel>: et vanlig møte (koordinatorer)"),
    "urgent": ("urgent [<HH:MM>] <title> [| <link> [| <background>]]: an urgent call (coordinators)",
               "hast [<TT:MM>] <tittel> [| <lenke> [| <bakgrunn>]]: et hastemøte (koordinatorer)"),
    "agenda": ("agenda <meeting-no> add <topic-no>: put a topic on the agenda (coordinators)",
               "dagsorden <møte-nr> legg-til <tema-nr>: sett et tema på dagsordenen (koordinatorer)"),
    "minutes": ("minutes <meeting-no> final: make draft minutes final (coordinators)",
                "referat <møte-nr> endelig: gjør et utkast til referat endelig (koordinatorer)"),
    "roster": ("The organisations invited, by tier", "Organisasjonene som inviteres, etter nivå"),
    "language": ("language nb|en|auto: the language the bot writes to you in",
                 "språk nb|en|auto: språket boten skriver til deg på"),
    "my data": ("Everything the bot holds about you, sent to you", "Alt boten har om deg, sendt til deg"),
    "setup": ("Make this channel the dialogue channel (coordinators)",
              "Gjør denne kanalen til dialogkanalen (koordinatorer)"),
}
NORWEGIAN_TEXTS = {
    "name.short": "Dialogbot",
    "name.full": "Dialogbot: dialogmøter med sivilsamfunnet",
    "description.short": "Dialogmøter mellom byens politiske ledelse og sivilsamfunnet",
    "description.full": (
        "Dialogbot kjører dialogmøter mellom byens politiske ledelse og organisasjoner i sivilsamfunnet: "
        "frivillige organisasjoner, tros- og livssynssamfunn og innvandrerorganisasjoner, med etatene som "
        "lyttere. Begge sider foreslår temaer og støtter hverandres, koordinatorene planlegger møter på en "
        "time, og organisasjonene svarer på invitasjonene her. Skriv hjelp til boten for å begynne."
    ),
}


@dataclass(frozen=True)
class PackageSettings:
    """The deployment's values the package needs."""

    app_id: str
    public_url: str
    version: str
    developer_name: str = "Dialogbot"
    privacy_url: str = ""


def command_words(key: str) -> tuple[str, str]:
    """A menu entry's words as the bot reads them: (English, Norwegian)."""
    if key == "setup":
        return SETUP_WORDS
    if key == "my data":  # two words; the grammar wants "data" after "my" / "mine"
        english, norwegian = command_words("my")
        return f"{english} data", f"{norwegian} data"
    if key not in ENGLISH_NAMES:
        raise ValueError(f"{key!r} is not a /dialog command")
    norwegian = [name for name in NORWEGIAN_NAMES if ALIASES.get(name) == key]
    if len(norwegian) != 1:
        raise ValueError(f"{key!r} has no single Norwegian name in NORWEGIAN_NAMES")
    return key, norwegian[0]


def project_version() -> str:
    """The project's version (pyproject.toml), the app's version unless TEAMS_APP_VERSION says otherwise."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def read_settings(env: Mapping[str, str]) -> PackageSettings:
    """The package's values from `env`; a missing or malformed one raises ConfigError naming it."""
    app_id = (env.get("TEAMS_APP_ID") or "").strip()
    if not app_id:
        raise ConfigError("TEAMS_APP_ID", "is needed for the Teams app package: the Microsoft App ID of the "
                                          "Azure Bot (README: \"Connecting Microsoft Teams\")")
    if not _GUID.match(app_id):
        raise ConfigError("TEAMS_APP_ID", f"{shown(app_id)} is not the bot's Microsoft App ID "
                                          "(a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47)")
    public_url = (env.get("DIALOG_PUBLIC_URL") or "").strip().rstrip("/")
    web_address = public_url.startswith(("https://", "http://")) and urlsplit(public_url).hostname
    if public_url and not web_address:
        raise ConfigError("DIALOG_PUBLIC_URL", f"{shown(public_url)} is not an http(s) address")
    version = (env.get("TEAMS_APP_VERSION") or "").strip() or project_version()
    if not _SEMVER.match(version):
        raise ConfigError("TEAMS_APP_VERSION", f"{shown(version)} is not a version like 1.0.3")
    controller = (env.get("DIALOG_CONTROLLER") or "").strip()
    privacy = (env.get("DIALOG_PRIVACY_CONTACT") or "").strip()
    return PackageSettings(
        app_id=app_id.lower(), public_url=public_url, version=version,
        # Teams allows 32 characters for the developer's name; a longer controller keeps the default.
        developer_name=controller if 0 < len(controller) <= 32 else "Dialogbot",
        privacy_url=privacy if privacy.startswith("https://") else "",
    )


def build_manifest(settings: PackageSettings) -> tuple[dict[str, Any], dict[str, str]]:
    """The manifest (English) and its Norwegian localization file, from the template."""
    website = settings.public_url or FALLBACK_URL
    values = {
        "app_id": settings.app_id, "version": settings.version, "developer_name": settings.developer_name,
        "website_url": website, "privacy_url": settings.privacy_url or website, "terms_url": website,
        "public_host": urlsplit(settings.public_url).hostname or "",
    }
    manifest = _filled(json.loads(TEMPLATE.read_text(encoding="utf-8")), values)
    manifest["validDomains"] = [domain for domain in manifest["validDomains"] if domain]
    norwegian: dict[str, str] = {"$schema": LOCALIZATION_SCHEMA, **NORWEGIAN_TEXTS}
    for number, command_list in enumerate(manifest["bots"][0]["commandLists"]):
        entries = []
        for position, key in enumerate(command_list["commands"]):
            english, norsk = command_words(key)
            description_en, description_nb = DESCRIPTIONS[key]
            entries.append({"title": english, "description": description_en})
            prefix = f"bots[0].commandLists[{number}].commands[{position}]"
            norwegian[f"{prefix}.title"] = norsk
            norwegian[f"{prefix}.description"] = description_nb
        command_list["commands"] = entries
    return manifest, norwegian


def _filled(node: Any, values: Mapping[str, str]) -> Any:
    # Values go in after parsing, so nothing in them can change the JSON's structure.
    if isinstance(node, dict):
        return {key: _filled(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_filled(value, values) for value in node]
    if isinstance(node, str):
        return re.sub(r"\{\{(\w+)\}\}", lambda match: values[match[1]], node)
    return node


def build_package(out: Path, env: Mapping[str, str]) -> Path:
    """Write the app zip to `out` (manifest.json, nb-no.json and the icons at its root)."""
    manifest, norwegian = build_manifest(read_settings(env))
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"),
        LOCALIZATION_FILE: json.dumps(norwegian, ensure_ascii=False, indent=2).encode("utf-8"),
        "color.png": COLOR_ICON.read_bytes(),
        "outline.png": OUTLINE_ICON.read_bytes(),
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # A fixed date: the same settings give the same zip, byte for byte.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return out


# -- the icons: drawn here, so the committed PNGs can be made again (`--icons`) ------------

Pixel = tuple[int, int, int, int]


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An RGBA PNG of `pixel(x, y)`, written with the standard library alone."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def _in_rounded(x: float, y: float, box: tuple[float, float, float, float], radius: float) -> bool:
    left, top, right, bottom = box
    nearest_x = min(max(x, left + radius), right - radius)
    nearest_y = min(max(y, top + radius), bottom - radius)
    inside_box = left <= x <= right and top <= y <= bottom
    return inside_box and (x - nearest_x) ** 2 + (y - nearest_y) ** 2 <= radius ** 2


def _in_triangle(x: float, y: float, corners: tuple[tuple[float, float], ...]) -> bool:
    (ax, ay), (bx, by), (cx, cy) = corners
    sides = [(bx - ax) * (y - ay) - (by - ay) * (x - ax), (cx - bx) * (y - by) - (cy - by) * (x - bx),
             (ax - cx) * (y - cy) - (ay - cy) * (x - cx)]
    return all(side >= 0 for side in sides) or all(side <= 0 for side in sides)


def color_icon() -> bytes:
    """The 192×192 colour icon: a white speech bubble with three dots on the accent colour."""
    white, accent = (255, 255, 255, 255), (*ACCENT, 255)

    def pixel(x: int, y: int) -> Pixel:
        cx, cy = x + 0.5, y + 0.5
        if any((cx - dot) ** 2 + (cy - 88) ** 2 <= 81 for dot in (66, 96, 126)):
            return accent
        bubble = _in_rounded(cx, cy, (36, 44, 156, 132), 22)
        return white if bubble or _in_triangle(cx, cy, ((60, 128), (50, 160), (94, 128))) else accent

    return png(192, 192, pixel)


def outline_icon() -> bytes:
    """The 32×32 outline icon: the same bubble drawn in white on transparency, as Teams requires."""
    white, clear = (255, 255, 255, 255), (0, 0, 0, 0)

    def pixel(x: int, y: int) -> Pixel:
        cx, cy = x + 0.5, y + 0.5
        if 12 <= cy <= 15 and any(dot <= cx <= dot + 3 for dot in (9.5, 14.5, 19.5)):
            return white
        ring = _in_rounded(cx, cy, (3, 5, 29, 23), 6) and not _in_rounded(cx, cy, (5, 7, 27, 21), 4)
        return white if ring or _in_triangle(cx, cy, ((8, 22), (6, 29), (14, 22))) else clear

    return png(32, 32, pixel)


def write_icons() -> None:
    """Draw the two icons again into teams/ (they are committed; run after changing the drawing)."""
    COLOR_ICON.write_bytes(color_icon())
    OUTLINE_ICON.write_bytes(outline_icon())


def main(argv: list[str] | None = None) -> int:
    """Build the package (or, with --icons, draw the icons); errors name the setting and exit 2."""
    parser = argparse.ArgumentParser(prog="teams-package", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the zip goes")
    parser.add_argument("--env-file", default=".env", help="settings file under the real environment")
    parser.add_argument("--icons", action="store_true", help="draw teams/color.png and outline.png again")
    args = parser.parse_args(argv)
    if args.icons:
        write_icons()
        print(f"teams-package: wrote {COLOR_ICON} and {OUTLINE_ICON}")
        return 0
    env = read_environment(args.env_file)
    try:
        out = build_package(args.out, env)
    except ConfigError as error:
        print(f"teams-package: {error}", file=sys.stderr)
        return 2
    if not (env.get("DIALOG_PUBLIC_URL") or "").strip():
        print(f"teams-package: DIALOG_PUBLIC_URL is empty, so the app's links point at {FALLBACK_URL} "
              "and it names no valid domain; set it and build again before uploading", file=sys.stderr)
    print(f"teams-package: wrote {out}; upload it in Teams (README: \"Connecting Microsoft Teams\")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
