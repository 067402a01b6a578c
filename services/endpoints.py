"""HTTP edge of services beyond placements: the area's actor map and the referrals of a client."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from api.deps import CurrentPrincipal, DbConn
from api.http import (
    Paging,
    etag_for,
    idempotent_create,
    page,
    rendered_reply,
    request_fingerprint,
    required_version,
    with_etag,
)
from api.problems import problem_responses
from core.paging import Page
from jobseekers.audit import DEFAULT_REASON, MAX_REASON, record_access
from services import providers, referrals
from services.schemas import Provider, ProviderIn, ProviderUpdate, Referral, ReferralIn, ReferralUpdate

router = APIRouter(tags=["services"])

Version = Annotated[int, Depends(required_version)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Reason = Annotated[
    str,
    Query(
        min_length=1, max_length=MAX_REASON, description="Why the data is read (recorded in the audit log)"
    ),
]


def _created(row: dict[str, Any], location: str) -> tuple[int, Any, dict[str, str]]:
    return 201, row, {"ETag": etag_for(row["version"]), "Location": location}


@router.get("/service-providers", response_model=Page[Provider], responses=problem_responses(401, 403, 422))
def list_providers(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    archived: Annotated[bool, Query(description="Include archived providers")] = False,
) -> dict[str, Any]:
    """The area's actor map: its service providers by name, with what each offers (staff)."""
    items, total = providers.list_providers(conn, principal, include_archived=archived, page=params)
    return page(items, total, params)


@router.post(
    "/service-providers",
    status_code=201,
    responses=rendered_reply(Provider, 201) | problem_responses(401, 403, 409, 413, 422),
)
def create_provider(
    body: ProviderIn, request: Request, principal: CurrentPrincipal, conn: DbConn, key: IdempotencyKey = None
) -> JSONResponse:
    """Add a service provider and its services to the area's map (admins, coordinators)."""
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = providers.create_provider(conn, principal, body)
        return _created(row, f"/api/v1/service-providers/{row['id']}")

    return idempotent_create(conn, principal, key, fingerprint, produce)


@router.get(
    "/service-providers/{provider_id}",
    response_model=Provider,
    responses=problem_responses(401, 403, 404, 422),
)
def get_provider(
    provider_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """One provider of the area's map (staff)."""
    return with_etag(response, providers.get_provider(conn, principal, provider_id))


@router.patch(
    "/service-providers/{provider_id}",
    response_model=Provider,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_provider(
    provider_id: int,
    body: ProviderUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Change or archive a provider (admins, coordinators); needs If-Match."""
    return with_etag(response, providers.update_provider(conn, principal, provider_id, version, body))


@router.post(
    "/jobseekers/{jobseeker_id}/referrals",
    status_code=201,
    responses=rendered_reply(Referral, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def refer(
    jobseeker_id: int,
    body: ReferralIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Refer the client to a service of a provider of the area, with start and optionally end and
    outcome: the own caseworker only (403 for other roles)."""
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = referrals.refer(conn, principal, jobseeker_id, body, reason)
        return _created(row, f"/api/v1/referrals/{row['id']}")

    def audit(_body: Any) -> None:  # a replay discloses the referral again: audited like the first
        record_access(conn, principal, [jobseeker_id], "referral_replay", reason)

    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/jobseekers/{jobseeker_id}/referrals",
    response_model=Page[Referral],
    responses=problem_responses(401, 403, 404, 422),
)
def list_referrals(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """The client's referrals, newest first (whoever may see the jobseeker)."""
    items, total = referrals.list_referrals(conn, principal, jobseeker_id, reason, params)
    return page(items, total, params)


@router.patch(
    "/referrals/{referral_id}",
    response_model=Referral,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_referral(
    referral_id: int,
    body: ReferralUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Record a referral's start, end or outcome (own caseworker); needs If-Match."""
    row = referrals.update_referral(conn, principal, referral_id, version, body, reason)
    return with_etag(response, row)
