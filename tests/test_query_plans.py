"""Filters on uuid, referenceId and the id stay index lookups, whichever spelling or place the
query language gives them: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL, for the
page and the count, on 20,000 analysed records."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from customers import qs, search_index
from customers.extensions import db
from customers.pages.forms import choice_label
from customers.pages.page_search import enum_labels
from customers.pages.page_search import page_search as search_page
from customers.pages.trash import trash_by_deletion
from customers.query import parse

# 20,000 records; 10 share each referenceId, uuids are unique, a third of each gender and
# half of them single, half married.
ENUMS = ("(CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'other' END), "
         "(CASE i % 2 WHEN 0 THEN 'single' ELSE 'married' END)")
SEED = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
              "INSERT INTO customers (uuid, reference_id, gender, marital_status, published_at, "
              f"updated_at, version) SELECT 'u-' || i, 'R-' || (i % 2000), {ENUMS}, "
              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1 FROM n",
    "postgresql": "INSERT INTO customers (uuid, reference_id, gender, marital_status, published_at, "
                  f"updated_at, version) SELECT 'u-' || i, 'R-' || (i % 2000), {ENUMS}, now(), "
                  "now(), 1 FROM generate_series(1, 20000) AS i",
}
# A lookup by id: the primary key, or on PostgreSQL as well the partial index of the live
# records by id (migration 0006), which answers `id = 5 AND deleted_at IS NULL` as directly.
PRIMARY_KEY = {"sqlite": ("INTEGER PRIMARY KEY",), "postgresql": ("customers_pkey", "ix_customers_live")}
UUID, REFERENCE = "ix_customers_uuid", "ix_customers_reference_id"


@pytest.fixture
def analysed(app):
    """The app, its database seeded and analysed, and the dialect's name."""
    with app.app_context():
        dialect = db.engine.dialect.name
        db.session.execute(text(SEED[dialect]))
        search_index.rebuild(db.session.connection())  # the seed was written around the service
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return app, dialect


def plans(app, dialect: str, query: str, settings: tuple[str, ...] = (),
          page_search: str | None = None) -> list[str]:
    """The plans of the page and of the count that this query string makes (after these
    `SET LOCAL`s of PostgreSQL's), with the list page's search of `page_search` if given (in
    a request: the page's labels are in its language)."""
    with app.test_request_context():
        for setting in settings:
            db.session.execute(text(f"SET LOCAL {setting}"))
        listing = parse(qs.split(query.encode()), 100, 1000)
        if page_search is not None:
            plain, labelled = search_page(page_search, dialect, enum_labels(choice_label))
            listing.search("folded", plain)
            listing.conditions += labelled
        found = []
        for statement in (listing.select(), listing.count_statement()):
            compiled = statement.compile(dialect=db.engine.dialect,
                                         compile_kwargs={"render_postcompile": True})
            explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
            params = (tuple(compiled.params[name] for name in compiled.positiontup)
                      if compiled.positional else compiled.params)
            rows = db.session.connection().exec_driver_sql(explain + str(compiled), params)
            found.append("\n".join(str(row[-1]) for row in rows))
        return found


@pytest.mark.parametrize(("query", "indexes"), [
    ("uuid=u-5", [UUID]),
    ("uuid_in[]=u-5&uuid_in[]=u-9", [UUID]),
    ("_where[uuid_eq]=u-5", [UUID]),
    ("referenceId=R-7", [REFERENCE]),
    ("referenceId_in[0]=R-7&referenceId_in[1]=R-8&gender=male", [REFERENCE]),
    ("_where[0][referenceId]=R-7&_where[1][gender]=male", [REFERENCE]),
    ("id=5", ["primary key"]),
    ("id_in=5&id_in=70", ["primary key"]),
    ("_or[0][uuid]=u-5&_or[1][referenceId]=R-9", [UUID, REFERENCE]),
    ("_where[_or][0][uuid]=u-5&_where[_or][1][uuid]=u-6", [UUID]),
])
def test_filters_on_indexed_fields_use_their_indexes(analysed, query, indexes):
    app, dialect = analysed
    for plan in plans(app, dialect, query):
        for index in indexes:
            names = PRIMARY_KEY[dialect] if index == "primary key" else (index,)
            assert any(name in plan for name in names), plan
        assert "Seq Scan" not in plan, plan
        assert not any(line.startswith("SCAN customers") for line in plan.splitlines()), plan


