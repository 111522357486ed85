use leptos::prelude::*;

use super::SITE_NAME;

/// Site footer. The newsletter form joins it in the newsletter issue.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <p class="footer-name">{SITE_NAME}</p>
                <p>"Independent local news from the Northfield estuary, written by people who live here."</p>
                // subscribe: the newsletter form lands here
            </div>
        </footer>
    }
}
