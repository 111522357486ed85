//! The only place that writes SQL for discovery: the search index (SQLite FTS5), Related,
//! More like this, view counts and Popular, search.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection, SqlitePool};

use super::search::{SearchHit, SearchQuery, SnippetPart};
use super::text::{excerpt, is_stop_word, plain_text, words};
use super::{Teaser, EXCERPT_CHARS};
use crate::articles::store::published;

const TEASER_COLUMNS: &str = "a.id, a.slug, a.title, a.summary, a.published_at";

fn teaser(row: &sqlx::sqlite::SqliteRow) -> (i64, Teaser) {
    let teaser = Teaser {
        slug: row.get("slug"),
        title: row.get("title"),
        excerpt: excerpt(row.get::<&str, _>("summary"), EXCERPT_CHARS),
        published: published(row.get::<&str, _>("published_at")),
    };
    (row.get("id"), teaser)
}

/// Puts an article's current text into the search index (called whenever it is saved).
pub async fn index_article(
    conn: &mut SqliteConnection,
    id: i64,
    title: &str,
    summary: &str,
    body_html: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM article_search WHERE rowid = ?").bind(id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO article_search (rowid, title, summary, body) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(title)
        .bind(summary)
        .bind(plain_text(body_html))
        .execute(&mut *conn)
        .await?;
    let (terms, archive_size) = describing_terms(&mut *conn, id).await?;
    save_keywords(&mut *conn, id, &terms, archive_size).await
}

async fn save_keywords(conn: &mut SqliteConnection, id: i64, terms: &[String], archive_size: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO article_keywords (article_id, terms, archive_size) VALUES (?, ?, ?) \
         ON CONFLICT (article_id) DO UPDATE SET terms = excluded.terms, archive_size = excluded.archive_size",
    )
    .bind(id)
    .bind(terms.join(" "))
    .bind(archive_size)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A story's saved "More like this" words. Words chosen among fewer than `SETTLED` stories
/// (a young site, the start of a bulk import) are chosen again — cheap at that size, and saved
/// in the background — whenever the archive has changed since.
async fn keywords(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<String>> {
    const SETTLED: i64 = 100;
    let saved: Option<(String, i64)> =
        sqlx::query_as("SELECT terms, archive_size FROM article_keywords WHERE article_id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    if let Some((terms, size)) = &saved {
        if *size >= SETTLED || *size == stories(pool).await? {
            return Ok(terms.split_whitespace().map(str::to_owned).collect());
        }
    }
    let (terms, size) = describing_terms(&mut *pool.acquire().await?, id).await?;
    let (pool, saved_terms) = (pool.clone(), terms.clone());
    tokio::spawn(async move {
        let result = async { save_keywords(&mut *pool.acquire().await?, id, &saved_terms, size).await }.await;
        if let Err(error) = result {
            tracing::warn!(%error, id, "More like this words could not be saved");
        }
    });
    Ok(terms)
}

async fn stories<'c>(conn: impl sqlx::SqliteExecutor<'c>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM articles").fetch_one(conn).await
}

