//! (server) Moving a site from SQLite to PostgreSQL: every row of every table, with its id, into
//! a new, empty PostgreSQL database, so a site that outgrew one machine keeps its stories,
//! comments, subscribers, staff, sessions and queued mail.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Connection, Row, ValueRef};

use super::{Db, Engine};

/// What was copied: rows per table, in the order they were written.
#[derive(Debug)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

impl Copied {
    pub fn rows(&self, table: &str) -> u64 {
        self.tables.iter().find(|(t, _)| t == table).map_or(0, |(_, n)| *n)
    }
}

/// Why a copy did not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the site to copy must be a SQLite database and the copy's a PostgreSQL one")]
    Engines,
    #[error("the PostgreSQL database already holds a site ({0} has rows); copy into a new, empty database")]
    NotEmpty(String),
    #[error("the copy differs from the site in {table}: {source_rows} rows there, {copied} copied")]
    Differs { table: String, source_rows: i64, copied: i64 },
    #[error("column {0} has the type {1}, which the copy does not know how to fill")]
    UnknownType(String, String),
    #[error("{0}")]
    Database(#[from] sqlx::Error),
}

/// Tables only one engine has, or that are not the site's data.
fn skipped(table: &str) -> bool {
    // Which processes serve a database is not the site's to move.
    table == "_sqlx_migrations" || table == "nodes"
}

/// The tables the migrations themselves fill (one row of counters each): any other row in the
/// target means it already holds a site.
const SEEDED: [&str; 4] = ["content_version", "articles_version", "queue_version", "moderation_notice"];

/// Copies everything in the SQLite database `source` into the PostgreSQL database `target`,
/// which must be migrated (as [`Db::connect`] leaves it) and hold no site yet. The source is
/// read in one transaction (one consistent state, even if the site is serving); the target is
/// written in one transaction with the tables' own triggers off (copied rows are not new
/// events or new versions), rows keeping their ids, identity counters moved past them.
/// Rows are counted on both sides before the copy is committed.
pub async fn copy_to_postgres(source: &Db, target: &Db) -> Result<Copied, CopyError> {
    let (Engine::Sqlite(from), Engine::Postgres(to)) = (source.engine(), target.engine()) else {
        return Err(CopyError::Engines);
    };
    let mut read = from.acquire().await?;
    let mut write = to.acquire().await?;
    let columns = target_columns(&mut write).await?;
    let order = dependency_order(&mut write, columns.keys().cloned().collect()).await?;
    let mut snapshot = read.begin().await?;
    let mut tx = write.begin().await?;
    // The site's write lock: a server already running on the target waits, and what is found
    // empty here stays empty until the copy is committed.
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(super::WRITE_LOCK).execute(&mut *tx).await?;
    for table in order.iter().filter(|t| !SEEDED.contains(&t.as_str())) {
        let any: bool =
            sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {table})")).fetch_one(&mut *tx).await?;
        if any {
            return Err(CopyError::NotEmpty(table.clone()));
        }
    }
    for table in &order {
        sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER")).execute(&mut *tx).await?;
    }
    // The counters the migrations wrote are replaced by the site's.
    for table in SEEDED.iter().filter(|t| columns.contains_key(**t)) {
        sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
    }
    let mut copied = Vec::new();
    for table in &order {
        let n = copy_table(&mut snapshot, &mut tx, table, &columns[table]).await?;
        copied.push((table.clone(), n));
    }
    for table in &order {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER")).execute(&mut *tx).await?;
    }
    // Identity columns count on from the highest id copied.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
             (SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}), false)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    for (table, n) in &copied {
        let there: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *snapshot).await?;
        let here: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *tx).await?;
        if there != here || here != *n as i64 {
            return Err(CopyError::Differs { table: table.clone(), source_rows: there, copied: here });
        }
    }
    // Done reading (nothing was written there); an error ending the read changes nothing.
    let _ = snapshot.rollback().await;
    tx.commit().await?;
    // Fresh statistics: the planner would otherwise plan for the empty tables it last saw
    // until autovacuum gets round to them (joins that hash every comment, say). The copy is
    // committed: autovacuum analysing later is slower, not wrong, so a failure here is not one.
    if let Err(error) = sqlx::query("ANALYZE").execute(&mut *write).await {
        tracing::warn!(%error, "the copy is complete; analysing it failed (autovacuum will)");
    }
    Ok(Copied { tables: copied })
}

