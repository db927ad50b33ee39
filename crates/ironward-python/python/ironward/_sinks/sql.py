"""SQL sinks: ``sqlite3``, ``psycopg2``, ``psycopg`` (3), ``pymysql``, ``MySQLdb`` and
``asyncpg``.

The query checked is the text the driver sends. Where the driver interpolates parameters on
the client (``pymysql``, ``MySQLdb``, ``psycopg2``, psycopg's ``ClientCursor``), that is the
query *after* interpolation: the driver escaped every value it interpolated, so a properly
parameterised query never fires, whatever the values hold, while a value the application
pasted into the query text itself does. Drivers that bind on the server (``sqlite3``,
``psycopg``'s default cursors, ``asyncpg``) send the query with its placeholders, which is what
is checked.

``sqlite3``'s classes are C types whose methods cannot be replaced: ``sqlite3.connect`` is
wrapped to build the connection from a subclass of the requested ``factory`` (default
``sqlite3.Connection``) whose ``execute``/``executemany``/``executescript`` check the query, and
whose ``cursor()`` returns a subclass of the requested cursor class that does the same.
``psycopg2``'s connection and cursor are C types too: ``psycopg2.connect`` is wrapped the same
way (``connection_factory`` and ``cursor_factory``). The others are Python classes, patched in
place. A connection opened before :func:`ironward.install` ran, or built without
``connect`` (``sqlite3.Connection(...)`` directly), is not covered.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ._context import busy, check_sql, current
from ._patch import arg, checked_async_call, checked_call, replace

__all__ = ["THIRD_PARTY"]


# ---------------------------------------------------------------------------------------
# sqlite3


class _SqliteCursorMixin:
    """Checks the query of ``sqlite3.Cursor``'s execute methods."""

    def execute(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        state = current()
        if state is not None:
            check_sql(state, sql, "sqlite")
        return super().execute(sql, *args, **kwargs)  # type: ignore[misc]

    def executemany(self, sql: Any, *args: Any, **kwargs: Any) -> Any:
        state = current()
        if state is not None:
            check_sql(state, sql, "sqlite")
        return super().executemany(sql, *args, **kwargs)  # type: ignore[misc]

    def executescript(self, sql_script: Any, *args: Any, **kwargs: Any) -> Any:
        state = current()
        if state is not None:
            check_sql(state, sql_script, "sqlite")
        return super().executescript(sql_script, *args, **kwargs)  # type: ignore[misc]


class _SqliteConnectionMixin(_SqliteCursorMixin):
    """``sqlite3.Connection``'s execute shortcuts checked, and cursors that check."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        factory = args[0] if args else kwargs.pop("factory", None)
        import sqlite3

        kwargs["factory"] = _guarded(factory or sqlite3.Cursor, _SqliteCursorMixin)
        return super().cursor(*args[1:], **kwargs)  # type: ignore[misc]


_GUARDED: Dict[Any, Any] = {}


def _guarded(cls: Any, mixin: Any) -> Any:
    """``cls`` with ``mixin`` first in its MRO (cached); ``cls`` itself when it already has
    it, or cannot be subclassed."""
    if not isinstance(cls, type) or issubclass(cls, mixin):
        return cls
    key = (cls, mixin)
    out = _GUARDED.get(key)
    if out is None:
        try:
            out = type(cls.__name__, (mixin, cls), {"__module__": cls.__module__,
                                                  "__qualname__": cls.__qualname__})
        except TypeError:
            out = cls
        _GUARDED[key] = out
    return out


def _patch_sqlite3(module: Any) -> None:
    base = module.Connection

    def make(original: Any) -> Callable:
        def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
            if len(args) > 4:  # factory is connect's sixth parameter
                args = args[:4] + (_guarded(args[4] or base, _SqliteConnectionMixin),) + args[5:]
            else:
                factory = kwargs.get("factory") or base
                kwargs["factory"] = _guarded(factory, _SqliteConnectionMixin)
            return original(database, *args, **kwargs)

        return connect

    replace(module, "connect", make)
    dbapi2 = getattr(module, "dbapi2", None)
    if dbapi2 is not None:
        replace(dbapi2, "connect", make)


# ---------------------------------------------------------------------------------------
# psycopg2


def _pg2_text(cursor: Any, query: Any, params: Any) -> Any:
    if hasattr(query, "as_string"):  # psycopg2.sql.Composable
        query = query.as_string(cursor)
    if params is None:
        return query
    return cursor.mogrify(query, params)  # what execute() sends: values escaped


class _Pg2CursorMixin:
    """psycopg2 cursors: the interpolated query (``mogrify``) is checked."""

    def execute(self, query: Any, vars: Any = None) -> Any:
        state = current()
        if state is not None and not busy("sql"):
            try:
                text = _pg2_text(self, query, vars)
            except Exception:
                text = None  # execute() will raise the same error
            if text is not None:
                check_sql(state, text, "postgres")
        return super().execute(query, vars)  # type: ignore[misc]

    def executemany(self, query: Any, vars_list: Any) -> Any:
        state = current()
        if state is not None and not busy("sql"):
            try:
                text = _pg2_text(self, query, None)
            except Exception:
                text = None
            if text is not None:
                check_sql(state, text, "postgres")
        return super().executemany(query, vars_list)  # type: ignore[misc]


class _Pg2ConnectionMixin:
    """psycopg2 connections whose cursors check (``cursor_factory`` wrapped)."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        import psycopg2.extensions as ext

        if len(args) > 1:
            factory = args[1] or self.cursor_factory or ext.cursor  # type: ignore[attr-defined]
            args = (args[0], _guarded(factory, _Pg2CursorMixin)) + args[2:]
        else:
            factory = kwargs.get("cursor_factory") or self.cursor_factory or ext.cursor  # type: ignore[attr-defined]
            kwargs["cursor_factory"] = _guarded(factory, _Pg2CursorMixin)
        return super().cursor(*args, **kwargs)  # type: ignore[misc]


def _patch_psycopg2(module: Any) -> None:
    ext = module.extensions

    def make(original: Any) -> Callable:
        def connect(dsn: Any = None, connection_factory: Any = None, cursor_factory: Any = None,
                    **kwargs: Any) -> Any:
            factory = _guarded(connection_factory or ext.connection, _Pg2ConnectionMixin)
            return original(dsn, connection_factory=factory, cursor_factory=cursor_factory,
                            **kwargs)

        return connect

    replace(module, "connect", make)


# ---------------------------------------------------------------------------------------
# psycopg (3)


def _pg3_check(state: Any, args: tuple, kwargs: dict) -> None:
    cursor = args[0]
    query = arg(args, kwargs, 1, "query")
    params = arg(args, kwargs, 2, "params")
    try:
        client = getattr(type(cursor), "mogrify", None) is not None and params is not None
        if client:
            text = cursor.mogrify(query, params)  # ClientCursor: interpolated on the client
        elif hasattr(query, "as_string"):
            text = query.as_string(cursor)
        else:
            text = query
    except Exception:
        return  # the driver raises the same error
    check_sql(state, text, "postgres")


def _pg3_many(state: Any, args: tuple, kwargs: dict) -> None:
    cursor = args[0]
    query = arg(args, kwargs, 1, "query")
    try:
        text = query.as_string(cursor) if hasattr(query, "as_string") else query
    except Exception:
        return
    check_sql(state, text, "postgres")


def _patch_psycopg(module: Any) -> None:
    for name in ("Cursor", "ServerCursor", "ClientCursor", "RawCursor"):
        cls = getattr(module, name, None)
        if cls is not None:
            replace(cls, "execute", checked_call("sql", _pg3_check))
            replace(cls, "executemany", checked_call("sql", _pg3_many))
            replace(cls, "stream", checked_call("sql", _pg3_check))
    for name in ("AsyncCursor", "AsyncServerCursor", "AsyncClientCursor", "AsyncRawCursor"):
        cls = getattr(module, name, None)
        if cls is not None:
            replace(cls, "execute", checked_async_call("sql", _pg3_check))
            replace(cls, "executemany", checked_async_call("sql", _pg3_many))


# ---------------------------------------------------------------------------------------
# pymysql, MySQLdb: every query goes through the cursor's ``_query`` once interpolated.


def _mysql_query(state: Any, args: tuple, kwargs: dict) -> None:
    check_sql(state, arg(args, kwargs, 1, "q"), "mysql")


def _patch_pymysql_cursors(module: Any) -> None:
    for name in ("Cursor", "SSCursor"):
        cls = getattr(module, name, None)
        if cls is not None:
            replace(cls, "_query", checked_call("sql", _mysql_query))


def _patch_mysqldb_cursors(module: Any) -> None:
    for name in ("BaseCursor", "CursorUseResultMixIn", "CursorStoreResultMixIn"):
        cls = getattr(module, name, None)
        if cls is not None:
            replace(cls, "_query", checked_call("sql", _mysql_query))


# ---------------------------------------------------------------------------------------
# asyncpg: server-side binding; the query text is checked.


def _asyncpg_query(state: Any, args: tuple, kwargs: dict) -> None:
    check_sql(state, arg(args, kwargs, 1, "query"), "postgres")


def _patch_asyncpg_connection(module: Any) -> None:
    cls = getattr(module, "Connection", None)
    if cls is None:
        return
    for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval", "fetchmany",
                 "prepare", "copy_from_query"):
        replace(cls, name, checked_async_call("sql", _asyncpg_query))
    replace(cls, "cursor", checked_call("sql", _asyncpg_query))


#: Module name → patch, applied when the module is imported (or at install if it already is).
THIRD_PARTY: Dict[str, Callable[[Any], None]] = {
    "sqlite3": _patch_sqlite3,
    "psycopg2": _patch_psycopg2,
    "psycopg": _patch_psycopg,
    "pymysql.cursors": _patch_pymysql_cursors,
    "MySQLdb.cursors": _patch_mysqldb_cursors,
    "asyncpg.connection": _patch_asyncpg_connection,
}
