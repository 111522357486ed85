//! The search index (SQLite FTS5) and each story's "More like this" words, chosen when the
//! story is saved.

use std::collections::HashMap;

use crate::db::Db;
use crate::discovery::text::{is_stop_word, plain_text, words};

/// Puts an article's current text into the search index (called whenever it is saved).
pub async fn index_article(
    conn: &mut impl crate::db::Link,
    id: i64,
    title: &str,
    summary: &str,
    body_html: &str,
) -> sqlx::Result<()> {
    crate::on!(conn, |ex| sqlx::query("DELETE FROM article_search WHERE rowid = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(conn, |ex| sqlx::query(
        "INSERT INTO article_search (rowid, title, summary, body) VALUES ($1, $2, $3, $4)"
    )
    .bind(id)
    .bind(title)
    .bind(summary)
    .bind(plain_text(body_html))
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    let (terms, archive_size) = describing_terms(&mut *conn, id).await?;
    save_keywords(&mut *conn, id, &terms, archive_size).await
}

/// Takes a story out of search and More like this (it was unpublished or is not out yet).
pub async fn unindex_article(conn: &mut impl crate::db::Link, id: i64) -> sqlx::Result<()> {
    crate::on!(conn, |ex| sqlx::query("DELETE FROM article_search WHERE rowid = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    crate::on!(conn, |ex| sqlx::query("DELETE FROM article_keywords WHERE article_id = $1")
        .bind(id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(())
}

async fn save_keywords(
    conn: &mut impl crate::db::Link,
    id: i64,
    terms: &[String],
    archive_size: i64,
) -> sqlx::Result<()> {
    crate::on!(conn, |ex| sqlx::query(
        "INSERT INTO article_keywords (article_id, terms, archive_size) VALUES ($1, $2, $3) \
         ON CONFLICT (article_id) DO UPDATE SET terms = excluded.terms, archive_size = excluded.archive_size",
    )
    .bind(id)
    .bind(terms.join(" "))
    .bind(archive_size)
    .execute(ex)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}

/// A story's saved "More like this" words. Words chosen among fewer than `SETTLED` stories
/// (a young site, the start of a bulk import) are chosen again — cheap at that size, and saved
/// in the background — whenever the archive has changed since.
pub(super) async fn keywords(db: &Db, id: i64) -> sqlx::Result<Vec<String>> {
    const SETTLED: i64 = 100;
    let saved: Option<(String, i64)> =
        crate::on!(db, |ex| sqlx::query_as("SELECT terms, archive_size FROM article_keywords WHERE article_id = $1")
            .bind(id)
            .fetch_optional(ex)
            .await)?;
    if let Some((terms, size)) = &saved {
        if *size >= SETTLED || *size == stories(&mut db.connection().await?).await? {
            return Ok(terms.split_whitespace().map(str::to_owned).collect());
        }
    }
    let (terms, size) = describing_terms(&mut db.connection().await?, id).await?;
    let (db, saved_terms) = (db.clone(), terms.clone());
    tokio::spawn(async move {
        let result = async {
            let mut tx = db.write().await?;
            save_keywords(&mut tx, id, &saved_terms, size).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = result {
            tracing::warn!(%error, id, "More like this words could not be saved");
        }
    });
    Ok(terms)
}

async fn stories(conn: &mut impl crate::db::Link) -> sqlx::Result<i64> {
    crate::on!(conn, |ex| sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(ex).await)
}

/// Indexes the articles the search index does not have yet (those stored before the index
/// existed). Returns how many.
pub async fn index_missing(db: &Db) -> sqlx::Result<usize> {
    let rows: Vec<(i64, String, String, String)> = crate::on!(db, |ex| sqlx::query_as(
        "SELECT id, title, summary, body_html FROM articles WHERE id NOT IN (SELECT rowid FROM article_search)",
    )
    .fetch_all(ex)
    .await)?;
    let mut tx = db.write().await?;
    for (id, title, summary, body_html) in &rows {
        index_article(&mut tx, *id, title, summary, body_html).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// PostgreSQL: (word, stories that have it) for the words bound as `$1`…`$words`. ts_stat
/// (behind PostgreSQL's article_search_terms) reads every document; counting each word's
/// stories through the GIN index reads only theirs.
pub(super) fn postgres_story_counts(words: usize) -> String {
    (1..=words)
        .map(|n| {
            format!(
                "SELECT CAST(${n} AS TEXT), (SELECT COUNT(*) FROM article_search \
                 WHERE document @@ plainto_tsquery('simple', article_search_fold(${n})))"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// A story's most frequent words that are not stop words, with their weight (a title word
/// counts four times, a summary word twice), heaviest first.
pub fn frequent_words(title: &str, summary: &str, body: &str) -> Vec<(String, usize)> {
    const CANDIDATES: usize = 40;
    let mut weight: HashMap<String, usize> = HashMap::new();
    for (text, w) in [(title, 4), (summary, 2), (body, 1)] {
        for word in words(text).filter(|w| !is_stop_word(w)) {
            *weight.entry(word).or_default() += w;
        }
    }
    let mut ranked: Vec<(String, usize)> = weight.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(CANDIDATES);
    ranked
}

/// Of a story's frequent words, those that tell it apart (tf·idf): a word no other story has
/// cannot find anything, and a word in most stories finds everything. The words together may
/// appear in at most `MATCH_BUDGET` stories, which bounds the work of ranking the matches.
/// Returns them with the number of stories they were chosen among.
pub async fn describing_terms(conn: &mut impl crate::db::Link, id: i64) -> sqlx::Result<(Vec<String>, i64)> {
    const TERMS: usize = 10;
    const MATCH_BUDGET: i64 = 600;
    let row: Option<(String, String, String)> =
        crate::on!(conn, |ex| sqlx::query_as("SELECT title, summary, body FROM article_search WHERE rowid = $1")
            .bind(id)
            .fetch_optional(ex)
            .await)?;
    let stories = stories(&mut *conn).await?;
    let Some((title, summary, body)) = row else { return Ok((Vec::new(), stories)) };
    let candidates = frequent_words(&title, &summary, &body);
    if candidates.is_empty() {
        return Ok((Vec::new(), stories));
    }
    let sql = if conn.is_postgres() {
        postgres_story_counts(candidates.len())
    } else {
        let marks = (1..=candidates.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        format!("SELECT term, doc FROM article_search_terms WHERE term IN ({marks})")
    };
    let in_stories: HashMap<String, i64> = crate::on!(conn, |ex| {
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for (word, _) in &candidates {
            query = query.bind(word);
        }
        query.fetch_all(ex).await
    })?
    .into_iter()
    .collect();
    let mut scored: Vec<(f64, i64, String)> = candidates
        .into_iter()
        .filter_map(|(word, weight)| {
            let docs = *in_stories.get(&word)?;
            (docs > 1 && docs * 2 <= stories.max(2))
                .then(|| (weight as f64 * (stories as f64 / docs as f64).ln(), docs, word))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    let mut budget = MATCH_BUDGET;
    let mut terms = Vec::new();
    for (_, docs, word) in scored {
        if terms.len() == TERMS {
            break;
        }
        if docs <= budget {
            budget -= docs;
            terms.push(word);
        }
    }
    Ok((terms, stories))
}
