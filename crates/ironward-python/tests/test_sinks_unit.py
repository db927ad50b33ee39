"""The sink instrumentation itself: ``protect``, transparency of the patches (signatures,
return values, exceptions), failing open, the import hook for drivers imported later, the
per-family plumbing (pymysql, pymongo stubs; subprocess, os; resolution), SSRF
de-duplication, ``Blocked``, and ``uninstall``."""

from __future__ import annotations

import asyncio
import builtins
import inspect
import io
import os
import pickle
import socket
import sqlite3
import subprocess
import sys
import textwrap

import pytest

import ironward
from ironward import Blocked, Engine, SinkContext
from ironward._sinks import _context

from _sinkutil import SQLI, lookup_concat, lookup_param, make_db, xfail_unless_wired
from conftest import params


class _V:
    """A verdict stand-in."""

    def __init__(self, flagged: bool) -> None:
        self.flagged = flagged
        self.blocked = False
        self.monitored = flagged
        self.findings = []


class FakeEngine:
    """Records the checks; flags them (monitor) when ``flag``; raises ``error`` if set."""

    def __init__(self, flag: bool = False, error: Exception = None) -> None:
        self.calls = []
        self.flag = flag
        self.error = error

    def _check(self, name, *args):
        self.calls.append((name,) + args[:-1] if args and callable(args[-1]) else (name,) + args)
        if self.error is not None:
            raise self.error
        return _V(self.flag)

    def __getattr__(self, name):
        if name.startswith("check_"):
            return lambda ctx, *args: self._check(name, *args)
        raise AttributeError(name)


@pytest.fixture
def installed():
    ironward.install()
    yield
    ironward.install()


def guard(engine=None, **extra):
    if engine is None:
        return ironward.protect(params=params(**extra))
    return ironward.protect(engine=engine)


def test_protect_checks_scripts_and_workers(tmp_path, installed):
    db = make_db(str(tmp_path))
    g = guard(SINK_CHECKS={"sql": 1})
    with g.inputs([SQLI, "alice"]) as state:
        assert lookup_param(db, SQLI) == []
        with pytest.raises(Blocked) as info:
            lookup_concat(db, SQLI)
        assert state.blocked is info.value.verdict
        assert lookup_concat(db, "alice") == [("alice", "s-alice")]
    assert len(lookup_concat(db, SQLI)) == 2  # outside the block: not checked
    # A request verdict's context, in a worker that got the request.
    e = Engine(template="sink", params='{"VERBOSE": 0}')
    v = e.inspect_request("GET", "/s", "q=%27+OR+1%3D1+--", [], "192.0.2.1")
    with ironward.protect(engine=e).request(v):
        with pytest.raises(Blocked):
            lookup_concat(db, SQLI)


def test_protect_takes_parsed_json_for_the_nosql_sink(installed):
    pymongo = pytest.importorskip("pymongo")
    coll = pymongo.MongoClient("mongodb://127.0.0.1:9/", connect=False)["app"]["users"]
    g = guard(SINK_CHECKS={"nosql": 1})
    body = {"user": "admin", "password": {"$ne": ""}}
    with g.inputs([body]) as state:
        assert "admin" in state.ctx.values()
        coll.find({"user": "admin"})  # a lazy cursor: no I/O
        try:
            coll.find({"user": body["user"], "password": body["password"]})
        except Blocked as e:
            assert e.sink == "nosql"
            return
    xfail_unless_wired("nosql")
    pytest.fail("a user object with $ne in the filter was not blocked")


def test_blocked_is_a_permission_error_and_pickles():
    e = Engine(params='{"VERBOSE": 0, "SINK_CHECKS": {"sql": 1}}')
    v = e.check_sql(SinkContext.from_values([SQLI]), f"SELECT '{SQLI}'", "sqlite")
    b = Blocked(v)
    assert isinstance(b, PermissionError) and b.errno == 13
    assert (b.sink, b.reason) == ("sql", "quote") and "sql" in str(b)
    again = pickle.loads(pickle.dumps(b))
    assert isinstance(again, Blocked) and (again.sink, again.reason) == ("sql", "quote")


def test_patches_are_transparent(tmp_path, installed):
    assert getattr(sqlite3.connect, "__ironward_original__", None) is not None
    for fn in (sqlite3.connect, subprocess.Popen.__init__, builtins.open, io.open, os.rename,
               os.system, socket.getaddrinfo):
        original = fn.__ironward_original__
        assert fn.__name__ == original.__name__ and fn.__doc__ == original.__doc__
        try:
            expected = inspect.signature(original)
        except (TypeError, ValueError):
            continue
        assert inspect.signature(fn) == expected, fn
    db = make_db(str(tmp_path))
    with guard(FakeEngine()).inputs(["anything"]):
        conn = sqlite3.connect(db)
        assert isinstance(conn, sqlite3.Connection)
        cur = conn.cursor()
        assert isinstance(cur, sqlite3.Cursor)
        assert cur.execute("SELECT count(*) FROM users").fetchone() == (2,)
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("SELEC nothing")
        with pytest.raises(FileNotFoundError):
            open(tmp_path / "missing.txt")
        with open(tmp_path / "w.txt", "w") as f:
            assert f.write("x") == 1
        out = subprocess.run(["echo", "hi"], capture_output=True, check=True)
        assert out.stdout == b"hi\n"
        assert subprocess.check_output("echo $((1+1))", shell=True) == b"2\n"
        conn.close()


