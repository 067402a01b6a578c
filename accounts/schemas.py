"""What crosses HTTP for areas, users and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from accounts.models import Role
from core.text import non_blank


class Strict(BaseModel):
    """Base of every request body: unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenRequest(Strict):
    email: str = Field(min_length=3, max_length=254, pattern=non_blank(3))
    password: str = Field(min_length=1, max_length=200, pattern=non_blank())


class TokenResponse(BaseModel):
    """A bearer token: send it as ``Authorization: Bearer <access_token>`` until it expires."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    role: Role


class UserCreate(Strict):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    display_name: str = Field(min_length=1, max_length=200, pattern=non_blank())
    role: Role
    password: str = Field(min_length=8, max_length=200, pattern=non_blank(8))
    employer_id: int | None = None


class MunicipalityAdd(Strict):
    municipality: str = Field(min_length=1, max_length=100, pattern=non_blank())


class Me(BaseModel):
    """Who a token belongs to."""

    user_id: int
    area_id: int
    role: Role
    display_name: str
    employer_id: int | None = Field(description="The employer an employer user speaks for")


class Area(BaseModel):
    """An employment area and its municipalities."""

    id: int
    name: str
    created_at: datetime
    municipalities: list[str]


class User(BaseModel):
    id: int
    area_id: int
    email: str
    display_name: str
    role: Role
    employer_id: int | None
    active: bool
    created_at: datetime


class UserUpdate(Strict):
    """What an admin changes of a user; a field left out stays as it is. ``active: false`` deactivates
    the user and ends their sessions and tokens at once."""

    display_name: str | None = Field(None, min_length=1, max_length=200, pattern=non_blank())
    email: str | None = Field(None, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    role: Role | None = None
    employer_id: int | None = Field(None, description="The employer of an employer user (null clears it)")
    active: bool | None = None


class ResetLinkReply(BaseModel):
    """A one-time password reset link: give it to the user; it opens once, until ``expires_at``."""

    url: str
    expires_at: datetime


class PasswordReset(Strict):
    """Set a new password with the token of a reset link."""

    token: str = Field(min_length=1, max_length=200, pattern=non_blank())
    new_password: str = Field(min_length=8, max_length=200, pattern=non_blank(8))


class PasswordChange(Strict):
    """Change one's own password: the current one, and the new one (8 to 200 characters)."""

    current_password: str = Field(min_length=1, max_length=200, pattern=non_blank())
    new_password: str = Field(min_length=8, max_length=200, pattern=non_blank(8))
