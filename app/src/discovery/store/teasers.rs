//! The teaser rows every list is made of, and topping a short list up with nearby stories.

use sqlx::FromRow;

use crate::db::Db;

use crate::core::{Slug, Timestamp};
use crate::discovery::text::excerpt;
use crate::discovery::types::{Teaser, EXCERPT_CHARS};

pub(super) const TEASER_COLUMNS: &str = "a.id, a.slug, a.title, a.summary, a.published_at";

#[derive(FromRow)]
pub(super) struct TeaserRow {
    id: i64,
    slug: Slug,
    title: String,
    summary: String,
    published_at: Timestamp,
}

pub(super) fn teaser(r: TeaserRow) -> (i64, Teaser) {
    let teaser = Teaser {
        slug: r.slug,
        title: r.title,
        excerpt: excerpt(&r.summary, EXCERPT_CHARS),
        published: r.published_at.into(),
    };
    (r.id, teaser)
}

pub(super) fn teasers(rows: Vec<TeaserRow>) -> Vec<(i64, Teaser)> {
    rows.into_iter().map(teaser).collect()
}

/// A teaser's row with the publication time of the story it is near.
#[derive(FromRow)]
struct NearRow {
    #[sqlx(flatten)]
    teaser: TeaserRow,
    mine: Timestamp,
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
                "WITH me AS (SELECT published_at FROM articles WHERE id = $1) \
                 SELECT * FROM (SELECT {TEASER_COLUMNS}, me.published_at AS mine FROM articles a, me \
                     WHERE a.published_at <= me.published_at ORDER BY a.published_at DESC LIMIT $2) earlier \
                 UNION ALL \
                 SELECT * FROM (SELECT {TEASER_COLUMNS}, me.published_at AS mine FROM articles a, me \
                     WHERE a.published_at > me.published_at ORDER BY a.published_at ASC LIMIT $2) later"
            );
            let mut rows: Vec<NearRow> =
                crate::on!(db, |ex| sqlx::query_as(&sql).bind(id).bind(wanted).fetch_all(ex).await)?;
            // Stable: stories equally far keep the order the query gave them.
            rows.sort_by_key(|r| (r.teaser.published_at.time() - r.mine.time()).num_seconds().abs());
            rows.into_iter().map(|r| r.teaser).collect()
        }
        None => {
            let sql =
                format!("SELECT {TEASER_COLUMNS} FROM articles a ORDER BY a.published_at DESC, a.id DESC LIMIT $1");
            crate::on!(db, |ex| sqlx::query_as(&sql).bind(wanted).fetch_all(ex).await)?
        }
    };
    for (id, t) in teasers(rows) {
        if found.len() >= limit {
            break;
        }
        if !skip.contains(&id) && found.iter().all(|(f, _)| *f != id) {
            found.push((id, t));
        }
    }
    Ok(())
}
