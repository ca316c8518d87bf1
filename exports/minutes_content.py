"""The minutes as a document's content: the same headings, facts, paragraphs, lists and table for
every format (exports/minutes_pdf.py, exports/minutes_docx.py), in the minutes' language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.dates import format_date, format_time

from services.enums import FollowUpStatus, MinutesState, Side
from services.i18n import N_, Translator, translator
from services.messages import ActionItemView
from services.minutes_archive import ArchivedMinutes, Presence

_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
STATUS_WORDS = {
    FollowUpStatus.OPEN: N_("open"),
    FollowUpStatus.IN_PROGRESS: N_("in progress"),
    FollowUpStatus.DONE: N_("done"),
}


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs, a bulleted list and/or a table (its first row the header)."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Content:
    """A whole document: its title, the facts under it (label, value), the sections, a closing line."""

    language: str
    title: str
    subject: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    closing: str = ""


def owner_words(t: Translator, item: ActionItemView) -> str:
    """Who owns a follow-up point: the city, an organisation, or a public agency (marked as one)."""
    if item.owner is None:
        return t.gettext("the city")
    if item.owner_side == Side.AGENCY:
        return t.gettext("{name} (public agency)").format(name=item.owner)
    return item.owner


def status_word(t: Translator, status: FollowUpStatus) -> str:
    """A follow-up point's status in words."""
    return t.gettext(STATUS_WORDS[status])


def minutes_content(archived: ArchivedMinutes) -> Content:
    """The archive's document of a meeting's minutes."""
    t = translator(archived.language)
    locale = _LOCALES.get(t.language, "en_GB")
    view = archived.minutes
    card = view.meeting

    def when(moment: datetime) -> str:
        local = moment.astimezone(archived.zone)
        day = format_date(local.date(), "long", locale=locale)
        return f"{day} {format_time(local, 'short', locale=locale)}"

    start = card.starts_at.astimezone(archived.zone)
    end = start + timedelta(minutes=card.duration_minutes)
    facts = [
        (t.gettext("Meeting"), f"{card.number}. {card.title}"),
        (t.gettext("Date"), format_date(start.date(), "full", locale=locale)),
        (t.gettext("Time"), f"{format_time(start, 'short', locale=locale)}–"
                            f"{format_time(end, 'short', locale=locale)} ({archived.zone.key})"),
        (t.gettext("Chair"), card.chair or t.gettext("not recorded")),
        (t.gettext("Status"), t.gettext("final") if view.state == MinutesState.FINAL
         else t.gettext("draft for comments")),
    ]
    if archived.workspace:
        facts.insert(0, (t.gettext("Dialogue"), archived.workspace))
    sections = [
        Section(t.gettext("Participants by organisation"), bullets=_presence(t, archived.participants)
                or (t.gettext("none"),)),
        Section(t.gettext("Observers"), bullets=_presence(t, archived.observers) or (t.gettext("none"),)),
        Section(t.gettext("Agenda"), bullets=tuple(f"{title} (#{number})" for number, title in card.agenda)
                or (t.gettext("No topics were on the agenda."),)),
    ]
    if card.talks:
        sections.append(Section(t.gettext("Talks"), bullets=tuple(
            t.gettext("{speaker}: {subject} ({minutes} min)").format(
                speaker=talk.speaker + (f", {talk.organisation}" if talk.organisation else ""),
                subject=talk.subject, minutes=talk.minutes)
            for talk in card.talks)))
    sections.append(Section(t.gettext("Summary"), paragraphs=_paragraphs(view.summary)))
    if view.decisions:
        sections.append(Section(t.gettext("Main points"), paragraphs=_paragraphs(view.decisions)))
    if view.discussed:
        sections.append(Section(t.gettext("Topics discussed"),
                                bullets=tuple(f"{title} (#{number})" for number, title in view.discussed)))
    if view.action_items:
        header = (t.gettext("No."), t.gettext("What"), t.gettext("Owner"), t.gettext("Due"),
                  t.gettext("Status"))
        rows = tuple((item.ref, item.description, owner_words(t, item),
                      format_date(item.due_on, "long", locale=locale), status_word(t, item.status))
                     for item in view.action_items)
        sections.append(Section(t.gettext("Follow-up points"), table=(header, *rows)))
    closing = t.gettext("Written {written}, version {version}.").format(written=when(archived.written_at),
                                                                       version=view.version)
    if archived.final_at is not None:
        closing += " " + t.gettext("Final since {final}.").format(final=when(archived.final_at))
    if archived.comments:
        closing += " " + t.ngettext("{count} comment was received on the draft.",
                                    "{count} comments were received on the draft.",
                                    archived.comments).format(count=archived.comments)
    return Content(
        language=t.language,
        title=t.gettext("Minutes: {title}").format(title=card.title),
        subject=t.gettext("Minutes of dialogue meeting {number}").format(number=card.number),
        facts=tuple(facts), sections=tuple(sections), closing=closing,
    )


def file_name(archived: ArchivedMinutes, extension: str) -> str:
    """A file name for the archive: `minutes-3-2026-03-16.pdf` (`referat-…` in Norwegian)."""
    start = archived.minutes.meeting.starts_at.astimezone(archived.zone).date()
    stem = "referat" if archived.language == "nb" else "minutes"
    return f"{stem}-{archived.minutes.meeting.number}-{start.isoformat()}.{extension}"


def _presence(t: Translator, organisations: tuple[Presence, ...]) -> tuple[str, ...]:
    def line(o: Presence) -> str:
        if not o.present:
            return t.gettext("{name}: not present").format(name=o.name)
        return t.ngettext("{name}: {count} person present", "{name}: {count} people present",
                          o.present).format(name=o.name, count=o.present)

    return tuple(line(o) for o in organisations)


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())