/// Indexes the articles the search index does not have yet (those stored before the index
/// existed). Returns how many.
pub async fn index_missing(pool: &SqlitePool) -> sqlx::Result<usize> {
    let rows = sqlx::query(
        "SELECT id, title, summary, body_html FROM articles WHERE id NOT IN (SELECT rowid FROM article_search)",
    )
    .fetch_all(pool)
    .await?;
    let mut tx = pool.begin().await?;
    for row in &rows {
        index_article(&mut tx, row.get("id"), row.get("title"), row.get("summary"), row.get("body_html")).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// Up to `limit` stories sharing this one's tags and section: each shared tag counts twice,
/// the same section once; ties go to the stories published nearest in time. Topped up with
/// the latest stories on a small site.
pub async fn related(pool: &SqlitePool, id: i64, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    // Candidates: every story sharing a tag, and the 40 section stories nearest in time
    // (both found through indexes, so the work does not grow with the whole archive).
    let sql = format!(
        "WITH me AS (SELECT id, category_id, published_at FROM articles WHERE id = ?1), \
         shared AS (SELECT other.article_id AS id, COUNT(*) AS tags \
             FROM article_tags mine JOIN article_tags other ON other.tag_id = mine.tag_id \
             WHERE mine.article_id = ?1 AND other.article_id <> ?1 GROUP BY other.article_id), \
         section AS ( \
             SELECT id FROM (SELECT a.id FROM articles a JOIN me ON a.category_id = me.category_id \
                 WHERE a.published_at <= me.published_at AND a.id <> ?1 ORDER BY a.published_at DESC LIMIT 20) \
             UNION ALL \
             SELECT id FROM (SELECT a.id FROM articles a JOIN me ON a.category_id = me.category_id \
                 WHERE a.published_at > me.published_at ORDER BY a.published_at ASC LIMIT 20)) \
         SELECT {TEASER_COLUMNS} FROM articles a CROSS JOIN me LEFT JOIN shared s ON s.id = a.id \
         WHERE a.id IN (SELECT id FROM shared UNION SELECT id FROM section) \
         ORDER BY COALESCE(s.tags, 0) * 2 + (a.category_id = me.category_id) DESC, \
             ABS(julianday(a.published_at) - julianday(me.published_at)), a.id \
         LIMIT ?2"
    );
    let rows = sqlx::query(&sql).bind(id).bind(limit as i64).fetch_all(pool).await?;
    let mut found: Vec<(i64, Teaser)> = rows.iter().map(teaser).collect();
    top_up(pool, &mut found, &[id], Some(id), limit).await?;
    Ok(found)
}

/// Up to `limit` stories whose text is most like this one's (FTS5 bm25 over the words that
/// describe it best), leaving out `shown` (e.g. the Related list) so the lists differ.
pub async fn more_like_this(
    pool: &SqlitePool,
    id: i64,
    shown: &[i64],
    limit: usize,
) -> sqlx::Result<Vec<(i64, Teaser)>> {
    let mut skip = shown.to_vec();
    skip.push(id);
    let mut found = Vec::new();
    let terms = keywords(pool, id).await?;
    if !terms.is_empty() {
        let query = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ");
        let sql = format!(
            "SELECT {TEASER_COLUMNS} FROM article_search JOIN articles a ON a.id = article_search.rowid \
             WHERE article_search MATCH ? ORDER BY bm25(article_search, 4.0, 2.0, 1.0), a.id LIMIT ?"
        );
        let rows = sqlx::query(&sql).bind(query).bind((limit + skip.len()) as i64).fetch_all(pool).await?;
        found = rows.iter().map(teaser).filter(|(other, _)| !skip.contains(other)).take(limit).collect();
    }
    top_up(pool, &mut found, &skip, Some(id), limit).await?;
    Ok(found)
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
pub async fn describing_terms(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<(Vec<String>, i64)> {
    const TERMS: usize = 10;
    const MATCH_BUDGET: i64 = 600;
    let row = sqlx::query("SELECT title, summary, body FROM article_search WHERE rowid = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let stories = stories(&mut *conn).await?;
    let Some(row) = row else { return Ok((Vec::new(), stories)) };
    let candidates = frequent_words(row.get("title"), row.get("summary"), row.get("body"));
    if candidates.is_empty() {
        return Ok((Vec::new(), stories));
    }
    let marks = vec!["?"; candidates.len()].join(", ");
    let sql = format!("SELECT term, doc FROM article_search_terms WHERE term IN ({marks})");
    let mut query = sqlx::query(&sql);
    for (word, _) in &candidates {
        query = query.bind(word);
    }
    let in_stories: HashMap<String, i64> =
        query.fetch_all(&mut *conn).await?.iter().map(|r| (r.get("term"), r.get("doc"))).collect();
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

/// Fills `found` up to `limit` with stories not in it and not in `skip`: those published
/// nearest in time to story `near` (so small sites still get lists that differ from story to
/// story), or the latest when there is no such story.
async fn top_up(
    pool: &SqlitePool,
    found: &mut Vec<(i64, Teaser)>,
    skip: &[i64],
    near: Option<i64>,
    limit: usize,
) -> sqlx::Result<()> {
    if found.len() >= limit {
        return Ok(());
    }
    let wanted = (limit + skip.len() + found.len()) as i64;
    let rows = match near {
        // Both directions walk the date index from the story outwards.
        Some(id) => {
            let sql = format!(
                "WITH me AS (SELECT published_at FROM articles WHERE id = ?1) \
                 SELECT * FROM (SELECT {TEASER_COLUMNS}, me.published_at AS mine FROM articles a, me \
                     WHERE a.published_at <= me.published_at ORDER BY a.published_at DESC LIMIT ?2) \
                 UNION ALL \
                 SELECT * FROM (SELECT {TEASER_COLUMNS}, me.published_at AS mine FROM articles a, me \
                     WHERE a.published_at > me.published_at ORDER BY a.published_at ASC LIMIT ?2)"
            );
            let mut rows = sqlx::query(&sql).bind(id).bind(wanted).fetch_all(pool).await?;
            let seconds = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map_or(i64::MAX / 4, |t| t.timestamp());
            rows.sort_by_key(|row| (seconds(row.get("published_at")) - seconds(row.get("mine"))).abs());
            rows
        }
        None => {
            let sql = format!("SELECT {TEASER_COLUMNS} FROM articles a ORDER BY a.published_at DESC, a.id DESC LIMIT ?");
            sqlx::query(&sql).bind(wanted).fetch_all(pool).await?
        }
    };
    for (id, t) in rows.iter().map(teaser) {
        if found.len() >= limit {
            break;
        }
        if !skip.contains(&id) && found.iter().all(|(f, _)| *f != id) {
            found.push((id, t));
        }
    }
    Ok(())
}

/// Adds counted views for one UTC day (`YYYY-MM-DD`).
pub async fn add_views(pool: &SqlitePool, day: &str, views: &[(i64, i64)]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    for (article_id, count) in views {
        // The article may have been deleted since it was viewed: the sub-select skips it.
        sqlx::query(
            "INSERT INTO article_views (article_id, day, views) SELECT id, ?, ? FROM articles WHERE id = ? \
             ON CONFLICT (article_id, day) DO UPDATE SET views = views + excluded.views",
        )
        .bind(day)
        .bind(count)
        .bind(article_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The most-viewed stories since `since_day` (inclusive; `""` for all time), most views first.
pub async fn most_viewed(pool: &SqlitePool, since_day: &str, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    // Ranked before the join, so only the winners are looked up.
    let sql = format!(
        "SELECT {TEASER_COLUMNS} FROM (SELECT article_id, SUM(views) AS views FROM article_views \
             WHERE day >= ? GROUP BY article_id ORDER BY views DESC, article_id DESC LIMIT ?) v \
         JOIN articles a ON a.id = v.article_id \
         ORDER BY v.views DESC, a.id DESC"
    );
    let rows = sqlx::query(&sql).bind(since_day).bind(limit as i64).fetch_all(pool).await?;
    Ok(rows.iter().map(teaser).collect())
}

/// Popular: the most-read stories of the seven days up to `today`; when fewer than `limit`
/// were read in that window, topped up from all time, then from the latest stories.
pub async fn popular(pool: &SqlitePool, today: chrono::NaiveDate, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    let since = (today - chrono::Days::new(6)).format("%Y-%m-%d").to_string();
    let mut found = most_viewed(pool, &since, limit).await?;
    if found.len() < limit {
        for (id, t) in most_viewed(pool, "", limit + found.len()).await? {
            if found.len() < limit && found.iter().all(|(f, _)| *f != id) {
                found.push((id, t));
            }
        }
    }
    top_up(pool, &mut found, &[], None, limit).await?;
    Ok(found)
}

// Private-use characters mark the matched words in snippets: they cannot come from the
// Markdown text, and the page turns them into <mark> elements (never into raw HTML).
const MARK_OPEN: &str = "\u{E000}";
const MARK_CLOSE: &str = "\u{E001}";

/// One page of search results, best first, and the number of all matches.
pub async fn search(pool: &SqlitePool, query: &SearchQuery, limit: i64, offset: i64) -> sqlx::Result<(i64, Vec<SearchHit>)> {
    let Some(expression) = query.match_expression() else { return Ok((0, Vec::new())) };
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM article_search WHERE article_search MATCH ?")
        .bind(&expression)
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(
        "SELECT a.slug, a.published_at, c.name AS category_name, \
             highlight(article_search, 0, ?1, ?2) AS title, \
             snippet(article_search, 2, ?1, ?2, '…', 24) AS snippet \
         FROM article_search JOIN articles a ON a.id = article_search.rowid \
         JOIN categories c ON c.id = a.category_id \
         WHERE article_search MATCH ?3 \
         ORDER BY bm25(article_search, 5.0, 2.0, 1.0), a.id LIMIT ?4 OFFSET ?5",
    )
    .bind(MARK_OPEN)
    .bind(MARK_CLOSE)
    .bind(&expression)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let hits = rows
        .iter()
        .map(|row| SearchHit {
            slug: row.get("slug"),
            title: marked(row.get("title")),
            snippet: marked(row.get("snippet")),
            section: row.get("category_name"),
            published: published(row.get::<&str, _>("published_at")),
        })
        .collect();
    Ok((total, hits))
}

/// Splits FTS5 output with marks into plain and matched parts.
fn marked(text: &str) -> Vec<SnippetPart> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::articles::store::{upsert_article, NewArticle};
    use crate::articles::Slug;
    use chrono::{TimeZone, Utc};

    async fn pool() -> (SqlitePool, tempfile::TempDir) {
        crate::db::temporary().await
    }

    /// Twelve stories on four subjects, each subject in its own words.
    const STORIES: &[(&str, &str, &[&str], &str)] = &[
        ("bridge-reopens", "City", &["harbour", "transport"], "Harbour bridge reopens to buses and cyclists after girders were replaced"),
        ("bridge-tolls", "City", &["harbour", "transport", "council"], "Council rules out tolls on the rebuilt harbour bridge girders"),
        ("ferry-timetable", "City", &["harbour", "transport"], "Ferry timetable changes as bridge traffic returns to the quay"),
        ("bus-lanes", "City", &["transport", "council"], "New bus lanes planned for the ring road and the bridge approach"),
        ("cup-semi-final", "Sport", &["football"], "Athletic reach the cup semi final after a late penalty at Marsh Lane"),
        ("girls-league", "Sport", &["football", "schools"], "Girls football league kicks off with twelve school teams"),
        ("regatta", "Sport", &["rowing", "harbour"], "Regatta crews race the estuary tide past the harbour wall"),
        ("library-reopens", "Culture", &["libraries", "books"], "Central library reopens with a larger children's reading room"),
        ("bookshop-fifty", "Culture", &["books", "shops"], "Tanners Row bookshop marks fifty years of reading and readings"),
        ("jazz-festival", "Culture", &["music", "harbour"], "Jazz festival returns to harbour stages for a twentieth summer"),
        ("comet-night", "Science", &["astronomy"], "Comet viewing night draws telescopes and families to the hill"),
        ("salt-marsh", "Science", &["estuary", "climate"], "Salt marsh study finds the estuary mud stores more carbon than forest"),
    ];

    async fn seed(pool: &SqlitePool) -> HashMap<String, i64> {
        let mut ids = HashMap::new();
        let mut tx = pool.begin().await.unwrap();
        for (day, (slug, category, tags, title)) in STORIES.iter().enumerate() {
            let at = Utc.with_ymd_and_hms(2026, 10, 1 + day as u32, 9, 0, 0).unwrap();
            let body = format!("<p>{title}.</p><p>Readers wrote to the <em>Courier</em> about {title}, and about what comes next.</p>");
            let article = NewArticle {
                slug: Slug::parse(slug).unwrap(),
                title: title.to_string(),
                summary: format!("{title}, as our reporter found when she went to see for herself on the day it happened."),
                body_html: body,
                author: "Ann Writer".into(),
                category: category.to_string(),
                tags: tags.iter().map(|t| t.to_string()).collect(),
                published_at: at,
                updated_at: at,
                image: None,
            };
            ids.insert(slug.to_string(), upsert_article(&mut tx, &article).await.unwrap().0);
        }
        tx.commit().await.unwrap();
        ids
    }

    fn slugs(list: &[(i64, Teaser)]) -> Vec<&str> {
        list.iter().map(|(_, t)| t.slug.as_str()).collect()
    }

    #[tokio::test]
    async fn related_ranks_shared_tags_then_section_and_never_the_story_itself() {
        let (pool, _dir) = pool().await;
        let ids = seed(&pool).await;
        let related = related(&pool, ids["bridge-reopens"], 5).await.unwrap();
        let found = slugs(&related);
        assert_eq!(found.len(), 5);
        assert!(!found.contains(&"bridge-reopens"));
        // Two shared tags and the same section first (the one nearest in time leads), then
        // one shared tag in the section, then one shared tag elsewhere.
        assert_eq!(&found[..3], ["bridge-tolls", "ferry-timetable", "bus-lanes"]);
        assert!(found[3..].iter().all(|s| ["regatta", "jazz-festival"].contains(s)), "{found:?}");
    }

    #[tokio::test]
    async fn every_story_gets_full_distinct_lists_that_do_not_repeat_each_other() {
        let (pool, _dir) = pool().await;
        let ids = seed(&pool).await;
        let mut related_lists = Vec::new();
        let mut similar_lists = Vec::new();
        for (slug, id) in &ids {
            let rel = related(&pool, *id, 5).await.unwrap();
            let shown: Vec<i64> = rel.iter().map(|(id, _)| *id).collect();
            let similar = more_like_this(&pool, *id, &shown, 5).await.unwrap();
            assert!(rel.len() >= 4 && similar.len() >= 4, "{slug}: {rel:?} {similar:?}");
            assert!(rel.iter().chain(&similar).all(|(other, _)| other != id), "{slug} lists itself");
            assert!(similar.iter().all(|(other, _)| !shown.contains(other)), "{slug}: More like this repeats Related");
            related_lists.push(slugs(&rel).join(","));
            similar_lists.push(slugs(&similar).join(","));
        }
        related_lists.sort();
        related_lists.dedup();
        similar_lists.sort();
        similar_lists.dedup();
        assert!(related_lists.len() >= 10, "different stories get different Related lists: {related_lists:?}");
        assert!(similar_lists.len() >= 10, "and different More like this lists: {similar_lists:?}");
    }

    #[tokio::test]
    async fn more_like_this_follows_the_words() {
        let (pool, _dir) = pool().await;
        let ids = seed(&pool).await;
        // Nothing excluded: the closest texts to the bridge story are the other bridge stories.
        let similar = more_like_this(&pool, ids["bridge-reopens"], &[], 5).await.unwrap();
        assert!(["bridge-tolls", "ferry-timetable", "bus-lanes"].contains(&similar[0].1.slug.as_str()), "{similar:?}");
        let similar = more_like_this(&pool, ids["library-reopens"], &[], 5).await.unwrap();
        assert_eq!(similar[0].1.slug, "bookshop-fifty", "reading");
        assert_eq!(frequent_words("The bridge, the bridge", "harbour", "and")[..2], [("bridge".into(), 8), ("harbour".into(), 2)]);
    }

    #[tokio::test]
    async fn popular_counts_the_last_seven_days_then_all_time_then_the_latest() {
        let (pool, _dir) = pool().await;
        let ids = seed(&pool).await;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let day = |ago: u64| (today - chrono::Days::new(ago)).format("%Y-%m-%d").to_string();
        // With no views at all, the latest stories stand in.
        assert_eq!(slugs(&popular(&pool, today, 2).await.unwrap()), ["salt-marsh", "comet-night"]);
        add_views(&pool, &day(10), &[(ids["regatta"], 100)]).await.unwrap();
        add_views(&pool, &day(7), &[(ids["girls-league"], 50)]).await.unwrap();
        add_views(&pool, &day(6), &[(ids["bus-lanes"], 3)]).await.unwrap();
        add_views(&pool, &day(0), &[(ids["bridge-tolls"], 2), (ids["bus-lanes"], 1)]).await.unwrap();
        add_views(&pool, &day(0), &[(ids["bridge-tolls"], 1)]).await.unwrap();
        // Inside the window: bus-lanes 4, bridge-tolls 3; regatta and girls-league are older.
        assert_eq!(slugs(&popular(&pool, today, 2).await.unwrap()), ["bus-lanes", "bridge-tolls"]);
        assert_eq!(
            slugs(&popular(&pool, today, 5).await.unwrap()),
            ["bus-lanes", "bridge-tolls", "regatta", "girls-league", "salt-marsh"]
        );
        // Views of a story deleted meanwhile are dropped, not an error.
        add_views(&pool, &day(0), &[(999_999, 5)]).await.unwrap();
    }

    #[tokio::test]
    async fn search_ranks_highlights_and_survives_hostile_input() {
        let (pool, _dir) = pool().await;
        seed(&pool).await;
        let (total, hits) = search(&pool, &SearchQuery::parse("BRIDGE girders"), 10, 0).await.unwrap();
        assert_eq!(total, 2);
        assert_eq!(hits[0].title.iter().filter(|p| p.hit).map(|p| p.text.as_str()).collect::<Vec<_>>(), ["bridge", "girders"]);
        assert!(hits[0].snippet.iter().any(|p| p.hit));
        let (_, page_two) = search(&pool, &SearchQuery::parse("bridge"), 2, 2).await.unwrap();
        assert_eq!(page_two.len(), 2, "pagination");
        let hostile = [
            "\"", "\"unbalanced", "NEAR(bridge harbour)", "bridge*", "* OR *", "bridge OR", "AND", "NOT bridge",
            "title:bridge", "^bridge", "'; DROP TABLE articles; --", "<script>alert(1)</script>", "\u{E000}x\u{E001}",
            "\0", "((((", "-bridge", "+", "{title summary}: bridge",
        ];
        for raw in hostile.iter().map(|s| s.to_string()).chain([format!("bridge {}", "a".repeat(2000)), "é".repeat(2000)]) {
            search(&pool, &SearchQuery::parse(&raw), 10, 0).await.unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        }
        assert_eq!(search(&pool, &SearchQuery::parse("NEAR(bridge harbour)"), 10, 0).await.unwrap().0, 0, "NEAR is a word here");
    }

    #[test]
    fn marks_become_parts() {
        let parts = marked("a \u{E000}b\u{E001} c \u{E000}d\u{E001}");
        let shown: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(shown, [("a ", false), ("b", true), (" c ", false), ("d", true)]);
    }
}
