//! (server) The only place that writes SQL for articles, sections, authors and tags.

pub mod desk;
mod publish;
mod read;
#[cfg(test)]
mod tests;

pub use publish::{set_author_bio, upsert_article, upsert_story, Change, NewArticle, Status, UpsertError};
pub use read::{
    article_by_slug, author_by_slug, categories, category_by_slug, count_articles, count_listed, id_of, latest,
    latest_for_feed, latest_listed, sections, sitemap_entries, tag_by_slug, FeedEntry, Listing, SitemapEntry,
};
