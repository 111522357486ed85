use leptos::prelude::*;

use crate::articles::list_categories;
use crate::core::{paths, SITE_NAME};
use crate::discovery::SearchForm;

/// Masthead and the section navigation, one link per category.
#[component]
pub fn Header() -> impl IntoView {
    let categories = crate::core::codec::once_resource(list_categories());
    view! {
        <header class="masthead">
            <div class="masthead-inner">
                <a class="site-name" href=paths::FRONT>{SITE_NAME}</a>
                <nav aria-label="Sections">
                    <ul class="sections">
                        <li><a href=paths::FRONT>"Home"</a></li>
                        <Suspense>
                            {move || Suspend::new(async move {
                                categories
                                    .await
                                    // The page still works without the section links, but
                                    // is not kept that way.
                                    .unwrap_or_else(|_| {
                                        crate::core::not_to_be_kept();
                                        Vec::new()
                                    })
                                    .into_iter()
                                    .map(|c| {
                                        let href = c.href();
                                        view! { <li><a href=href>{c.name}</a></li> }
                                    })
                                    .collect_view()
                            })}
                        </Suspense>
                    </ul>
                </nav>
                <SearchForm id="site-search-q" label="Site search" class="site-search"/>
            </div>
        </header>
    }
}
