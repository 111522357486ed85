//! (server) Publishing an article: stored with its section, author and tags, then indexed for
//! search and More like this — the one path the importer and the demo seeding share.

use crate::articles::store::{upsert_story, Change, NewArticle, Status, UpsertError};

/// Stores `article` as published (inside the caller's write transaction) and, when it changed,
/// indexes it.
pub async fn publish(tx: &mut impl crate::db::Link, article: &NewArticle) -> Result<(i64, Change), UpsertError> {
    save(tx, article, Status::Published).await
}

/// Stores a story with its status — the desk's path, which `publish` shares. A published story
/// is (re)indexed when it changed; any other leaves the index, so search and More like this
/// never offer it.
pub async fn save(
    tx: &mut impl crate::db::Link,
    article: &NewArticle,
    status: Status,
) -> Result<(i64, Change), UpsertError> {
    let (id, change) = upsert_story(tx, article, status).await?;
    if change != Change::Unchanged {
        if status == Status::Published {
            crate::discovery::store::index_article(tx, id, &article.title, &article.summary, &article.body_html)
                .await?;
        } else {
            crate::discovery::store::unindex_article(tx, id).await?;
        }
    }
    Ok((id, change))
}
