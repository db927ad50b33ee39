"""The shared part of the deliberately vulnerable example applications (``flask_app.py`` and
``fastapi_app.py``): the database backends, the seeded data and its secrets, the files on disk,
and the sink operations themselves, built **unsafely on purpose**.

Never deploy any of this. Every function below named after a sink pastes a request value into
an SQL query, a shell command line, a program's argument list, a file path or an outbound URL.
The apps exist so that the exploit suite (``crates/ironward-python/tests/test_sink_exploits.py``)
and ``scripts/sqlmap-check.sh`` can prove two things: the injections work when the app runs
unprotected, and Ironward blocks them at the sink when it runs with ``IRONWARD=1``.

Configuration (environment variables, read by :func:`backend_from_env` and the apps):

``DB``
    ``sqlite`` (default), ``postgres`` or ``mysql`` (MariaDB).
``SQLITE_PATH``
    The SQLite database file (default: a fresh file in a temporary directory).
``PG_DRIVER``
    ``psycopg`` (3, default) or ``psycopg2``.
``IRONWARD_PG_DSN`` / ``IRONWARD_MYSQL_DSN``
    ``postgresql://user@host:port/db`` and ``mysql://user[:password]@host:port/db``, as printed
    by ``scripts/sink-dbs.sh``.
``VULN_BASE``
    The directory holding ``public/``, ``private/`` and ``catalog.txt`` (default: created in a
    temporary directory).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type
from urllib.parse import unquote, urlsplit

__all__ = [
    "ADMIN_TOKEN",
    "Backend",
    "FILE_SECRET",
    "HIDDEN_PRODUCT",
    "SECRET",
    "backend_from_env",
    "make_base_dir",
]

#: The row of the ``secrets`` table that a UNION or error-based injection extracts.
SECRET = "IRONWARD-FLAG-5f1c9e"
#: The admin's API token, returned by ``/sql/login`` only with the admin's password.
ADMIN_TOKEN = "ADMIN-TOKEN-83d2a7"
#: A product the shop hides (``hidden = 1``); a tautology lists it.
HIDDEN_PRODUCT = "hidden-prototype-x9"
#: The content of ``private/secret.txt``, outside the ``public/`` directory files are read from.
FILE_SECRET = "FILE-SECRET-4be1"

_PRODUCTS: List[Tuple[int, str, int, int]] = [
    # (id, name, price, hidden): price order differs from id order (ORDER BY proofs).
    (1, "apple", 30, 0),
    (2, "banana", 10, 0),
    (3, "cherry", 20, 0),
    (4, HIDDEN_PRODUCT, 99, 1),
]
_USERS: List[Tuple[int, str, str, str]] = [
    (1, "admin", "correct horse battery staple", ADMIN_TOKEN),
    (2, "alice", "alice-password", "ALICE-TOKEN-1"),
]


@dataclass
class Backend:
    """A database the apps run their queries on, and how to connect to it.

    ``kind`` is ``sqlite``, ``postgres`` or ``mysql``; ``driver`` the DB-API module used
    (``sqlite3``, ``psycopg``, ``psycopg2`` or ``pymysql``). Each call to :meth:`connect` opens
    a new autocommitting connection: the apps open one per request, like many small apps do.
    """

    kind: str
    driver: str
    dsn: str
    _errors: Tuple[Type[BaseException], ...] = field(default=(), repr=False)

    @property
    def placeholder(self) -> str:
        """The driver's parameter marker (``?`` or ``%s``)."""
        return "?" if self.driver == "sqlite3" else "%s"

    def errors(self) -> Tuple[Type[BaseException], ...]:
        """The driver's database error classes: the apps report these (error-based injection
        works, as in many real apps) and let every other exception through, ``ironward.Blocked``
        included."""
        if not self._errors:
            if self.driver == "sqlite3":
                self._errors = (sqlite3.Error,)
            elif self.driver == "psycopg":
                import psycopg

                self._errors = (psycopg.Error,)
            elif self.driver == "psycopg2":
                import psycopg2

                self._errors = (psycopg2.Error,)
            else:
                import pymysql

                self._errors = (pymysql.MySQLError,)
        return self._errors

    def connect(self) -> Any:
        """A new DB-API connection in autocommit mode (multiple statements allowed where the
        driver can run them, which a stacked-queries injection needs)."""
        if self.driver == "sqlite3":
            conn = sqlite3.connect(self.dsn, isolation_level=None, check_same_thread=False)
            return conn
        if self.driver == "psycopg":
            import psycopg

            return psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
        if self.driver == "psycopg2":
            import psycopg2

            conn = psycopg2.connect(self.dsn, connect_timeout=5)
            conn.autocommit = True
            return conn
        import pymysql
        from pymysql.constants import CLIENT

        u = urlsplit(self.dsn)
        return pymysql.connect(
            host=u.hostname or "127.0.0.1",
            port=u.port or 3306,
            user=unquote(u.username or "root"),
            password=unquote(u.password or ""),
            database=u.path.lstrip("/"),
            autocommit=True,
            connect_timeout=5,
            charset="utf8mb4",
            # Vulnerable on purpose: lets a stacked query (`; INSERT ...`) run.
            client_flag=CLIENT.MULTI_STATEMENTS,
        )

    def query(self, sql: str, args: Optional[Sequence[Any]] = None) -> List[Tuple[Any, ...]]:
        """Runs one query (with parameters when given) and returns its rows."""
        conn = self.connect()
        try:
            cur = conn.cursor()
            if args is None:
                cur.execute(sql)
            else:
                cur.execute(sql, tuple(args))
            rows = cur.fetchall() if cur.description else []
            if self.driver in ("pymysql", "psycopg"):
                # Stacked statements: run to the end (the first result set is the answer).
                while cur.nextset():
                    pass
            return [tuple(r) for r in rows]
        finally:
            conn.close()

    def seed(self) -> None:
        """(Re)creates the tables with their rows and secrets; safe to run again."""
        conn = self.connect()
        try:
            cur = conn.cursor()
            for table in ("products", "users", "secrets", "notes", "audit_log"):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            text = "VARCHAR(200)" if self.kind == "mysql" else "TEXT"
            cur.execute(
                "CREATE TABLE products (id INTEGER PRIMARY KEY, name "
                f"{text} NOT NULL, price INTEGER NOT NULL, hidden INTEGER NOT NULL)"
            )
            cur.execute(
                f"CREATE TABLE users (id INTEGER PRIMARY KEY, name {text} NOT NULL, "
                f"password {text} NOT NULL, token {text} NOT NULL)"
            )
            cur.execute(f"CREATE TABLE secrets (id INTEGER PRIMARY KEY, secret {text} NOT NULL)")
            auto = {
                "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
                "postgres": "SERIAL PRIMARY KEY",
                "mysql": "INTEGER PRIMARY KEY AUTO_INCREMENT",
            }[self.kind]
            cur.execute(f"CREATE TABLE notes (id {auto}, body {text} NOT NULL)")
            cur.execute(f"CREATE TABLE audit_log (id {auto}, entry {text} NOT NULL)")
            p = self.placeholder
            for row in _PRODUCTS:
                cur.execute(f"INSERT INTO products VALUES ({p}, {p}, {p}, {p})", row)
            for row in _USERS:
                cur.execute(f"INSERT INTO users VALUES ({p}, {p}, {p}, {p})", row)
            cur.execute(f"INSERT INTO secrets VALUES ({p}, {p})", (1, SECRET))
        finally:
            conn.close()

    # --- the vulnerable queries (string concatenation on purpose) ------------------------------

    def search(self, q: str) -> List[Tuple[Any, ...]]:
        """Products named ``q``: the value pasted inside a string literal."""
        return self.query(
            "SELECT id, name, price FROM products WHERE hidden = 0 AND name = '" + q + "'"
        )

    def search_escaped(self, q: str) -> List[Tuple[Any, ...]]:
        """Like :meth:`search`, with quotes doubled: right for SQLite and PostgreSQL, wrong for
        MySQL/MariaDB, where a backslash escapes the quote that follows it."""
        return self.search(q.replace("'", "''"))

    def search_slashed(self, q: str) -> List[Tuple[Any, ...]]:
        """Like :meth:`search`, with quotes backslash-escaped but backslashes left alone (an
        ``addslashes`` that forgot ``\\``): ``\\'`` becomes ``\\\\'`` and the quote closes."""
        return self.search(q.replace("'", "\\'"))

    def search_dollar(self, q: str) -> List[Tuple[Any, ...]]:
        """PostgreSQL: the value inside a ``$$``-quoted literal ("no escaping needed")."""
        return self.query(
            "SELECT id, name, price FROM products WHERE hidden = 0 AND name = $$" + q + "$$"
        )

    def item(self, item_id: str) -> List[Tuple[Any, ...]]:
        """One product by id: the value pasted as a number."""
        return self.query(
            "SELECT id, name, price FROM products WHERE hidden = 0 AND id = " + item_id
        )

    def sorted_products(self, order: str) -> List[Tuple[Any, ...]]:
        """The visible products in the order given: the value pasted after ``ORDER BY``."""
        return self.query(
            "SELECT id, name, price FROM products WHERE hidden = 0 ORDER BY " + order
        )

    def login(self, user: str, password: str) -> List[Tuple[Any, ...]]:
        """The user's name and token when the password matches: two values in literals."""
        return self.query(
            "SELECT name, token FROM users WHERE name = '"
            + user
            + "' AND password = '"
            + password
            + "'"
        )

    # --- safe, parameterized queries (the benign table) ---------------------------------------

    def add_note(self, body: str) -> List[Tuple[Any, ...]]:
        """Stores ``body`` with a parameter and reads it back by a parameter."""
        p = self.placeholder
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(f"INSERT INTO notes (body) VALUES ({p})", (body,))
            cur.execute(f"SELECT body FROM notes WHERE body = {p}", (body,))
            return [tuple(r) for r in cur.fetchall()]
        finally:
            conn.close()

    def find_safe(self, q: str) -> List[Tuple[Any, ...]]:
        """Products named ``q``, with a parameter."""
        p = self.placeholder
        return self.query(
            f"SELECT id, name, price FROM products WHERE hidden = 0 AND name = {p}", (q,)
        )


