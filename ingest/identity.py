"""The identity of a deployment, kept in its database, and the task queue named after it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ingest.models import InstanceIdentity


def instance_id(session: Session) -> str:
    """This database's identity (made by migration 0006; made here if the row is missing)."""
    found = session.scalar(select(InstanceIdentity.instance_id).where(InstanceIdentity.id == 1))
    if found:
        return found
    made = str(uuid.uuid4())
    session.add(InstanceIdentity(id=1, instance_id=made))
    session.flush()
    return made


def renew_instance_id(session: Session) -> str:
    """A new identity: a restored copy is another deployment than the one it was taken from."""
    instance_id(session)
    made = str(uuid.uuid4())
    session.execute(
        update(InstanceIdentity).where(InstanceIdentity.id == 1).values(instance_id=made)
    )
    return made


def queue_name(identity: str) -> str:
    """Each deployment's tasks travel on their own queue of the (possibly shared) broker."""
    return f"secor.{identity}"
