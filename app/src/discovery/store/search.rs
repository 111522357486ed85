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
    let hits = rows
        .into_iter()
        .map(|row| SearchHit {
            slug: row.slug,
            title: marked(&row.title),
            snippet: marked(&row.snippet),
            section: row.category_name,
            published: row.published_at.into(),
        })
        .collect();
    Ok((total, hits))
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