def backend_from_env(env: Optional[Dict[str, str]] = None) -> Backend:
    """The backend the environment names (see the module's documentation)."""
    e = dict(os.environ if env is None else env)
    kind = e.get("DB", "sqlite").lower()
    if kind in ("sqlite", "sqlite3"):
        path = e.get("SQLITE_PATH") or os.path.join(
            tempfile.mkdtemp(prefix="ironward-vuln-"), "shop.db"
        )
        return Backend("sqlite", "sqlite3", path)
    if kind in ("postgres", "postgresql", "pg"):
        dsn = e.get("IRONWARD_PG_DSN")
        if not dsn:
            raise RuntimeError("DB=postgres needs IRONWARD_PG_DSN (see scripts/sink-dbs.sh)")
        driver = e.get("PG_DRIVER", "psycopg")
        if driver not in ("psycopg", "psycopg2"):
            raise RuntimeError("PG_DRIVER must be psycopg or psycopg2")
        return Backend("postgres", driver, dsn)
    if kind in ("mysql", "mariadb"):
        dsn = e.get("IRONWARD_MYSQL_DSN")
        if not dsn:
            raise RuntimeError("DB=mysql needs IRONWARD_MYSQL_DSN (see scripts/sink-dbs.sh)")
        return Backend("mysql", "pymysql", dsn)
    raise RuntimeError(f"unknown DB {kind!r}: sqlite, postgres or mysql")


