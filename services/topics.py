"""Topic proposals: any side proposes (the city, civil society, public agencies), everyone sees and
supports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries
from services.errors import Conflict, Field, InvalidInput, NotFound, raise_field_errors
from services.i18n import N_, Command, Hint, Text, text
from services.messages import TopicAnnouncement, TopicCard
from services.people import Actor, Channels, PersonRef
from services.sides import side_of
from services.workspaces import (
    Workspaces,
    audit,
    is_coordinator,
    next_number,
    organisations_of,
    require_coordinator,
)
from storage.models import (
    Delivery,
    Organisation,
    Side,
    Topic,
    TopicState,
    TopicSupport,
    Workspace,
)

if TYPE_CHECKING:
    from services.topic_moves import TopicMoves

TITLE_MIN = 3
# A title must fit everywhere it shows: headers and button texts cap at 150 characters on the
# strictest platform we serve.
TITLE_MAX = 150
DETAILS_MAX = 2000
OPEN_STATES = (TopicState.PROPOSED, TopicState.SCHEDULED)
ANNOUNCEMENT = "topic_announcement"
DECLINED = "topic_declined"
REASON_MAX = 500

_SPACES = re.compile(r"\s+")


def _fold(title: str) -> str:
    return _SPACES.sub(" ", title).strip().casefold()


@dataclass(frozen=True)
class SupportOutcome:
    """The topic after a support, and whether this support was new."""

    topic: TopicCard
    added: bool


class Topics:
    """Use cases around topic proposals."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        workspaces: Workspaces,
        planner: Deliveries,
        channels: Channels,
        moves: TopicMoves,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._planner = planner
        self._channels = channels
        # Declining is a move like any other: `TopicMoves` makes it and tells the proposer.
        self._moves = moves
        planner.register(ANNOUNCEMENT, self._compose_announcement)

    def check(self, title: str, details: str = "") -> None:
        """Refuse a title or details out of bounds, naming every field at fault at once."""
        title = _SPACES.sub(" ", title).strip()
        details = details.strip()
        errors: dict[Field, Text] = {}
        if len(title) < TITLE_MIN:
            errors[Field.TITLE] = text(
                N_("A topic needs a title of at least {min} characters, e.g. {example}."),
                min=TITLE_MIN, example=Hint(Command.PROPOSE, (text(N_("Housing for refugees | details")),)),
            )
        elif len(title) > TITLE_MAX:
            errors[Field.TITLE] = text(
                N_("The title is {length} characters long; keep it to {max} and put the "
                   "rest in the details after `|`."),
                length=len(title),
                max=TITLE_MAX,
            )
        if len(details) > DETAILS_MAX:
            errors[Field.DETAILS] = text(
                N_("The details are {length} characters long; keep them to {max}."),
                length=len(details),
                max=DETAILS_MAX,
            )
        raise_field_errors(errors)

    def propose(self, actor: Actor, title: str, details: str = "") -> TopicCard:
        """Record a new topic from `actor` and plan its announcement in the dialogue channel."""
        title = _SPACES.sub(" ", title).strip()
        details = details.strip()
        self.check(title, details)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            duplicate = session.scalar(
                select(Topic).where(
                    Topic.workspace_id == workspace.id,
                    Topic.title_key == _fold(title),
                    Topic.state.in_(OPEN_STATES),
                )
            )
            if duplicate is not None:
                raise Conflict(
                    text(
                        N_("Topic {number} “{title}” is already proposed. Support it with {support}."),
                        number=duplicate.number,
                        title=duplicate.title,
                        support=Hint(Command.SUPPORT, (str(duplicate.number),)),
                    ),
                    field=Field.TITLE,
                )
            organisations = organisations_of(session, workspace, actor.person)
            topic = Topic(
                workspace_id=workspace.id,
                number=next_number(session, workspace.id, "topic"),
                title=title,
                title_key=_fold(title),
                details=details,
                proposer_platform=actor.person.platform,
                proposer_user_id=actor.person.user_id,
                proposer_side=proposer_side(session, workspace, actor.person, organisations),
                proposer_organisation_id=organisations[0].id if organisations else None,
                state=TopicState.PROPOSED,
                created_at=now,
                updated_at=now,
            )
            session.add(topic)
            session.flush()
            channel = self._channels.of(workspace.platform)
            if channel is not None:
                self._planner.plan(
                    session,
                    workspace_id=workspace.id,
                    kind=ANNOUNCEMENT,
                    key=f"topic:{topic.id}:announce",
                    destination=channel,
                    due_at=now,
                    topic_id=topic.id,
                )
            card = _card(session, topic)
        self._planner.wake()
        return card

    def support(self, actor: Actor, number: int) -> SupportOutcome:
        """Add `actor`'s support to topic `number`; supporting twice counts once."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            topic = _find(session, workspace.id, number)
            if topic.state not in OPEN_STATES:
                raise InvalidInput(
                    text(
                        N_("Topic {number} is closed and no longer takes support. "
                           "{topics} lists the open ones."),
                        number=number, topics=Hint(Command.TOPICS),
                    )
                )
            added = False
            if not _supports(session, topic.id, actor.person):
                organisations = organisations_of(session, workspace, actor.person)
                try:
                    # A savepoint: a double click may race us to the same unique row.
                    with session.begin_nested():
                        session.add(
                            TopicSupport(
                                topic_id=topic.id,
                                platform=actor.person.platform,
                                user_id=actor.person.user_id,
                                organisation_id=organisations[0].id if organisations else None,
                                created_at=self._clock.now(),
                            )
                        )
                    added = True
                except IntegrityError:
                    added = False
            if added:
                self._refresh_announcement(session, topic.id)
            card = _card(session, topic)
        if added:
            self._planner.wake()
        return SupportOutcome(card, added)

    def open_topics(self, actor: Actor) -> list[TopicCard]:
        """Open topics, most supported first, then newest; who proposed each as `actor` may see it."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            topics = session.scalars(
                select(Topic).where(Topic.workspace_id == workspace.id, Topic.state.in_(OPEN_STATES))
            ).all()
            # Counts and proposer organisations for all topics in two queries, not two per topic.
            counts = {
                topic_id: (people, organisations)
                for topic_id, people, organisations in session.execute(
                    select(TopicSupport.topic_id, func.count(TopicSupport.id),
                           func.count(func.distinct(TopicSupport.organisation_id)))
                    .where(TopicSupport.topic_id.in_([t.id for t in topics]))
                    .group_by(TopicSupport.topic_id)
                )
            }
            names = dict(session.execute(
                select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_({t.proposer_organisation_id for t in topics
                                         if t.proposer_organisation_id}))
            ).all())
            # A coordinator's private list names the proposer beside their organisation.
            named = is_coordinator(session, workspace, actor.person)
            cards = [_card(session, topic, counts.get(topic.id, (0, 0)), names, named=named)
                     for topic in topics]
        return sorted(cards, key=lambda c: (-c.supporters, -c.number))

    def decline(self, actor: Actor, number: int, reason: str) -> TopicCard:
        """Decline a topic, with the reason; it leaves upcoming agendas and the proposer is told."""
        reason = _SPACES.sub(" ", reason).strip()
        if not 3 <= len(reason) <= REASON_MAX:
            raise InvalidInput(
                text(N_("Say why, in 3 to {max} characters: {decline}."), max=REASON_MAX,
                     decline=Hint(Command.DECLINE, (str(number), text(N_("<reason>"))))),
                field=Field.REASON,
            )
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            topic = _find(session, workspace.id, number)
            if topic.state not in OPEN_STATES:
                raise InvalidInput(
                    text(N_("Topic {number} is already closed."), number=number)
                )
            self._moves.decline(session, topic, reason)
            self._refresh_announcement(session, topic.id)
            audit(session, workspace, actor, "topic.decline", f"topic {topic.number}", self._clock,
                  reason=reason)
            card = _card(session, topic)
        self._planner.wake()
        return card

    def _refresh_announcement(self, session: Session, topic_id: int) -> None:
        """Have the topic's posted announcement re-rendered (its supporters or state changed)."""
        self._planner.refresh(session, topic_id=topic_id, kinds=(ANNOUNCEMENT,))

    def get(self, actor: Actor, number: int) -> TopicCard:
        """One topic by its number."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            return _card(session, _find(session, workspace.id, number))

    def _compose_announcement(self, session: Session, delivery: Delivery) -> TopicAnnouncement | None:
        topic = session.get(Topic, delivery.topic_id) if delivery.topic_id else None
        if topic is None:
            return None
        return TopicAnnouncement(_card(session, topic))


def proposer_side(session: Session, workspace: Workspace, person: PersonRef,
                  organisations: Sequence[Organisation]) -> Side:
    """The side a proposal comes from, the one rule for it: a coordinator speaks for the city;
    anyone else for the organisation the proposal is recorded under (their oldest on the roster):
    an observer organisation is a public agency; no organisation, or any other, is civil society."""
    if is_coordinator(session, workspace, person):
        return Side.CITY
    return side_of(organisations[0].tier) if organisations else Side.CIVIL_SOCIETY


def _find(session: Session, workspace_id: int, number: int) -> Topic:
    topic = session.scalar(
        select(Topic).where(Topic.workspace_id == workspace_id, Topic.number == number)
    )
    if topic is None:
        raise NotFound(
            text(
                N_("There is no topic {number}. {topics} lists the open ones."),
                number=number, topics=Hint(Command.TOPICS),
            )
        )
    return topic


def _supports(session: Session, topic_id: int, person: PersonRef) -> bool:
    return (
        session.scalar(
            select(TopicSupport.id).where(
                TopicSupport.topic_id == topic_id,
                TopicSupport.platform == person.platform,
                TopicSupport.user_id == person.user_id,
            )
        )
        is not None
    )


def card_of(session: Session, topic: Topic) -> TopicCard:
    """The plain view of a topic, with its supporters counted, as anyone may see it."""
    return _card(session, topic)


def _card(session: Session, topic: Topic, counts: tuple[int, int] | None = None,
          names: dict[int, str] | None = None, *, named: bool = False) -> TopicCard:
    """The topic as a reader sees it. Unless `named` (a coordinator's private view), a proposer who
    speaks for an organisation is shown as that organisation only: who represents whom is for
    coordinators (docs/privacy.md). Someone without an organisation is shown as themselves."""
    if counts is None:
        counts = session.execute(
            select(
                func.count(TopicSupport.id), func.count(func.distinct(TopicSupport.organisation_id))
            ).where(TopicSupport.topic_id == topic.id)
        ).one()
    supporters, organisations = counts
    if names is not None:
        organisation_name = names.get(topic.proposer_organisation_id or 0)
    else:
        found = (session.get(Organisation, topic.proposer_organisation_id)
                 if topic.proposer_organisation_id else None)
        organisation_name = found.name if found else None
    return TopicCard(
        number=topic.number,
        title=topic.title,
        details=topic.details,
        state=topic.state.value,
        proposer=(PersonRef(topic.proposer_platform, topic.proposer_user_id)
                  if named or organisation_name is None else None),
        proposer_side=topic.proposer_side,
        proposer_organisation=organisation_name,
        supporters=supporters,
        supporting_organisations=organisations,
        created_at=topic.created_at,
        state_reason=topic.state_reason,
    )
