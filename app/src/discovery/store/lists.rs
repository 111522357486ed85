//! Related and More like this.

use super::index::keywords;
use super::teasers::{teasers, top_up, TeaserRow, TEASER_COLUMNS};
use crate::db::Db;
use crate::discovery::types::Teaser;

/// Up to `limit` stories sharing this one's tags and section: each shared tag counts twice,
/// the same section once; ties go to the stories published nearest in time. Topped up with
/// the latest stories on a small site.
pub async fn related(db: &Db, id: i64, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    // Ties (two stories equally near in time) go to the newer, then by slug, not by row id:
    // the same site moved elsewhere (export, import) numbers its rows differently.
    // Candidates: every story sharing a tag, and the 40 section stories nearest in time
    // (both found through indexes, so the work does not grow with the whole archive).
    // How far apart in time two stories are, in each engine's words.
    let apart = if db.is_postgres() {
        "ABS(EXTRACT(EPOCH FROM CAST(a.published_at AS timestamptz) - CAST(me.published_at AS timestamptz)))"
    } else {
        "ABS(julianday(a.published_at) - julianday(me.published_at))"
    };
    let sql = format!(
        "WITH me AS (SELECT id, category_id, published_at FROM articles WHERE id = $1), \
         shared AS (SELECT other.article_id AS id, COUNT(*) AS tags \
             FROM article_tags mine JOIN article_tags other ON other.tag_id = mine.tag_id \
             WHERE mine.article_id = $1 AND other.article_id <> $1 GROUP BY other.article_id), \
         section AS ( \
             SELECT id FROM (SELECT a.id FROM articles a JOIN me ON a.category_id = me.category_id \
                 WHERE a.published_at <= me.published_at AND a.id <> $1 ORDER BY a.published_at DESC LIMIT 20) earlier \
             UNION ALL \
             SELECT id FROM (SELECT a.id FROM articles a JOIN me ON a.category_id = me.category_id \
                 WHERE a.published_at > me.published_at ORDER BY a.published_at ASC LIMIT 20) later) \
         SELECT {TEASER_COLUMNS} FROM articles a CROSS JOIN me LEFT JOIN shared s ON s.id = a.id \
         WHERE a.id IN (SELECT id FROM shared UNION SELECT id FROM section) \
         ORDER BY COALESCE(s.tags, 0) * 2 + CASE WHEN a.category_id = me.category_id THEN 1 ELSE 0 END DESC, \
             {apart}, a.published_at DESC, a.slug \
         LIMIT $2"
    );
    let rows =
        crate::on!(db, |ex| sqlx::query_as::<_, TeaserRow>(&sql).bind(id).bind(limit as i64).fetch_all(ex).await)?;
    let mut found: Vec<(i64, Teaser)> = teasers(rows);
    top_up(db, &mut found, &[id], Some(id), limit).await?;
    Ok(found)
}

/// Up to `limit` stories whose text is most like this one's (FTS5 bm25 over the words that
/// describe it best), leaving out `shown` (e.g. the Related list) so the lists differ.
pub async fn more_like_this(db: &Db, id: i64, shown: &[i64], limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    let mut skip = shown.to_vec();
    skip.push(id);
    let mut found = Vec::new();
    let terms = keywords(db, id).await?;
    if !terms.is_empty() {
        if db.is_postgres() {
            let rows = more_like_this_postgres(db, &terms, (limit + skip.len()) as i64).await?;
            found = teasers(rows).into_iter().filter(|(other, _)| !skip.contains(other)).take(limit).collect();
            top_up(db, &mut found, &skip, Some(id), limit).await?;
            return Ok(found);
        }
        let (query, sql) = {
            let query = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ");
            let sql = format!(
                "SELECT {TEASER_COLUMNS} FROM article_search JOIN articles a ON a.id = article_search.rowid \
                 WHERE article_search MATCH $1 ORDER BY bm25(article_search, 4.0, 2.0, 1.0), a.id LIMIT $2"
            );
            (query, sql)
        };
        let rows = crate::on!(db, |ex| sqlx::query_as::<_, TeaserRow>(&sql)
            .bind(query)
            .bind((limit + skip.len()) as i64)
            .fetch_all(ex)
            .await)?;
        found = teasers(rows).into_iter().filter(|(other, _)| !skip.contains(other)).take(limit).collect();
    }
    top_up(db, &mut found, &skip, Some(id), limit).await?;
    Ok(found)
}

/// More like this on PostgreSQL: stories with any of `terms`, ranked like bm25 — each word's
/// `ts_rank` (title 4 : summary 2 : body 1) weighed by how rare the word is across the archive
/// (`ts_rank` alone counts a word most stories have as much as a rare one) and, like bm25,
/// favouring the shorter of two stories that use a word equally (normalisation 1).
async fn more_like_this_postgres(db: &Db, terms: &[String], limit: i64) -> sqlx::Result<Vec<TeaserRow>> {
    let crate::db::Engine::Postgres(pool) = db.engine() else { unreachable!("called for PostgreSQL") };
    let stories: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(pool).await?;
    let counting = super::index::postgres_story_counts(terms.len());
    let mut counts = sqlx::query_as::<_, (String, i64)>(&counting);
    for term in terms {
        counts = counts.bind(term);
    }
    let counts: std::collections::HashMap<String, i64> = counts.fetch_all(pool).await?.into_iter().collect();
    let ranks = (0..terms.len())
        .map(|k| {
            let (term, rarity) = (3 + 2 * k, 4 + 2 * k);
            format!("ts_rank('{{0.1, 0.25, 0.5, 1.0}}', s.document, plainto_tsquery('simple', article_search_fold(${term})), 1) * ${rarity}")
        })
        .collect::<Vec<_>>()
        .join(" + ");
    // Any of the words: `or` in websearch syntax, which never fails on its input.
    let sql = format!(
        "SELECT {TEASER_COLUMNS} FROM article_search s JOIN articles a ON a.id = s.rowid \
         WHERE s.document @@ websearch_to_tsquery('simple', article_search_fold($1)) \
         ORDER BY {ranks} DESC, a.id LIMIT $2"
    );
    let mut query = sqlx::query_as::<_, TeaserRow>(&sql).bind(terms.join(" or ")).bind(limit);
    for term in terms {
        let docs = counts.get(term).copied().unwrap_or(1).max(1);
        query = query.bind(term).bind((stories.max(1) as f64 / docs as f64).ln().max(0.0) + 0.01);
    }
    query.fetch_all(pool).await
}