def make_base_dir(path: Optional[str] = None) -> str:
    """Creates (or refreshes) the files directory: ``public/`` (readable by design),
    ``private/secret.txt`` (must stay private) and ``catalog.txt`` (for the shell endpoints)."""
    base = path or tempfile.mkdtemp(prefix="ironward-vuln-files-")
    os.makedirs(os.path.join(base, "public"), exist_ok=True)
    os.makedirs(os.path.join(base, "private"), exist_ok=True)
    files = {
        os.path.join("public", "readme.txt"): "Welcome to the shop.\n",
        os.path.join("public", "O'Brien's notes.txt"): "Quotes in a file name.\n",
        os.path.join("public", "résumé (final) v2.txt"): "Unicode and spaces.\n",
        os.path.join("public", "reports", "2024", "q4.txt"): "Q4 report.\n",
        os.path.join("private", "secret.txt"): FILE_SECRET + "\n",
        "catalog.txt": "apple 30\nbanana 10\ncherry 20\n",
    }
    for rel, content in files.items():
        full = os.path.join(base, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(content)
    return base


# --- the other sinks (vulnerable on purpose) ---------------------------------------------------


def shell_echo(host: str) -> str:
    """A "ping" that runs through ``/bin/sh`` with the value pasted in: ``;``, ``|``, ``&&``,
    ``$(…)``, backticks and newlines run extra commands. (``printf`` stands in for ``ping``: it
    exists everywhere and has no side effect.)"""
    proc = subprocess.run(
        f"printf 'PING %s\\n' {host}", shell=True, capture_output=True, text=True, timeout=10
    )
    return proc.stdout + proc.stderr


def shell_echo_quoted(host: str) -> str:
    """The same command with the value quoted by ``shlex.quote``: safe, whatever it holds."""
    import shlex

    proc = subprocess.run(
        f"printf 'PING %s\\n' {shlex.quote(host)}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=10,
    )
    return proc.stdout + proc.stderr


def shell_popen(name: str) -> str:
    """``os.popen`` with the value pasted in (a shell too)."""
    with os.popen("echo hello " + name) as pipe:
        return pipe.read()


def count_lines(base: str, file: str) -> str:
    """``wc -l <file>`` as an argument list (no shell): a value starting with ``-`` becomes an
    option of ``wc`` (``--files0-from=private/secret.txt`` prints that file in an error)."""
    proc = subprocess.run(
        ["wc", "-l", file], cwd=base, capture_output=True, text=True, timeout=10
    )
    return proc.stdout + proc.stderr


def read_public(base: str, name: str) -> str:
    """A file under ``public/``, joined without any check: ``../`` and absolute paths escape."""
    with open(os.path.join(base, "public", name), encoding="utf-8", errors="replace") as f:
        return f.read()


def read_public_pathlib(base: str, name: str) -> str:
    """The same through ``pathlib``."""
    from pathlib import Path

    return (Path(base) / "public" / name).read_text(encoding="utf-8", errors="replace")


def fetch(url: str) -> str:
    """Fetches any URL the client names (``urllib.request``): loopback and internal addresses
    included."""
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (vulnerable on purpose)
        return resp.read(65536).decode("utf-8", "replace")


def fetch_requests(url: str) -> str:
    """The same through ``requests``."""
    import requests

    resp = requests.get(url, timeout=5, allow_redirects=False)
    return resp.text[:65536]


def fetch_status(service: str, q: str) -> str:
    """A fixed internal service (its address set by the app, not the client), asked for ``q``:
    a loopback request the client only fills a query parameter of. Not an SSRF."""
    from urllib.parse import quote

    with urllib.request.urlopen(f"{service}/status?q={quote(q)}", timeout=5) as resp:
        return resp.read(65536).decode("utf-8", "replace")
