//! Search: FTS5 ranked by bm25, with the matched words marked.

use sqlx::FromRow;

use crate::core::{Slug, Timestamp};
use crate::db::Db;
use crate::discovery::search_query::{SearchHit, SearchQuery, SnippetPart};

const MARK_OPEN: &str = "\u{E000}";
const MARK_CLOSE: &str = "\u{E001}";

#[derive(FromRow)]
struct HitRow {
    slug: Slug,
    published_at: Timestamp,
    category_name: String,
    title: String,
    snippet: String,
}

/// One page of search results, best first, and the number of all matches.
pub async fn search(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> sqlx::Result<(i64, Vec<SearchHit>)> {
    let Some(expression) = query.match_expression() else { return Ok((0, Vec::new())) };
    if db.is_postgres() {
        return search_postgres(db, query, limit, offset).await;
    }
    let total: i64 =
        crate::on!(db, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM article_search WHERE article_search MATCH $1")
            .bind(&expression)
            .fetch_one(ex)
            .await)?;
    // Rank first, then mark words only in the page's rows: highlight() and snippet() cost
    // far more than bm25(), and a common word matches thousands of stories.
    let rows: Vec<HitRow> = crate::on!(db, |ex| sqlx::query_as(
        "WITH ranked AS ( \
             SELECT rowid AS id, bm25(article_search, 5.0, 2.0, 1.0) AS score FROM article_search \
             WHERE article_search MATCH $3 ORDER BY score, rowid LIMIT $4 OFFSET $5) \
         SELECT a.slug, a.published_at, c.name AS category_name, \
             highlight(article_search, 0, $1, $2) AS title, \
             snippet(article_search, 2, $1, $2, '…', 24) AS snippet \
         FROM ranked JOIN article_search ON article_search.rowid = ranked.id \
         JOIN articles a ON a.id = ranked.id \
         JOIN categories c ON c.id = a.category_id \
         WHERE article_search MATCH $3 \
         ORDER BY ranked.score, ranked.id",
    )
    .bind(MARK_OPEN)
    .bind(MARK_CLOSE)
    .bind(&expression)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await)?;
    Ok((total, hits(rows)))
}

/// Search on PostgreSQL: the weighted `tsvector` of each story (title A, summary B, body C)
/// through its GIN index, ranked by `ts_rank` with the weights SQLite's bm25 uses (5 : 2 : 1),
/// marked by `ts_headline`. `plainto_tsquery` reads any text as plain words joined by AND, so
/// no input is an operator or an error, as with the quoted FTS5 expression.
async fn search_postgres(db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> sqlx::Result<(i64, Vec<SearchHit>)> {
    let words = query.plain_words();
    let crate::db::Engine::Postgres(pool) = db.engine() else { unreachable!("called for PostgreSQL") };
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM article_search WHERE document @@ plainto_tsquery('simple', article_search_fold($1))",
    )
    .bind(&words)
    .fetch_one(pool)
    .await?;
    let rows: Vec<HitRow> = sqlx::query_as(
        "WITH q AS (SELECT plainto_tsquery('simple', article_search_fold($1)) AS q), \
         ranked AS ( \
             SELECT rowid AS id, ts_rank('{0.1, 0.2, 0.4, 1.0}', document, q.q, 1) AS score \
             FROM article_search, q WHERE document @@ q.q ORDER BY score DESC, rowid LIMIT $2 OFFSET $3) \
         SELECT a.slug, a.published_at, c.name AS category_name, \
             ts_headline('simple', s.title, q.q, $4) AS title, \
             ts_headline('simple', s.body, q.q, $5) AS snippet \
         FROM ranked JOIN article_search s ON s.rowid = ranked.id \
         JOIN articles a ON a.id = ranked.id \
         JOIN categories c ON c.id = a.category_id, q \
         ORDER BY ranked.score DESC, ranked.id",
    )
    .bind(&words)
    .bind(limit)
    .bind(offset)
    .bind(format!("StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, HighlightAll=true"))
    .bind(format!("StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}, MaxWords=24, MinWords=12, ShortWord=0"))
    .fetch_all(pool)
    .await?;
    Ok((total, hits(rows)))
}

fn hits(rows: Vec<HitRow>) -> Vec<SearchHit> {
    rows.into_iter()
        .map(|row| SearchHit {
            slug: row.slug,
            title: marked(&row.title),
            snippet: marked(&row.snippet),
            section: row.category_name,
            published: row.published_at.into(),
        })
        .collect()
}

/// Splits FTS5 output with marks into plain and matched parts.
pub(super) fn marked(text: &str) -> Vec<SnippetPart> {
    let mut parts = Vec::new();
    for (i, piece) in text.split(MARK_OPEN).enumerate() {
        let (hit, rest) = match (i, piece.split_once(MARK_CLOSE)) {
            (0, _) | (_, None) => ("", piece),
            (_, Some((hit, rest))) => (hit, rest),
        };
        if !hit.is_empty() {
            parts.push(SnippetPart { text: hit.to_owned(), hit: true });
        }
        if !rest.is_empty() {
            parts.push(SnippetPart { text: rest.to_owned(), hit: false });
        }
    }
    parts
}
