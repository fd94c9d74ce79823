"""Mapping profiles: a registrar's column and value mapping saved under a name and proposed again
for the next file with the same columns (docs/import-format.md, "Preview and mapping")."""

from __future__ import annotations

from sqlmodel import Session, col, select

from registry.import_mapping import Mapping
from registry.tables import MappingProfile
from shared.auth import Principal
from shared.events import utcnow


def proposed(session: Session, columns_key: str) -> MappingProfile | None:
    """The profile saved last for files with these columns."""
    return session.exec(select(MappingProfile).where(MappingProfile.columns_key == columns_key)
                        .order_by(col(MappingProfile.updated_at).desc()).limit(1)).first()


def save(session: Session, name: str, columns_key: str, mapping: Mapping, principal: Principal) -> MappingProfile:
    """Keep `mapping` under `name`; a profile of that name is replaced (the name says what it is for)."""
    now = utcnow()
    profile = session.exec(select(MappingProfile).where(MappingProfile.name == name)).first()
    if profile is None:
        profile = MappingProfile(name=name, columns_key=columns_key, mapping=mapping.to_json(),
                                 created_by=principal.username, created_at=now, updated_at=now)
    else:
        profile.columns_key, profile.mapping, profile.updated_at = columns_key, mapping.to_json(), now
    session.add(profile)
    return profile
