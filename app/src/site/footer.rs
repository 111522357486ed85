use leptos::prelude::*;

use crate::core::SITE_NAME;
use crate::newsletter::{Placement, SubscribeForm};

/// Site footer, with the newsletter sign-up on every page.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <p class="footer-name">{SITE_NAME}</p>
                <p>"Independent local news from the Northfield estuary, written by people who live here."</p>
                <SubscribeForm
                    place=Placement::Footer
                    heading="Subscribe"
                    blurb="The week's Northfield news in your inbox every Friday. Free, and one click to leave."
                />
            </div>
        </footer>
    }
}
