use leptos::prelude::*;

use super::types::ArticleCard;
use crate::core::PublishedDate;

/// One story in a list: section, headline link, summary, byline and date.
#[component]
pub fn StoryCard(card: ArticleCard, #[prop(optional)] lead: bool) -> impl IntoView {
    let href = card.href();
    let section_href = card.category.href();
    view! {
        <article class="story-card" class:lead=lead>
            <a class="kicker" href=section_href>{card.category.name}</a>
            {if lead {
                view! { <h2 class="headline"><a href=href>{card.title}</a></h2> }.into_any()
            } else {
                view! { <h3 class="headline"><a href=href>{card.title}</a></h3> }.into_any()
            }}
            <p class="summary">{card.summary}</p>
            <p class="meta">
                <span class="byline">{card.author}</span>
                " · "
                <PublishedDate published=card.published/>
            </p>
        </article>
    }
}
