//! View counts and Popular.

use super::teasers::{teasers, top_up, TeaserRow, TEASER_COLUMNS};
use crate::db::Db;
use crate::discovery::types::Teaser;

/// Adds counted views for one UTC day (`YYYY-MM-DD`).
pub async fn add_views(db: &Db, day: &str, views: &[(i64, i64)]) -> sqlx::Result<()> {
    let mut tx = db.write().await?;
    for (article_id, count) in views {
        // The article may have been deleted since it was viewed: the sub-select skips it.
        crate::on!(tx, |ex| sqlx::query(
            "INSERT INTO article_views (article_id, day, views) SELECT id, $1, $2 FROM articles WHERE id = $3 \
             ON CONFLICT (article_id, day) DO UPDATE SET views = article_views.views + excluded.views",
        )
        .bind(day)
        .bind(count)
        .bind(article_id)
        .execute(ex)
        .await
        .map(|done| done.rows_affected()))?;
    }
    tx.commit().await
}

/// The most-viewed stories since `since_day` (inclusive; `""` for all time), most views first.
pub async fn most_viewed(db: &Db, since_day: &str, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    // Ranked before the join, so only the winners are looked up.
    let sql = format!(
        "SELECT {TEASER_COLUMNS} FROM (SELECT article_id, SUM(views) AS views FROM article_views \
             WHERE day >= $1 GROUP BY article_id ORDER BY SUM(views) DESC, article_id DESC LIMIT $2) v \
         JOIN articles a ON a.id = v.article_id \
         ORDER BY v.views DESC, a.id DESC"
    );
    let rows = crate::on!(db, |ex| sqlx::query_as::<_, TeaserRow>(&sql)
        .bind(since_day)
        .bind(limit as i64)
        .fetch_all(ex)
        .await)?;
    Ok(teasers(rows))
}

/// Popular: the most-read stories of the seven days up to `today`; when fewer than `limit`
/// were read in that window, topped up from all time, then from the latest stories.
pub async fn popular(db: &Db, today: chrono::NaiveDate, limit: usize) -> sqlx::Result<Vec<(i64, Teaser)>> {
    let since = (today - chrono::Days::new(6)).format("%Y-%m-%d").to_string();
    let mut found = most_viewed(db, &since, limit).await?;
    if found.len() < limit {
        for (id, t) in most_viewed(db, "", limit + found.len()).await? {
            if found.len() < limit && found.iter().all(|(f, _)| *f != id) {
                found.push((id, t));
            }
        }
    }
    top_up(db, &mut found, &[], None, limit).await?;
    Ok(found)
}

// Private-use characters mark the matched words in snippets: they cannot come from the
