//! `/`: where the articles and Popular meet.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::articles::{ArticleCard, Section, StoryCard};
use crate::core::head::PageHead;
use crate::core::publication::SITE_DESCRIPTION;
use crate::core::LoadError;
use crate::discovery::{PopularStories, Teaser};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FrontPageData {
    pub lead: Option<ArticleCard>,
    pub latest: Vec<ArticleCard>,
    pub sections: Vec<Section>,
    pub popular: Vec<Teaser>,
}

#[server]
pub async fn front_page() -> Result<FrontPageData, ServerFnError> {
    const LATEST: i64 = 6;
    const PER_SECTION: i64 = 3;
    use crate::articles::store;
    let db = crate::db::from_context()?;
    let mut latest = store::latest(&db, LATEST + 1, 0).await?;
    let lead = (!latest.is_empty()).then(|| latest.remove(0));
    let sections = store::sections(&db, PER_SECTION).await?;
    let popular = crate::discovery::popular_for_front_page().await?;
    Ok(FrontPageData { lead, latest, sections, popular })
}

/// `/`: the lead story, the latest stories, then a block per section.
#[component]
pub fn FrontPage() -> impl IntoView {
    let data = crate::core::codec::resource(|| (), |_| front_page());
    view! {
        <PageHead title="" description=SITE_DESCRIPTION path="/"/>
        <h1 class="visually-hidden">"The Northfield Courier — latest news"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading the news…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => view! { <FrontPageView page/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FrontPageView(page: FrontPageData) -> impl IntoView {
    let FrontPageData { lead, latest, sections, popular } = page;
    view! {
        <div class="front">
            <section class="top-stories" aria-labelledby="top-stories">
                <h2 id="top-stories" class="visually-hidden">"Top stories"</h2>
                {lead.map(|card| view! { <StoryCard card lead=true/> })}
                <div class="latest">
                    {latest.into_iter().map(|card| view! { <StoryCard card/> }).collect_view()}
                </div>
            </section>
            {sections
                .into_iter()
                .map(|section| {
                    let id = format!("section-{}", section.category.slug);
                    let labelled_by = id.clone();
                    view! {
                        <section class="section-block" aria-labelledby=labelled_by>
                            <h2 id=id class="section-title">
                                <a href=section.category.href()>{section.category.name.clone()}</a>
                            </h2>
                            <div class="section-stories">
                                {section.articles.into_iter().map(|card| view! { <StoryCard card/> }).collect_view()}
                            </div>
                        </section>
                    }
                })
                .collect_view()}
            <PopularStories teasers=popular/>
        </div>
    }
}
