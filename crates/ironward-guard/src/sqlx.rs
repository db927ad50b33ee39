//! `sqlx` integration (feature `sqlx`): every query checked with
//! [`sink::sql`](crate::sink::sql) in its database's dialect before it runs.
//!
//! ```no_run
//! # async fn f(pool: sqlx::SqlitePool, name: &str) -> Result<(), sqlx::Error> {
//! use ironward_guard::sqlx::GuardExt;
//! use sqlx::AssertSqlSafe;
//!
//! let q = format!("SELECT id FROM users WHERE name = '{name}'");
//! let rows = pool.guarded().fetch_all(sqlx::query(AssertSqlSafe(q))).await?;
//! # Ok(()) }
//! ```
//!
//! [`Guarded`] wraps any executor (`&Pool<DB>`, `&mut DB::Connection`, `&mut Transaction`)
//! and offers the [`Executor`] methods (`execute`, `fetch_all`, `fetch_one`,
//! `fetch_optional`, `fetch`); [`check`] turns any query into a [`Checked`] one after the
//! check, for any other call that takes an [`Execute`]. The dialect comes from
//! [`Database::NAME`] (`SQLite`, `PostgreSQL`, `MySQL`; any other database reads as
//! [`Dialect::Generic`]). A blocked query fails with `sqlx::Error::Io` of kind
//! `PermissionDenied` wrapping [`Blocked`] (see [`Blocked::find`]) and never reaches the
//! database.
//!
//! *Why not an `Executor` implementation.* `sqlx::Executor` has a hidden required method,
//! `describe`, that exists only when sqlx's `offline` feature is on (the `macros` feature,
//! on by default, turns it on). A wrapper implementing the trait would fail to compile in
//! either the applications that use the macros or those that do not, depending on which way
//! it was written; forcing the feature on would build sqlx's proc-macro crates (and the
//! drivers a second time) for every user. The wrapper therefore mirrors the methods instead.

use crate::error::Blocked;
use crate::sink::{Dialect, sql_at};
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use sqlx::database::Database;
use sqlx::error::BoxDynError;
use sqlx::{Either, Execute, Executor, SqlStr};
use std::panic::Location;

/// The dialect of a sqlx database, from its [`Database::NAME`].
pub fn dialect<DB: Database>() -> Dialect {
    match DB::NAME {
        "SQLite" => Dialect::Sqlite,
        "PostgreSQL" => Dialect::Postgres,
        "MySQL" | "MariaDB" => Dialect::MySql,
        _ => Dialect::Generic,
    }
}

/// Checks a SQL text in the dialect of `DB`.
#[track_caller]
pub fn check_sql<DB: Database>(sql: &str) -> Result<(), Blocked> {
    sql_at(sql, dialect::<DB>(), Location::caller())
}

/// A query whose SQL passed the check: its text, statement, arguments and persistence, taken
/// from the original query, ready for any [`Executor`] method.
pub struct Checked<DB: Database> {
    sql: SqlStr,
    statement: Option<DB::Statement>,
    arguments: Option<Result<Option<DB::Arguments>, BoxDynError>>,
    persistent: bool,
}

impl<DB: Database> std::fmt::Debug for Checked<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("sql", &self.sql.as_str())
            .finish_non_exhaustive()
    }
}

impl<'q, DB: Database> Execute<'q, DB> for Checked<DB> {
    fn sql(self) -> SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&DB::Statement> {
        self.statement.as_ref()
    }

