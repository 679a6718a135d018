"""Users, their API tokens and the event stream's tickets. Only a keyed hash of a token or ticket is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chekara.db.models.base import Base

from chekara.domain.roles import ROLES


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: HMAC-SHA256 of the token under CHEKARA_SECRET_KEY, hex.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, to tell tokens apart in listings.
    prefix: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


class StreamTicket(Base):
    """A single-use, short-lived ticket that opens one event stream (browsers' EventSource sends no
    Authorization header, and a bearer token in a URL ends up in access logs).

    Kept in the database so that every server process honours a ticket once, whichever receives it.
    """

    __tablename__ = "stream_tickets"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: HMAC-SHA256 of the ticket under CHEKARA_SECRET_KEY, hex.
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token it was issued for: revoking the token voids its unused tickets.
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    #: Database time, so that server processes with different clocks agree.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
