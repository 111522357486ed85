//! The teaser rows every list is made of, and topping a short list up with nearby stories.

use sqlx::{FromRow, Row};

use crate::db::Db;

use crate::core::{Slug, Timestamp};
use crate::discovery::text::excerpt;
use crate::discovery::types::{Teaser, EXCERPT_CHARS};

pub(super) const TEASER_COLUMNS: &str = "a.id, a.slug, a.title, a.summary, a.published_at";

#[derive(FromRow)]
struct TeaserRow {
    id: i64,
    slug: Slug,
    title: String,
    summary: String,
    published_at: Timestamp,
}

pub(super) fn teaser(row: &sqlx::sqlite::SqliteRow) -> sqlx::Result<(i64, Teaser)> {
    let r = TeaserRow::from_row(row)?;
    let teaser = Teaser {
        slug: r.slug,
        title: r.title,
        excerpt: excerpt(&r.summary, EXCERPT_CHARS),
        published: r.published_at.into(),
    };
    Ok((r.id, teaser))
}

pub(super) fn teasers(rows: &[sqlx::sqlite::SqliteRow]) -> sqlx::Result<Vec<(i64, Teaser)>> {
    rows.iter().map(teaser).collect()
}

/// Fills `found` up to `limit` with stories not in it and not in `skip`: those published
/// nearest in time to story `near` (so small sites still get lists that differ from story to
/// story), or the latest when there is no such story.
pub(super) async fn top_up(
    db: &Db,
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
            let mut rows = sqlx::query(&sql).bind(id).bind(wanted).fetch_all(db.read()).await?;
            let distance = |row: &sqlx::sqlite::SqliteRow| -> sqlx::Result<i64> {
                let at = |column| row.try_get::<Timestamp, _>(column).map(|t| t.time().timestamp());
                Ok((at("published_at")? - at("mine")?).abs())
            };
            let mut keyed = rows.into_iter().map(|row| Ok((distance(&row)?, row))).collect::<sqlx::Result<Vec<_>>>()?;
            keyed.sort_by_key(|(distance, _)| *distance);
            rows = keyed.into_iter().map(|(_, row)| row).collect();
            rows
        }
        None => {
            let sql =
                format!("SELECT {TEASER_COLUMNS} FROM articles a ORDER BY a.published_at DESC, a.id DESC LIMIT ?");
            sqlx::query(&sql).bind(wanted).fetch_all(db.read()).await?
        }
    };
    for (id, t) in teasers(&rows)? {
        if found.len() >= limit {
            break;
        }
        if !skip.contains(&id) && found.iter().all(|(f, _)| *f != id) {
            found.push((id, t));
        }
    }
    Ok(())
}
