//! Classification of SQL words: which keywords matter to the analysis and in what role.
//!
//! The list is small on purpose: only words whose grammatical role changes what the analyser
//! accepts next (boolean operators, clause keywords, statement starters) or that are
//! injection signatures on their own (time-delay and error-based functions, catalogue
//! tables). Everything else is a plain identifier.

/// The role of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kw {
    /// A plain identifier (column, table, function name).
    Ident,
    /// `OR`, `XOR`, `||`-like boolean that widens a condition.
    Or,
    /// `AND`.
    And,
    /// `NOT`.
    Not,
    /// A binary keyword operator: `LIKE`, `RLIKE`, `REGEXP`, `DIV`, `MOD`, `GLOB`, `ILIKE`.
    BinOp,
    /// `IS`.
    Is,
    /// `IN`.
    In,
    /// `BETWEEN`.
    Between,
    /// `SOUNDS` (as in `SOUNDS LIKE`) and `ESCAPE`/`COLLATE` (followed by an operand).
    Infix,
    /// A literal keyword: `NULL`, `TRUE`, `FALSE`, `UNKNOWN`.
    Literal,
    /// `UNION`.
    Union,
    /// `SELECT`.
    Select,
    /// `ALL` / `DISTINCT`.
    Distinct,
    /// `FROM`.
    From,
    /// `WHERE`.
    Where,
    /// `HAVING`.
    Having,
    /// `ORDER` / `GROUP` (followed by `BY`).
    OrderGroup,
    /// `BY`.
    By,
    /// `LIMIT` / `OFFSET`.
    Limit,
    /// `INTO`.
    Into,
    /// `OUTFILE` / `DUMPFILE`.
    Outfile,
    /// `PROCEDURE` (as in `PROCEDURE ANALYSE(`).
    Procedure,
    /// `AS`.
    As,
    /// `ASC` / `DESC`.
    Dir,
    /// `CASE`.
    Case,
    /// `WHEN` / `THEN` / `ELSE`.
    When,
    /// `END`.
    End,
    /// `EXISTS`, `BINARY` (prefix operators before an operand).
    Prefix,
    /// A statement keyword after `;`: `DROP`, `INSERT`, `EXEC`, `SHUTDOWN`, `DECLARE`…
    Stmt,
    /// `WAITFOR`.
    Waitfor,
    /// A time-delay function: `SLEEP`, `BENCHMARK`, `PG_SLEEP`, `RECEIVE_MESSAGE`.
    TimeFn,
    /// An error-based extraction or file function: `EXTRACTVALUE`, `UPDATEXML`, `LOAD_FILE`.
    ErrorFn,
    /// A heavy-query function used for time-based blind injection: `GENERATE_SERIES`,
    /// `RANDOMBLOB`, `REGEXP_SUBSTRING`, `CRYPT_KEY`.
    HeavyFn,
    /// A catalogue name: `INFORMATION_SCHEMA`, `SYSOBJECTS`, `XP_CMDSHELL`…
    Catalog,
    /// A catalogue table whose name an application might also use for something else
    /// (`ALL_USERS`, `USER_TABLES`, `SYSUSERS`): conclusive after `FROM` or a qualifier.
    CatalogTable,
}

/// Lowercases `word` into `buf`; `None` when it is longer than the buffer (never a keyword).
pub(crate) fn lower<'b>(word: &[u8], buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (o, b) in out.iter_mut().zip(word) {
        *o = b.to_ascii_lowercase();
    }
    Some(out)
}

/// The role of an unquoted word.
pub(crate) fn classify(word: &[u8]) -> Kw {
    let mut buf = [0u8; 24];
    match lower(word, &mut buf) {
        Some(w) => classify_lower(w),
        None => Kw::Ident,
    }
}

