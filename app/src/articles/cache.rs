//! (server) What every article page reads and rarely changes — the story itself and the
//! sections for the navigation — kept while the stories' version stays where it was. An
//! uncached article page made six queries; these were three of them. Comments do not move
//! that version, so the page rendered afresh after a new comment still finds them here.
//! (Sections, authors and tags are only ever added, by name, in the same transaction as a
//! story, which moves the version; their names never change.)

use std::sync::Arc;

use super::types::{Article, CategoryLink};
use crate::core::versioned_cache::VersionedCache;
use crate::core::Slug;
use crate::db::Db;

/// Stories kept at once: the most-read ones, a few KB each.
const STORIES: usize = 256;

#[derive(Clone)]
pub struct ArticleCache {
    stories: VersionedCache<Slug, Arc<Article>>,
    sections: VersionedCache<(), Arc<Vec<CategoryLink>>>,
}

impl Default for ArticleCache {
    fn default() -> Self {
        ArticleCache { stories: VersionedCache::new(STORIES), sections: VersionedCache::new(1) }
    }
}

impl ArticleCache {
    /// The published story at `slug`, as `store::article_by_slug` reads it. A slug that names
    /// nothing is not kept (endless made-up slugs would push the real stories out).
    pub async fn story(&self, db: &Db, slug: &Slug) -> sqlx::Result<Option<Arc<Article>>> {
        let version = db.articles_version().await?;
        if let Some(story) = self.stories.get(version, slug) {
            return Ok(Some(story));
        }
        let Some(story) = super::store::article_by_slug(db, slug).await? else { return Ok(None) };
        let story = Arc::new(story);
        self.stories.put(version, slug.clone(), story.clone());
        Ok(Some(story))
    }

    /// The sections, as `store::categories` lists them.
    pub async fn sections(&self, db: &Db) -> sqlx::Result<Arc<Vec<CategoryLink>>> {
        let version = db.articles_version().await?;
        if let Some(sections) = self.sections.get(version, &()) {
            return Ok(sections);
        }
        let sections = Arc::new(super::store::categories(db).await?);
        self.sections.put(version, (), sections.clone());
        Ok(sections)
    }
}
