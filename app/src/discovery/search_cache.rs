//! (server) Search results kept until the content changes: a common word ranks thousands of
//! stories, and readers ask the same few things. Keyed by the parsed query and the page, so
//! spelling variants that mean the same search share an entry.

use std::sync::Arc;

use super::search_query::{SearchHit, SearchQuery};
use crate::core::versioned_cache::VersionedCache;
use crate::db::Db;

const MAX_ENTRIES: usize = 512;

#[derive(Clone)]
pub struct SearchCache(VersionedCache<(String, i64, i64), Found>);

/// The number of all matches and one page of them.
type Found = (i64, Arc<Vec<SearchHit>>);

impl Default for SearchCache {
    fn default() -> Self {
        SearchCache(VersionedCache::new(MAX_ENTRIES))
    }
}

impl SearchCache {
    /// One page of results and the number of all matches, as `store::search` finds them.
    pub async fn search(&self, db: &Db, query: &SearchQuery, limit: i64, offset: i64) -> sqlx::Result<Found> {
        let Some(expression) = query.match_expression() else { return Ok((0, Arc::default())) };
        let version = db.content_version().await?;
        let key = (expression, limit, offset);
        if let Some(found) = self.0.get(version, &key) {
            return Ok(found);
        }
        let (total, hits) = super::store::search(db, query, limit, offset).await?;
        let found = (total, Arc::new(hits));
        self.0.put(version, key, found.clone());
        Ok(found)
    }
}