# The search index's lookup: FTS5's MATCH on SQLite (its plan says `M`), the GIN trigram index
# on PostgreSQL. 20,000 narrow rows are read faster whole than through a GIN index, so on
# PostgreSQL the test asks the planner to avoid reading whole tables or indexes when it can
# (the records' pages are then read through bitmaps): it shows that the index serves the
# search (at a million records the planner chooses it by itself; bench/search.py).
SEARCH_PLAN = {"sqlite": "SCAN customer_search VIRTUAL TABLE INDEX ",
               "postgresql": "Bitmap Index Scan on ix_customer_search_exact"}


@pytest.mark.parametrize("query", ["_q=u-1234", "_q=U-12345&gender=male", "_q=r-1999&_sort=addressCity:DESC"])
def test_a_search_looks_its_text_up_in_the_index(analysed, query):
    app, dialect = analysed
    settings = ("enable_seqscan = off", "enable_indexscan = off") if dialect == "postgresql" else ()
    for plan in plans(app, dialect, query, settings):
        assert SEARCH_PLAN[dialect] in plan, plan
        assert "Seq Scan" not in plan, plan
        assert not any(line.startswith("SCAN customers") for line in plan.splitlines()), plan


@pytest.mark.parametrize("trash", [False, True])
def test_the_unfiltered_first_page_walks_the_partial_index(analysed, trash):
    """The oldest tenth in the trash: the first page of the list (and of the trash) walks
    the partial index of its own rows, never the table stepping over the others."""
    app, dialect = analysed
    with app.app_context():
        db.session.execute(text("UPDATE customers SET deleted_at = '2026-11-30 12:00:00', "
                                "deleted_by = 'x' WHERE id <= 2000"))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        listing = parse([], 100, 1000)
        listing.trash = trash
        compiled = listing.select().compile(dialect=db.engine.dialect)
        params = (tuple(compiled.params[name] for name in compiled.positiontup)
                  if compiled.positional else compiled.params)
        explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plan = "\n".join(str(row[-1]) for row in db.session.connection().exec_driver_sql(
            explain + str(compiled), params))
    assert ("ix_customers_trash" if trash else "ix_customers_live") in plan, plan


@pytest.mark.parametrize("words", ["u-1234 r-1999", "U-12345 male", "r-1 ú-1999"])
def test_the_pages_search_looks_each_word_up_in_the_index(analysed, words):
    app, dialect = analysed
    settings = ("enable_seqscan = off", "enable_indexscan = off") if dialect == "postgresql" else ()
    for plan in plans(app, dialect, "", settings, page_search=words):
        assert SEARCH_PLAN[dialect].replace("exact", "folded") in plan, plan
        assert "Seq Scan" not in plan, plan
        assert not any(line.startswith("SCAN customers") for line in plan.splitlines()), plan


@pytest.mark.parametrize("query, index", [("gender=female", "ix_customers_gender"),
                                          ("maritalStatus=single", "ix_customers_marital_status")])
def test_the_lists_enum_filters_use_their_index(analysed, query, index):
    """The count reads the matches from the enum's index; the first page walks an index in
    id order (the enum's, or the live records' until it has a page of matches). On
    PostgreSQL, 20,000 unvacuumed rows are counted faster whole: as for the search, the
    planner is asked to avoid that when it can."""
    app, dialect = analysed
    page, count = plans(app, dialect, query, ("enable_seqscan = off",) if dialect == "postgresql" else ())
    assert index in count, count
    for plan in (page, count):
        assert "Seq Scan" not in plan and "Sort" not in plan and "TEMP B-TREE" not in plan, plan
        assert not any(line.startswith("SCAN customers") for line in plan.splitlines()), plan


def test_the_trash_page_reads_the_trash_s_index_in_its_order(analysed):
    """Newest deletion first through ix_customers_deleted_at (migration 0010): no sort of
    the whole trash for one page."""
    app, dialect = analysed
    with app.test_request_context():
        db.session.execute(text("UPDATE customers SET deleted_at = published_at, deleted_by = 'x' "
                                "WHERE id % 10 = 0"))
        db.session.execute(text("ANALYZE"))
        statement = trash_by_deletion(50, 26).select()
        compiled = statement.compile(dialect=db.engine.dialect,
                                     compile_kwargs={"render_postcompile": True})
        params = (tuple(compiled.params[name] for name in compiled.positiontup)
                  if compiled.positional else compiled.params)
        explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plan = "\n".join(str(row[-1]) for row in db.session.connection().exec_driver_sql(
            explain + str(compiled), params))
    assert "ix_customers_deleted_at" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