    fn take_arguments(&mut self) -> Result<Option<DB::Arguments>, BoxDynError> {
        self.arguments.take().unwrap_or(Ok(None))
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}

/// Checks a query (`sqlx::query(..)`, `query_as`, `query_scalar`, `raw_sql`, a string…) in
/// the dialect of `DB`, and returns it ready to run when it passes.
#[track_caller]
pub fn check<'q, DB: Database, Q: Execute<'q, DB>>(query: Q) -> Result<Checked<DB>, Blocked> {
    check_at(query, Location::caller())
}

fn check_at<'q, DB: Database, Q: Execute<'q, DB>>(
    mut query: Q,
    caller: &'static Location<'static>,
) -> Result<Checked<DB>, Blocked> {
    let statement = query.statement().cloned();
    let persistent = query.persistent();
    let arguments = Some(query.take_arguments());
    let sql = query.sql();
    sql_at(sql.as_str(), dialect::<DB>(), caller)?;
    Ok(Checked {
        sql,
        statement,
        arguments,
        persistent,
    })
}

/// The error a blocked query fails with in sqlx.
fn to_sqlx(blocked: Blocked) -> sqlx::Error {
    sqlx::Error::Io(blocked.into_io())
}

/// An executor whose queries are checked before they run; see the [module](self).
#[derive(Debug)]
pub struct Guarded<E> {
    executor: E,
    caller: &'static Location<'static>,
}

/// `.guarded()` on any sqlx executor (`&Pool<DB>`, `&mut DB::Connection`, `&mut Transaction`).
pub trait GuardExt: Sized {
    /// This executor, with its queries checked before they run. The events' `caller` is
    /// where `guarded()` was called.
    #[track_caller]
    fn guarded(self) -> Guarded<Self> {
        Guarded {
            executor: self,
            caller: Location::caller(),
        }
    }
}

impl<'c, E: Executor<'c>> GuardExt for E {}

impl<'c, E: Executor<'c> + 'c> Guarded<E> {
    /// Wraps an executor (as [`GuardExt::guarded`]).
    #[track_caller]
    pub fn new(executor: E) -> Self {
        Guarded {
            executor,
            caller: Location::caller(),
        }
    }

    /// The executor, unwrapped.
    pub fn into_inner(self) -> E {
        self.executor
    }

    /// [`Executor::execute`], the query checked first.
    pub fn execute<'q, Q>(
        self,
        query: Q,
    ) -> BoxFuture<'c, Result<<E::Database as Database>::QueryResult, sqlx::Error>>
    where
        Q: Execute<'q, E::Database>,
    {
        let checked = check_at(query, self.caller);
        Box::pin(async move { self.executor.execute(checked.map_err(to_sqlx)?).await })
    }

    /// [`Executor::fetch_all`], the query checked first.
    pub fn fetch_all<'q, Q>(
        self,
        query: Q,
    ) -> BoxFuture<'c, Result<Vec<<E::Database as Database>::Row>, sqlx::Error>>
    where
        Q: Execute<'q, E::Database>,
    {
        let checked = check_at(query, self.caller);
        Box::pin(async move { self.executor.fetch_all(checked.map_err(to_sqlx)?).await })
    }

    /// [`Executor::fetch_one`], the query checked first.
    pub fn fetch_one<'q, Q>(
        self,
        query: Q,
    ) -> BoxFuture<'c, Result<<E::Database as Database>::Row, sqlx::Error>>
    where
        Q: Execute<'q, E::Database>,
    {
        let checked = check_at(query, self.caller);
        Box::pin(async move { self.executor.fetch_one(checked.map_err(to_sqlx)?).await })
    }

    /// [`Executor::fetch_optional`], the query checked first.
    pub fn fetch_optional<'q, Q>(
        self,
        query: Q,
    ) -> BoxFuture<'c, Result<Option<<E::Database as Database>::Row>, sqlx::Error>>
    where
        Q: Execute<'q, E::Database>,
    {
        let checked = check_at(query, self.caller);
        Box::pin(async move {
            self.executor
                .fetch_optional(checked.map_err(to_sqlx)?)
                .await
        })
    }

    /// [`Executor::fetch`], the query checked first (a blocked query yields one error).
    pub fn fetch<'q, Q>(
        self,
        query: Q,
    ) -> BoxStream<'c, Result<<E::Database as Database>::Row, sqlx::Error>>
    where
        Q: Execute<'q, E::Database>,
    {
        match check_at(query, self.caller) {
            Ok(checked) => self.executor.fetch(checked),
            Err(b) => stream::once(std::future::ready(Err(to_sqlx(b)))).boxed(),
        }
    }

    /// [`Executor::fetch_many`], the query checked first.
    #[allow(clippy::type_complexity)]
    pub fn fetch_many<'q, Q>(
        self,
        query: Q,
    ) -> BoxStream<
        'c,
        Result<
            Either<<E::Database as Database>::QueryResult, <E::Database as Database>::Row>,
            sqlx::Error,
        >,
    >
    where
        Q: Execute<'q, E::Database>,
    {
        match check_at(query, self.caller) {
            Ok(checked) => self.executor.fetch_many(checked),
            Err(b) => stream::once(std::future::ready(Err(to_sqlx(b)))).boxed(),
        }
    }
}
