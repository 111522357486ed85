//! (server) Publishing an article: stored with its section, author and tags, then indexed for
//! search and More like this — the one path the importer and the demo seeding share.

use sqlx::SqliteConnection;

use crate::articles::store::{upsert_article, Change, NewArticle, UpsertError};

/// Stores `article` (inside the caller's write transaction) and, when it changed, indexes it.
pub async fn publish(tx: &mut SqliteConnection, article: &NewArticle) -> Result<(i64, Change), UpsertError> {
    let (id, change) = upsert_article(tx, article).await?;
    if change != Change::Unchanged {
        crate::discovery::store::index_article(tx, id, &article.title, &article.summary, &article.body_html).await?;
    }
    Ok((id, change))
}
