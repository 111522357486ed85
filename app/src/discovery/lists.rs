use leptos::prelude::*;

use super::types::{ArticleDiscovery, Teaser};
use crate::core::PublishedDate;

/// A short list of stories under a heading: headline link, excerpt, date.
#[component]
fn TeaserList(heading: &'static str, id: &'static str, teasers: Vec<Teaser>) -> impl IntoView {
    (!teasers.is_empty()).then(|| {
        view! {
            <section class="teasers" aria-labelledby=id>
                <h2 id=id class="teasers-heading">{heading}</h2>
                <ol class="teaser-list">
                    {teasers
                        .into_iter()
                        .map(|teaser| {
                            let href = teaser.href();
                            view! {
                                <li class="teaser">
                                    <h3 class="teaser-headline"><a href=href>{teaser.title}</a></h3>
                                    <p class="teaser-excerpt">{teaser.excerpt}</p>
                                    <p class="meta"><PublishedDate published=teaser.published/></p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        }
        .into_any()
    })
}

/// Related, More like this and Popular after an article.
#[component]
pub fn ArticleDiscoveryBlocks(discovery: ArticleDiscovery) -> impl IntoView {
    let ArticleDiscovery { related, more_like_this, popular, .. } = discovery;
    view! {
        <aside class="discovery" aria-label="More stories">
            <TeaserList heading="Related" id="related-heading" teasers=related/>
            <TeaserList heading="More like this" id="more-like-this-heading" teasers=more_like_this/>
            <TeaserList heading="Popular" id="popular-heading" teasers=popular/>
        </aside>
    }
    // Type-erased: the article page's view type is otherwise too deep for the wasm build.
    .into_any()
}

/// The front page's Popular list.
#[component]
pub fn PopularStories(teasers: Vec<Teaser>) -> impl IntoView {
    view! { <div class="front-popular"><TeaserList heading="Popular" id="popular-heading" teasers/></div> }
}
