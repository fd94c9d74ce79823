"""Opening cases from registrations, a consumer batch at a time (ADR 0013), on a real SQLite file:
a batch must open, assign and audit exactly what the same events open one at a time."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from curation import service
from curation.app import MIGRATIONS
from curation.schemas import CuratorCreate
from curation.settings import CurationSettings
from curation.tables import Assignment, AuditEntry, Case, ConflictDeclaration, Curator, OutboxEvent
from shared.db import make_engine, migrate, session_scope
from shared.events import IkmRegisteredV1, ProductInfo, new_event, utcnow
from shared.outbox import OutboxRelay

SETTINGS = CurationSettings(SENTRA_PANEL_SIZE=2, SENTRA_MAX_OPEN_CASES=5)  # type: ignore[call-arg]


def migrated(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, MIGRATIONS)
    return engine


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    pair = migrated(tmp_path / "batch.db"), migrated(tmp_path / "one_by_one.db")
    yield pair
    for engine in pair:
        engine.dispose()


def registrations() -> list[IkmRegisteredV1]:
    return [IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=f"UD {i}", sector=("kriya", "kuliner")[i % 2],
                            regency_code="5104", district_code="5104010", village_code="5104010007", workers=3,
                            products=[ProductInfo(product_id=uuid.uuid4(), name=f"Produk {i}.{k}")
                                      for k in range(1 + i % 2)]) for i in range(8)]


def prepare(engine: Engine, earlier: IkmRegisteredV1) -> None:
    """Four curators (caps of 5, so some cases wait), one of whom declared a conflict with an IKM
    on the case of its earlier product."""
    with session_scope(engine) as session:
        for name, sectors in (("ayu", ["kriya"]), ("bagus", ["kriya", "kuliner"]), ("citra", ["kuliner"]),
                              ("dewa", ["kriya"])):
            service.register_curator(session, CuratorCreate(username=name, full_name=name.title(),
                                                            sectors=sectors), SETTINGS.max_open_cases)
    with session_scope(engine) as session:
        [case_id] = service.open_cases_for_registrations(session, [(new_event("ikm.registered", earlier), earlier)],
                                                         SETTINGS)
        ayu = session.exec(select(Curator).where(Curator.username == "ayu")).one()
        session.add(ConflictDeclaration(curator_id=ayu.id, ikm_id=earlier.ikm_id, case_id=case_id,
                                        reason="family", declared_at=utcnow()))


def outcome(engine: Engine) -> tuple[list[tuple[str, int, list[str]]], Counter[str], int]:
    """Per case (by product name): round and curators; audit actions; outbox rows."""
    with Session(engine) as session:
        names = {c.id: c.username for c in session.exec(select(Curator)).all()}
        curators: dict[uuid.UUID, list[str]] = {}
        for a in session.exec(select(Assignment)).all():
            curators.setdefault(a.case_id, []).append(names[a.curator_id])
        cases = sorted((c.product_name, c.round, sorted(curators.get(c.id, [])))
                       for c in session.exec(select(Case)).all())
        actions = Counter(a.action for a in session.exec(select(AuditEntry)).all())
        events = len(session.exec(select(OutboxEvent)).all())
    return cases, actions, events


def test_a_batch_opens_assigns_and_audits_what_one_event_at_a_time_does(engines: tuple[Engine, Engine]) -> None:
    batch, one_by_one = engines
    regs = registrations()
    events = [(new_event("ikm.registered", r), r) for r in regs]
    events.append(events[0])  # a registration seen again (another event id: a second upload) opens nothing
    events[-1] = (new_event("ikm.registered", regs[0]), regs[0])
    earlier = regs[2].model_copy(update={"products": [ProductInfo(product_id=uuid.uuid4(), name="Produk lama")]})
    for engine in engines:
        prepare(engine, earlier)
    with session_scope(batch) as session:
        service.open_cases_for_registrations(session, events, SETTINGS)
    for envelope, payload in events:
        with session_scope(one_by_one) as session:
            service.open_cases_for_registrations(session, [(envelope, payload)], SETTINGS)

    cases, actions, published = outcome(batch)
    assert (cases, actions, published) == outcome(one_by_one)
    assert len(cases) == 1 + sum(len(r.products) for r in regs) == published
    assert actions["resubmission_ignored"] == 1  # the repeated registration's product is still open
    by_product = {name: who for name, _, who in cases}
    assert "ayu" not in by_product["Produk 2.0"]  # declared a conflict with that IKM
    loads = Counter(who for _, _, names in cases for who in names)
    assert max(loads.values()) <= SETTINGS.max_open_cases
    assert any(len(who) < SETTINGS.panel_size for who in by_product.values())  # some wait for room


@pytest.fixture
def counted(engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """The first engine prepared, and one entry per count of every curator's open assignments."""
    prepare(engines[0], registrations()[0])
    calls: list[None] = []
    real = service.curator_loads
    monkeypatch.setattr(service, "curator_loads", lambda *a: calls.append(None) or real(*a))
    return calls


def test_loads_carry_over_to_the_next_batch_until_a_request_commits(engines: tuple[Engine, Engine],
                                                                   counted: list[None]) -> None:
    """A trickle of small batches does not recount every open assignment each time; a commit
    elsewhere in the process (here: a curator registered) makes the next batch count again."""
    engine, _ = engines
    regs = registrations()
    for reg in regs[:4]:
        with session_scope(engine) as session:
            service.open_cases_for_registrations(session, [(new_event("ikm.registered", reg), reg)], SETTINGS)
    assert counted == []  # read once by `prepare`'s batch, then carried from batch to batch
    with session_scope(engine) as session:
        service.register_curator(session, CuratorCreate(username="eka", full_name="Eka", sectors=["kuliner"]),
                                 SETTINGS.max_open_cases)
    with session_scope(engine) as session:
        service.open_cases_for_registrations(session, [(new_event("ikm.registered", regs[5]), regs[5])], SETTINGS)
    assert len(counted) == 1  # the request's commit dropped what was carried
    with Session(engine) as session:
        names = {c.id: c.username for c in session.exec(select(Curator)).all()}
        loads = Counter(names[a.curator_id] for a in session.exec(select(Assignment)).all())
    assert max(loads.values()) <= SETTINGS.max_open_cases  # carried loads kept counting the batches' own
    assert loads["eka"] == len(regs[5].products)  # the new curator was seen at once (a kuliner IKM)


def test_the_outbox_relay_marking_events_sent_keeps_the_carried_loads(engines: tuple[Engine, Engine],
                                                                      counted: list[None]) -> None:
    """The relay commits after every pass; it touches only outbox rows, so it must not make every
    batch count all open assignments again."""
    engine, _ = engines
    regs = registrations()
    relay = OutboxRelay(engine, redis=None, batch=10)  # type: ignore[arg-type]  # _mark needs no Redis
    for reg in regs[:3]:
        with session_scope(engine) as session:
            service.open_cases_for_registrations(session, [(new_event("ikm.registered", reg), reg)], SETTINGS)
        relay._mark([1])
    assert counted == []
