"""``/users``: who may use the service. Admins manage users; anyone may ask who they are."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store
from service.deps import Admin, CurrentUser, ReadSession, ServicesDep, WriteSession
from service.models import User
from service.schemas import CaseloadMove, CaseloadMoved, RowId, UserCreate, UserOut, UserWithToken

router = APIRouter(prefix="/users", tags=["users"])


def _out(user: User) -> UserOut:
    return UserOut.model_validate(user, from_attributes=True)


def _with_token(user: User, token: str) -> UserWithToken:
    return UserWithToken(**_out(user).model_dump(), token=token)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user with id {user_id}")
    return user


@router.get("/me", summary="The caller's own user record")
def me(user: CurrentUser) -> UserOut:
    return _out(user)


@router.get("", summary="Every user (admin)")
def list_users(_: Admin, session: ReadSession) -> list[UserOut]:
    return [_out(u) for u in session.scalars(select(User).order_by(User.id))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a user; the token is in this response only (admin)",
)
def add_user(
    body: UserCreate, admin: Admin, session: WriteSession, services: ServicesDep
) -> UserWithToken:
    lifetime = body.lifetime_days or services.settings.token_lifetime_days
    user, token = store.create_user(session, body.name, body.role, lifetime, team=body.team)
    store.audit(session, admin, "user.add", user_id=user.id, role=user.role)
    session.commit()
    return _with_token(user, token)


@router.post("/{user_id}/token", summary="Issue a new token; the old one stops working (admin)")
def new_token(
    user_id: RowId, admin: Admin, session: WriteSession, services: ServicesDep
) -> UserWithToken:
    user = _user(session, user_id)
    token = store.rotate_token(session, user, services.settings.token_lifetime_days)
    user.active = True
    # Whoever held the old token may have signed in to the pages with it.
    store.end_web_sessions(session, user.id)
    store.audit(session, admin, "user.token", user_id=user.id)
    session.commit()
    return _with_token(user, token)


@router.delete("/{user_id}", summary="Revoke a user's access; their records stay (admin)")
def deactivate(user_id: RowId, admin: Admin, session: WriteSession) -> UserOut:
    if user_id == admin.id:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "an admin cannot revoke their own access; ask another admin"
        )
    user = _user(session, user_id)
    user.active = False
    store.end_web_sessions(session, user.id)
    store.audit(session, admin, "user.revoke", user_id=user.id)
    session.commit()
    return _out(user)


@router.post(
    "/{user_id}/caseload",
    summary="Move a consultant's caseload (e.g. a revoked one's) to another consultant (admin)",
    responses={409: {"description": "The other consultant already uses some of the ids"}},
)
def move_caseload(
    user_id: int, body: CaseloadMove, admin: Admin, session: WriteSession
) -> CaseloadMoved:
    source = _user(session, user_id)
    target = _user(session, body.to_user_id)
    moved = store.move_caseload(session, source, target)
    store.audit(
        session, admin, "caseload.move", user_id=source.id, to_user_id=target.id, moved=moved
    )
    session.commit()
    return CaseloadMoved(from_user_id=source.id, to_user_id=target.id, moved=moved)
