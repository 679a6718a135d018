"""Partners (neighbouring customs systems) and their webhooks, registered by an admin.

A partner acts through API tokens of its own user, named like the partner's
code, with the role ``partner``: registration creates that user and its
first token (shown once). A partner has at most one webhook, so its events
go out in one order; changing the URL, types or secret keeps its place in
the outbox and its pending deliveries.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.config import Settings
from chekara.db.models import Partner, User, Webhook
from chekara.domain.exchange import EVENT_TYPES
from chekara.domain.roles import Actor, Role
from chekara.errors import Conflict, Forbidden, InvalidInput, NotFound
from chekara.services import audit, outbox
from chekara.services.tokens import IssuedToken, create_token

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
#: A shared secret shorter than this is refused: it signs what a partner will act on.
MIN_SECRET_LENGTH = 16


def register_partner(
    session: Session, settings: Settings, code: str, name: str, country: str, actor: Actor
) -> tuple[Partner, IssuedToken]:
    """A new partner, its user (role partner) and its first token. The caller commits."""
    code = code.strip().upper()
    if not _CODE.match(code):
        raise InvalidInput("code is 2-20 letters, digits and dashes, e.g. KZ-KGD", field="code")
    if not name.strip():
        raise InvalidInput("name must not be blank", field="name")
    country = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidInput("country is an ISO 3166-1 alpha-2 code, e.g. KZ", field="country")
    if session.scalar(select(Partner.id).where(Partner.code == code)) is not None:
        raise Conflict(f"partner {code} is already registered", field="code")
    issued = create_token(session, settings, code, Role.partner.value, actor)
    user = session.scalar(select(User).where(User.name == code))
    partner = Partner(code=code, name=name.strip(), country=country, user_id=user.id, active=True)
    session.add(partner)
    session.flush()
    audit.record(session, actor, "create", "partner", partner.id, {"code": code, "name": partner.name, "country": country})
    return partner, issued


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.code)))


def get_partner(session: Session, code: str) -> Partner:
    partner = session.scalar(select(Partner).where(Partner.code == code.strip().upper()))
    if partner is None:
        raise NotFound(f"no partner {code!r}", field="code")
    return partner


def partner_of(session: Session, actor: Actor) -> Partner:
    """The registered, active partner behind a partner token; 403 for anyone else."""
    partner = session.scalar(select(Partner).join(Partner.user).where(User.name == actor.name))
    if partner is None or actor.role != Role.partner.value:
        raise Forbidden(f"{actor.name!r} is not a registered partner", field="Authorization")
    if not partner.active:
        raise Forbidden(f"partner {partner.code} is suspended", field="Authorization")
    return partner


def _checked_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url is an http(s) URL with a host", field="url")
    return url


def _checked_types(event_types: list[str]) -> list[str]:
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(f"unknown event types {unknown}; the types are {', '.join(EVENT_TYPES)}", field="event_types")
    return sorted(set(event_types))


def put_webhook(
    session: Session, partner: Partner, url: str, event_types: list[str], secret: str | None, actor: Actor
) -> tuple[Webhook, str | None]:
    """Create or change the partner's webhook; (webhook, the secret when it is new or changed, to show once).

    A new webhook starts at the newest event: what came before is in the pull API.
    """
    url = _checked_url(url)
    types = _checked_types(event_types)
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise InvalidInput(f"secret must be at least {MIN_SECRET_LENGTH} characters", field="secret")
    webhook = session.scalar(select(Webhook).where(Webhook.partner_id == partner.id).with_for_update(of=Webhook))
    shown = secret
    if webhook is None:
        shown = secret or secrets.token_urlsafe(32)
        webhook = Webhook(partner_id=partner.id, url=url, event_types=types, secret=shown, active=True,
                          cursor_seq=outbox.head(session))
        session.add(webhook)
        action = "create"
    else:
        webhook.url, webhook.event_types, webhook.active = url, types, True
        if secret is not None:
            webhook.secret = secret
        action = "update"
    session.flush()
    audit.record(session, actor, action, "webhook", webhook.id, {
        "partner": partner.code, "url": url, "event_types": types, "secret_changed": shown is not None,
        "cursor_seq": webhook.cursor_seq,
    })
    return webhook, shown


def deactivate_webhook(session: Session, partner: Partner, actor: Actor) -> Webhook:
    """Stop pushing to the partner; its place in the outbox is kept for when it is put back."""
    webhook = session.scalar(select(Webhook).where(Webhook.partner_id == partner.id).with_for_update(of=Webhook))
    if webhook is None:
        raise NotFound(f"partner {partner.code} has no webhook", field="code")
    webhook.active = False
    session.flush()
    audit.record(session, actor, "deactivate", "webhook", webhook.id, {"partner": partner.code})
    return webhook
