use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::card::StoryCard;
use crate::site::{head::SITE_DESCRIPTION, LoadError, PageHead};
use super::{ArticleCard, CategoryLink};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FrontPageData {
    pub lead: Option<ArticleCard>,
    pub latest: Vec<ArticleCard>,
    pub sections: Vec<Section>,
    pub popular: Vec<crate::discovery::Teaser>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section {
    pub category: CategoryLink,
    pub articles: Vec<ArticleCard>,
}

#[server]
pub async fn front_page() -> Result<FrontPageData, ServerFnError> {
    const LATEST: i64 = 6;
    const PER_SECTION: i64 = 3;
    let pool = crate::db::pool()?;
    let mut latest = super::store::latest(&pool, LATEST + 1, 0).await?;
    let lead = (!latest.is_empty()).then(|| latest.remove(0));
    let sections = super::store::sections(&pool, PER_SECTION).await?;
    let popular = crate::discovery::popular_for_front_page().await?;
    Ok(FrontPageData { lead, latest, sections, popular })
}

/// `/`: the lead story, the latest stories, then a block per section.
#[component]
pub fn FrontPage() -> impl IntoView {
    let data = crate::site::codec::resource(|| (), |_| front_page());
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
            <crate::discovery::PopularStories teasers=popular/>
        </div>
    }
}
