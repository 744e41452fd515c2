"""People who sign in to the HTML pages: loading them, passwords, roles, ending sessions."""
from __future__ import annotations

from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from customers.credentials import name_key, name_problem, password_problem
from customers.extensions import db, login_manager
from customers.models import User, utcnow
from customers.roles import DEFAULT_ROLE, ROLES

# Checked against when the name is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("no such user")


class AccountError(ValueError):
    """A person cannot be created or changed so; the message says why, in one line."""


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The signed-in person kept in the session, if that session has not been ended."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and generation.isascii()
            and generation.isdigit()):
        return None  # includes cookies from before sessions had generations
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or str(user.session_generation) != generation:
        return None
    return user


def authenticate(name: str, password: str) -> User | None:
    """The active person with this name and password, or None (the same time either way)."""
    user = find_user(name)
    if user is None or not user.is_active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def nobody_yet() -> bool:
    """Whether no person exists at all (a first run: the sign-in page says what to do)."""
    return db.session.execute(db.select(User.id).limit(1)).first() is None


def find_user(name: str) -> User | None:
    """The person of this exact name, or None."""
    return db.session.execute(db.select(User).where(User.name == name)).scalar_one_or_none()


def existing_user(name: str) -> User:
    """The person of this name; AccountError when there is none."""
    user = find_user(name)
    if user is None:
        raise AccountError(f"no person named {name!r}")
    return user


def create_user(name: str, password: str, role: str = DEFAULT_ROLE) -> User:
    """Store a new person with a hashed password, after checking every rule."""
    problem = name_problem(name) or password_problem(password, new=True) or _role_problem(role)
    if problem:
        raise AccountError(problem)
    key = name_key(name)
    if any(name_key(other) == key for other in db.session.scalars(db.select(User.name))):
        raise AccountError(f"a person named {name!r} (or a name that differs only in case or "
                           "spacing) exists already")
    user = User(name=name, password_hash=generate_password_hash(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """A new password; every session of the person ends."""
    problem = password_problem(password, new=True)
    if problem:
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def set_role(user: User, role: str) -> None:
    """A new role, in force from the person's next request."""
    problem = _role_problem(role)
    if problem:
        raise AccountError(problem)
    user.role = role
    db.session.commit()


def disable(user: User) -> None:
    """The person can no longer sign in, and every session of theirs ends."""
    user.disabled_at = user.disabled_at or utcnow()
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session of the person, on every worker and host, at their next request."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_generation=User.session_generation + 1))
    db.session.commit()
    db.session.refresh(user)


def _role_problem(role: str) -> str | None:
    """Why `role` is not a role; None when it is."""
    return None if role in ROLES else f"a role is one of {', '.join(ROLES)}, not {role!r}"