/// A column of the target: its name and the kind of value it takes.
#[derive(Clone, Debug)]
struct Target {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Integer,
    Text,
    Bytes,
}

/// The target's tables (not views) and their columns that take values (generated ones, like
/// the search document, are worked out by PostgreSQL itself).
async fn target_columns(pg: &mut sqlx::PgConnection) -> Result<BTreeMap<String, Vec<Target>>, CopyError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *pg)
    .await?;
    let mut tables: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    for (table, name, data_type) in rows {
        if skipped(&table) {
            continue;
        }
        let kind = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "bytea" => Kind::Bytes,
            "text" => Kind::Text,
            other => return Err(CopyError::UnknownType(format!("{table}.{name}"), other.to_owned())),
        };
        tables.entry(table).or_default().push(Target { name, kind });
    }
    Ok(tables)
}

/// The tables, each after every table its foreign keys point to.
async fn dependency_order(pg: &mut sqlx::PgConnection, tables: BTreeSet<String>) -> sqlx::Result<Vec<String>> {
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *pg)
    .await?;
    let mut order = Vec::new();
    let mut left = tables;
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| edges.iter().all(|(from, to)| from != *t || to == *t || !left.contains(to)))
            .cloned()
            .collect();
        // A cycle between tables (none today) would stop here; take the rest as they are.
        let ready = if ready.is_empty() { left.iter().cloned().collect() } else { ready };
        for t in ready {
            left.remove(&t);
            order.push(t);
        }
    }
    Ok(order)
}

/// Copies one table's rows (oldest first, so a reply comes after the comment it answers) in
/// batches of many rows per statement.
async fn copy_table(
    sqlite: &mut sqlx::SqliteConnection,
    pg: &mut sqlx::PgConnection,
    table: &str,
    columns: &[Target],
) -> sqlx::Result<u64> {
    // FTS5's row id is not a declared column.
    let source_name = |c: &Target| {
        if table == "article_search" && c.name == "rowid" {
            "rowid".to_owned()
        } else {
            format!("\"{}\"", c.name)
        }
    };
    let list = columns.iter().map(source_name).collect::<Vec<_>>().join(", ");
    let names = columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ");
    // PostgreSQL takes at most 65,535 values per statement.
    let per_batch = (60_000 / columns.len().max(1)).max(1);
    // Read as a stream and written a batch at a time: a site that outgrew one machine may have
    // more comments than fit in memory at once.
    let select = format!("SELECT {list} FROM {table} ORDER BY 1");
    let mut rows = sqlx::query(&select).fetch(&mut *sqlite);
    let mut batch = Vec::with_capacity(per_batch);
    let mut copied = 0;
    loop {
        let row = futures::TryStreamExt::try_next(&mut rows).await?;
        let end = row.is_none();
        batch.extend(row);
        if batch.len() == per_batch || (end && !batch.is_empty()) {
            copied += insert_batch(pg, table, &names, columns, &batch).await?;
            batch.clear();
        }
        if end {
            return Ok(copied);
        }
    }
}

/// Writes `batch` into `table` with one INSERT.
async fn insert_batch(
    pg: &mut sqlx::PgConnection,
    table: &str,
    names: &str,
    columns: &[Target],
    batch: &[sqlx::sqlite::SqliteRow],
) -> sqlx::Result<u64> {
    let mut values = Vec::with_capacity(batch.len());
    let mut n = 0;
    for _ in batch {
        let marks = columns
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        values.push(format!("({marks})"));
    }
    let sql = format!("INSERT INTO {table} ({names}) VALUES {}", values.join(", "));
    let mut insert = sqlx::query(&sql);
    for row in batch {
        for (i, column) in columns.iter().enumerate() {
            let null = row.try_get_raw(i)?.is_null();
            insert = match column.kind {
                Kind::Integer => insert.bind(if null { None } else { Some(row.try_get_unchecked::<i64, _>(i)?) }),
                Kind::Text => insert.bind(if null { None } else { Some(row.try_get_unchecked::<String, _>(i)?) }),
                Kind::Bytes => insert.bind(if null { None } else { Some(row.try_get_unchecked::<Vec<u8>, _>(i)?) }),
            };
        }
    }
    Ok(insert.execute(&mut *pg).await?.rows_affected())
}