/// The role of an unquoted word already lowercased.
pub(crate) fn classify_lower(w: &[u8]) -> Kw {
    match w {
        b"or" | b"xor" => Kw::Or,
        b"and" => Kw::And,
        b"not" => Kw::Not,
        b"like" | b"rlike" | b"regexp" | b"div" | b"mod" | b"glob" | b"ilike" => Kw::BinOp,
        b"is" => Kw::Is,
        b"in" => Kw::In,
        b"between" => Kw::Between,
        b"sounds" | b"escape" | b"collate" => Kw::Infix,
        b"null" | b"true" | b"false" | b"unknown" => Kw::Literal,
        b"union" | b"intersect" | b"except" | b"minus" => Kw::Union,
        b"select" => Kw::Select,
        b"all" | b"distinct" => Kw::Distinct,
        b"from" => Kw::From,
        b"where" => Kw::Where,
        b"having" => Kw::Having,
        b"order" | b"group" => Kw::OrderGroup,
        b"by" => Kw::By,
        b"limit" | b"offset" => Kw::Limit,
        b"into" => Kw::Into,
        b"outfile" | b"dumpfile" => Kw::Outfile,
        b"procedure" => Kw::Procedure,
        b"as" => Kw::As,
        b"asc" | b"desc" => Kw::Dir,
        b"case" => Kw::Case,
        b"when" | b"then" | b"else" => Kw::When,
        b"end" => Kw::End,
        b"exists" | b"binary" => Kw::Prefix,
        b"insert" | b"update" | b"delete" | b"drop" | b"create" | b"alter" | b"truncate"
        | b"exec" | b"execute" | b"declare" | b"shutdown" | b"grant" | b"revoke" | b"set"
        | b"call" | b"replace" | b"merge" | b"rename" | b"begin" | b"load" | b"handler"
        | b"use" | b"kill" | b"if" | b"print" | b"show" | b"copy" | b"backup" => Kw::Stmt,
        b"waitfor" => Kw::Waitfor,
        b"sleep" | b"benchmark" | b"pg_sleep" | b"receive_message" => Kw::TimeFn,
        b"extractvalue" | b"updatexml" | b"load_file" => Kw::ErrorFn,
        b"generate_series" | b"randomblob" | b"regexp_substring" | b"crypt_key" => Kw::HeavyFn,
        b"information_schema"
        | b"sysobjects"
        | b"syscolumns"
        | b"msysobjects"
        | b"msysaccessobjects"
        | b"msysqueries"
        | b"pg_shadow"
        | b"xp_cmdshell"
        | b"xp_dirtree"
        | b"sp_executesql"
        | b"sp_oacreate"
        | b"sp_makewebtask"
        | b"sp_configure"
        | b"sp_addlogin"
        | b"sp_password"
        | b"utl_inaddr"
        | b"utl_http"
        | b"dbms_pipe"
        | b"dbms_lock"
        | b"sqlite_master"
        | b"user_lock"
        | b"dbms_utility"
        | b"sysibm"
        | b"sp_addsrvrolemember"
        | b"sp_addextendedproc"
        | b"rdb$fields"
        | b"rdb$relations"
        | b"rdb$types" => Kw::Catalog,
        _ if w.starts_with(b"xp_") && w.len() > 5 => Kw::Catalog,
        b"sysusers" | b"sysdatabases" | b"pg_catalog" | b"all_tables" | b"all_tab_columns"
        | b"user_tables" | b"all_users" => Kw::CatalogTable,
        // Oracle's dictionary views and dynamic views, Firebird's and PostgreSQL's system
        // tables: what a statement reads to list accounts, privileges and versions.
        b"dba_users" | b"dba_tables" | b"dba_tab_columns" | b"dba_role_privs"
        | b"dba_sys_privs" | b"dba_tab_privs" | b"user_role_privs" | b"user_sys_privs"
        | b"user_tab_columns" | b"all_col_comments" | b"all_tab_comments" | b"session_roles"
        | b"session_privs" | b"v$version" | b"v$instance" | b"v$database" | b"rdb$database"
        | b"pg_user" | b"pg_roles" | b"pg_database" | b"pg_tables" => Kw::CatalogTable,
        _ => Kw::Ident,
    }
}

/// Whether the concatenation of two word parts (split by a comment, `un/**/ion`) is a
/// keyword that filters look for: a comment inside a word is only ever filter evasion.
pub(crate) fn is_split_keyword(joined: &[u8]) -> bool {
    matches!(
        classify(joined),
        Kw::Union
            | Kw::Select
            | Kw::From
            | Kw::Where
            | Kw::Stmt
            | Kw::TimeFn
            | Kw::ErrorFn
            | Kw::HeavyFn
            | Kw::Catalog
            | Kw::Or
            | Kw::And
            | Kw::OrderGroup
            | Kw::Having
            | Kw::Waitfor
    ) || {
        let mut buf = [0u8; 24];
        matches!(
            lower(joined, &mut buf),
            Some(b"concat" | b"group_concat" | b"version" | b"database" | b"char" | b"substring")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_case_insensitively() {
        assert_eq!(classify(b"UnIoN"), Kw::Union);
        assert_eq!(classify(b"SLEEP"), Kw::TimeFn);
        assert_eq!(classify(b"Brien"), Kw::Ident);
        assert_eq!(classify(b"DBA_ROLE_PRIVS"), Kw::CatalogTable);
        assert_eq!(classify(b"v$version"), Kw::CatalogTable);
        assert_eq!(classify(b"users"), Kw::Ident);
        assert_eq!(classify(b"a_very_long_identifier_name_indeed"), Kw::Ident);
        assert!(is_split_keyword(b"UNION"));
        assert!(!is_split_keyword(b"station"));
    }
}
