//! The story as readers read it: section, headline, summary, byline and date, body, tags. The
//! article page adds its share links and sign-up box around it; the desk's page preview shows
//! the same component, so a preview is what readers will get.

use leptos::prelude::*;

use super::types::Article;
use crate::core::PublishedDate;

#[component]
pub fn StoryText(
    article: Article,
    /// Under the byline (the article page's share links).
    #[prop(optional)]
    share: Option<AnyView>,
    /// After the tags (the article page's newsletter sign-up).
    #[prop(optional)]
    footer: Option<AnyView>,
) -> impl IntoView {
    let Article { card, body_html, tags, .. } = article;
    view! {
        <article class="article">
            <header class="article-header">
                <a class="kicker" href=card.category.href()>{card.category.name.clone()}</a>
                <h1 class="article-title">{card.title.clone()}</h1>
                <p class="article-summary">{card.summary.clone()}</p>
                <p class="meta">
                    "By "<a class="byline" rel="author" href=card.author_href()>{card.author.clone()}</a>
                    " · "
                    <PublishedDate published=card.published.clone()/>
                </p>
                {share}
            </header>
            <div class="article-body" inner_html=body_html></div>
            <footer class="article-footer">
                {(!tags.is_empty()).then(|| view! {
                    <ul class="tags" aria-label="Tags">
                        {tags.into_iter().map(|tag| view! { <li><a rel="tag" href=tag.href()>{tag.name.clone()}</a></li> }).collect_view()}
                    </ul>
                })}
                {footer}
            </footer>
        </article>
    }
}