def test_every_instrumented_call_reaches_the_engine(tmp_path, installed):
    engine = FakeEngine()
    db = make_db(str(tmp_path))
    p = tmp_path / "f.txt"
    p.write_text("x")
    with guard(engine).inputs(["value"]):
        conn = sqlite3.connect(db, factory=sqlite3.Connection)
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,)])
        conn.executescript("SELECT 2;")
        conn.cursor().execute("SELECT 3")
        open(p).close()
        p.read_text()
        os.rename(p, tmp_path / "g.txt")
        os.remove(tmp_path / "g.txt")
        subprocess.run("true", shell=True)
        subprocess.run(["true", "x"])
        assert os.system("true") == 0
        assert os.spawnv(os.P_WAIT, "/bin/true", ["true", "y"]) == 0
        conn.close()
    calls = engine.calls
    sql = [c[1] for c in calls if c[0] == "check_sql"]
    assert sql == ["CREATE TABLE t (x)", "INSERT INTO t VALUES (?)", "SELECT 2;", "SELECT 3"]
    paths = [c[1] for c in calls if c[0] == "check_path"]
    assert paths[:2] == [str(p), str(p)] and str(tmp_path / "g.txt") in paths
    assert ("check_command", "true") in calls
    argv = [c[1] for c in calls if c[0] == "check_argv"]
    assert ["true", "x"] in argv and ["/bin/true", "y"] in argv
    # subprocess's own posix_spawn / exec, a spawn's exec in its child: not checked twice.
    assert argv.count(["true", "x"]) == 1


def test_fail_open(tmp_path, installed, capsys):
    db = make_db(str(tmp_path))
    _context._FAILED.discard("sql")
    with guard(FakeEngine(error=RuntimeError("boom"))).inputs([SQLI]):
        assert len(lookup_concat(db, SQLI)) == 2
        assert len(lookup_concat(db, SQLI)) == 2
    err = capsys.readouterr().err
    assert err.count("Ironward sink check failed open (sql): RuntimeError: boom") == 1


def test_resolution_is_checked_once_per_host(installed):
    engine = FakeEngine(flag=True)
    with guard(engine).inputs(["http://localhost/"]):
        socket.getaddrinfo("localhost", 80)
        socket.getaddrinfo("localhost", 443)  # already reported in this context
    urls = [c for c in engine.calls if c[0] == "check_url"]
    assert len(urls) == 1
    assert urls[0][1] == "localhost" and "127.0.0.1" in urls[0][2] or "::1" in urls[0][2]

    async def resolve():
        loop = asyncio.get_running_loop()
        return await loop.getaddrinfo("localhost", 80)

    engine = FakeEngine()
    with guard(engine).inputs(["value"]):
        asyncio.run(resolve())
    urls = [c for c in engine.calls if c[0] == "check_url"]
    # In the task that asked, with the addresses; not again in the resolver's thread.
    assert len(urls) == 1 and urls[0][1] == "localhost" and urls[0][2]


STUB_PYMYSQL = '''
class Cursor:
    def __init__(self):
        self.sent = []

    def _query(self, q):
        self.sent.append(q)
        return 1

    def execute(self, query, args=None):
        if args is not None:
            query = query % tuple("'" + str(a).replace("\\\\", "\\\\\\\\").replace("'", "\\\\'")
                                  + "'" for a in args)
        return self._query(query)
'''

STUB_PYMONGO = '''
class Collection:
    def find(self, filter=None, *args, **kwargs):
        return ["found", filter]

    def find_one(self, filter=None, *args, **kwargs):
        return self.find(filter, *args, **kwargs)[1]
'''


