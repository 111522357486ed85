use leptos::prelude::*;

use super::types::CategoryLink;

/// The sections for the navigation, in a stable order.
#[server]
pub async fn list_categories() -> Result<Vec<CategoryLink>, ServerFnError> {
    let db = crate::db::from_context()?;
    let cache: super::cache::ArticleCache = crate::core::context::from_context()?;
    Ok(cache.sections(&db).await?.as_ref().clone())
}
