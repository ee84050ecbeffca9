"""API operations for the signed-in user, their tokens and the institutions directory."""


from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from alianza.accounts import authz, selectors, services
from alianza.api.schemas import ErrorOut, InputSchema
from alianza.api.security import request_user

router = Router(tags=["accounts"])
ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class InstitutionOut(Schema):
    id: int
    name: str
    short_name: str
    type: str
    country: str


class MeOut(Schema):
    username: str
    role: str
    institution: InstitutionOut | None
    permissions: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str = Field(..., description="Shown once; store it safely. Only a digest is kept.")


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> MeOut:
    """The signed-in user, their institution and the permissions their role grants."""
    user = request_user(request)
    return MeOut(
        username=user.username,
        role=user.role,
        institution=user.institution,
        permissions=sorted(authz.permissions_of(user)),
    )


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def token_list(request: HttpRequest) -> list[TokenOut]:
    """The caller's own API tokens (never the secrets)."""
    return list(selectors.api_token_list(acting_user=request_user(request)))  # type: ignore[arg-type]


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Issue a new token for the caller. The secret is in this response only."""
    issued = services.api_token_create(
        acting_user=request_user(request), name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, TokenCreatedOut(token=issued.token, secret=issued.secret))  # type: ignore[arg-type]


@router.post("/tokens/{token_id}/revoke", response={200: TokenOut, **ERRORS})
def token_revoke(request: HttpRequest, token_id: int) -> TokenOut:
    """Revoke one of the caller's tokens; it stops working at once."""
    return services.api_token_revoke(acting_user=request_user(request), token_id=token_id)  # type: ignore[return-value]


@router.get("/institutions", response={200: list[InstitutionOut], **ERRORS})
def institution_list(request: HttpRequest) -> list[InstitutionOut]:
    """The directory of active institutions."""
    return list(selectors.institution_list())  # type: ignore[arg-type]
