from sqlalchemy import func, select

from chekara.config import get_settings
from chekara.db.models import ApiToken, AuditEntry, Checkpoint, Corridor, ExchangeRate
from chekara.domain.roles import Actor
from chekara.services.seed import seed_reference_data
from chekara.services.tokens import create_token, revoke_token


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Checkpoint, Corridor, ExchangeRate, AuditEntry)
    )


def test_seeding_again_changes_nothing(db_session):
    before = _counts(db_session)
    outcomes = seed_reference_data(db_session, get_settings().geodata_dir)
    db_session.commit()
    assert _counts(db_session) == before
    assert set(k.split()[-1] for k in outcomes) == {"unchanged"}
    assert before[0] >= 14 and before[1] >= 4 and before[2] == 3


def test_tokens_are_stored_only_as_a_keyed_hash(db_session):
    issued = create_token(db_session, get_settings(), "hash-check", "officer", Actor("t", "admin"))
    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert issued.token.startswith("chk_") and len(issued.token) > 40
    assert all(issued.token not in h and issued.token[4:] not in h for h in stored)


def test_revoked_token_is_refused(client, db_session):
    issued = create_token(db_session, get_settings(), "short-lived", "operator", Actor("t", "admin"))
    db_session.commit()
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/api/v1/checkpoints", headers=headers).status_code == 200
    revoke_token(db_session, issued.token_id, Actor("t", "admin"))
    db_session.commit()
    assert client.get("/api/v1/checkpoints", headers=headers).status_code == 401


def test_health_checks_the_database(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["postgis"].startswith("3.")
    assert body["schema_revision"]
