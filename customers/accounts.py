"""People who sign in to the HTML pages: loading them and checking passwords."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from customers.extensions import db, login_manager
from customers.models import User

# Checked against when the name is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("no such user")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in person kept in the session."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def authenticate(name: str, password: str) -> User | None:
    """The person with this name and password, or None (the same time either way)."""
    user = db.session.execute(db.select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def create_user(name: str, password: str) -> User:
    """Store a new person with a hashed password."""
    user = User(name=name, password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user
