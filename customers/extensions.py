"""Flask extensions, created unbound here and bound in the factory (app.py)."""
from __future__ import annotations

from pathlib import Path

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


def modelled(name: str | None, kind: str, _parents: object) -> bool:
    """Whether autogenerate compares this object with the models: not the search index's
    tables, which are the database's own (customers.search_index.OWN_TABLES)."""
    return not (kind == "table" and name is not None and name.startswith("customer_search"))


migrate = Migrate(directory=str(Path(__file__).parent / "migrations"), include_name=modelled)
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