def test_drivers_imported_after_install_are_instrumented(tmp_path, monkeypatch, installed):
    # The real drivers, if imported, step aside for the stubs and come back afterwards.
    saved = {k: sys.modules.pop(k) for k in list(sys.modules)
             if k.split(".")[0] in ("pymysql", "pymongo")}
    ironward.uninstall()
    ironward.install()  # the stubs' names are pending again
    for pkg, sub, code in (("pymysql", "cursors", STUB_PYMYSQL),
                           ("pymongo", "collection", STUB_PYMONGO)):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text(f"from . import {sub}\n")
        (tmp_path / pkg / f"{sub}.py").write_text(textwrap.dedent(code))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import pymongo.collection
        import pymysql.cursors

        assert pymysql.cursors.Cursor._query.__ironward_original__ is not None
        engine = FakeEngine()
        with guard(engine).inputs(["value"]):
            cur = pymysql.cursors.Cursor()
            cur.execute("SELECT * FROM t WHERE a = %s", ("it's",))
            coll = pymongo.collection.Collection()
            assert coll.find_one({"user": {"$ne": ""}}) == {"user": {"$ne": ""}}
        assert ("check_sql", "SELECT * FROM t WHERE a = 'it\\'s'", "mysql") in engine.calls
        nosql = [c for c in engine.calls if c[0] == "check_nosql"]
        assert nosql == [("check_nosql", '{"user": {"$ne": ""}}')]  # find_one → find: once
        # The real engine: a parameterised query passes, a pasted value does not.
        g = guard(SINK_CHECKS={"sql": 1})
        with g.inputs([SQLI]):
            pymysql.cursors.Cursor().execute("SELECT * FROM t WHERE a = %s", (SQLI,))
            with pytest.raises(Blocked):
                pymysql.cursors.Cursor().execute(f"SELECT * FROM t WHERE a = '{SQLI}'")
    finally:
        for name in list(sys.modules):
            if name.split(".")[0] in ("pymysql", "pymongo"):
                del sys.modules[name]
        sys.modules.update(saved)
        ironward.uninstall()  # the real drivers get patched again
        ironward.install()


@pytest.mark.parametrize("module, owner, attr", [
    ("psycopg", "Cursor", "execute"),
    ("psycopg", "AsyncCursor", "execute"),
    ("psycopg2", None, "connect"),
    ("pymysql.cursors", "Cursor", "_query"),
    ("pymysql.cursors", "SSCursor", "_query"),
    ("asyncpg.connection", "Connection", "fetch"),
    ("pymongo.collection", "Collection", "find"),
    ("requests.sessions", "Session", "send"),
    ("httpx", "AsyncHTTPTransport", "handle_async_request"),
    ("aiohttp.client", "ClientSession", "_request"),
])
def test_installed_drivers_are_instrumented_without_a_server(module, owner, attr, installed):
    mod = pytest.importorskip(module)
    target = getattr(mod, owner) if owner else mod
    fn = target.__dict__[attr] if owner else getattr(target, attr)
    assert getattr(fn, "__ironward_original__", None) is not None, (module, owner, attr)
    if inspect.iscoroutinefunction(fn.__ironward_original__):
        assert inspect.iscoroutinefunction(fn)


def test_psycopg2_connect_builds_checking_cursors(installed):
    psycopg2 = pytest.importorskip("psycopg2")
    from ironward._sinks import sql

    conn_cls = sql._guarded(psycopg2.extensions.connection, sql._Pg2ConnectionMixin)
    assert issubclass(conn_cls, psycopg2.extensions.connection)
    cur_cls = sql._guarded(psycopg2.extras.RealDictCursor if hasattr(psycopg2, "extras")
                           else psycopg2.extensions.cursor, sql._Pg2CursorMixin)
    assert cur_cls.__mro__[1] is sql._Pg2CursorMixin
    with pytest.raises(psycopg2.OperationalError):  # no server: the driver's own error
        psycopg2.connect("host=127.0.0.1 port=1 connect_timeout=1")


def test_shell_sink_through_os_system(installed):
    g = guard(SINK_CHECKS={"shell": 1})
    with g.inputs(["x; echo pwned"]):
        assert os.system("true") == 0
        try:
            os.system("echo x; echo pwned > /dev/null")
        except Blocked:
            return
    xfail_unless_wired("shell")
    pytest.fail("os.system with an injected separator was not blocked")


def test_uninstall_restores_everything(installed):
    patched_open = builtins.open
    original = patched_open.__ironward_original__
    ironward.uninstall()
    try:
        assert builtins.open is original and io.open is original
        assert not hasattr(sqlite3.connect, "__ironward_original__")
        assert not hasattr(subprocess.Popen.__init__, "__ironward_original__")
        assert not ironward._sinks.installed()
    finally:
        ironward.install()
    assert builtins.open.__ironward_original__ is original


async def test_asyncpg_against_a_real_server(installed):
    asyncpg = pytest.importorskip("asyncpg")
    dsn = os.environ.get("IRONWARD_PG_DSN")
    if not dsn:
        pytest.skip("IRONWARD_PG_DSN not set (eval \"$(bash scripts/sink-dbs.sh start)\")")
    conn = await asyncpg.connect(dsn, timeout=5)
    try:
        g = guard(SINK_CHECKS={"sql": 1})
        with g.inputs([SQLI]):
            assert await conn.fetchval("SELECT $1::text", SQLI) == SQLI
            with pytest.raises(Blocked):
                await conn.fetch(f"SELECT '{SQLI}'")
            with pytest.raises(Blocked):
                await conn.execute(f"SELECT '{SQLI}'")
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()
