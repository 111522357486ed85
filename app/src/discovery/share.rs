//! Share post: plain links to the networks' own share pages (no third-party script, nothing
//! tracked), and with JavaScript "Copy link" and the browser's share sheet.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Network {
    X,
    Facebook,
    LinkedIn,
    Reddit,
    WhatsApp,
    Telegram,
    Email,
}

impl Network {
    pub const ALL: [Network; 7] = [
        Network::X,
        Network::Facebook,
        Network::LinkedIn,
        Network::Reddit,
        Network::WhatsApp,
        Network::Telegram,
        Network::Email,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Network::X => "X",
            Network::Facebook => "Facebook",
            Network::LinkedIn => "LinkedIn",
            Network::Reddit => "Reddit",
            Network::WhatsApp => "WhatsApp",
            Network::Telegram => "Telegram",
            Network::Email => "e-mail",
        }
    }

    /// The share address for a URL-encoded article address and title.
    #[cfg(feature = "ssr")]
    fn href(self, url: &str, title: &str) -> String {
        match self {
            Network::X => format!("https://x.com/intent/post?url={url}&text={title}"),
            Network::Facebook => format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
            Network::LinkedIn => format!("https://www.linkedin.com/sharing/share-offsite/?url={url}"),
            Network::Reddit => format!("https://www.reddit.com/submit?url={url}&title={title}"),
            Network::WhatsApp => format!("https://wa.me/?text={title}%20{url}"),
            Network::Telegram => format!("https://t.me/share/url?url={url}&text={title}"),
            Network::Email => format!("mailto:?subject={title}&body={url}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    pub network: Network,
    pub href: String,
}

/// The article's absolute address and title, and the share link of every network. Built on
/// the server from `SITE_URL`, so the hydrated page renders exactly what the server sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLinks {
    pub url: String,
    pub title: String,
    pub links: Vec<ShareLink>,
}

impl ShareLinks {
    #[cfg(feature = "ssr")]
    pub fn new(url: &str, title: &str) -> ShareLinks {
        use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
        // Everything but RFC 3986's unreserved characters, so the result is safe in any
        // query parameter (and spaces are %20, which mailto: needs).
        const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        let (encoded_url, encoded_title) =
            (utf8_percent_encode(url, COMPONENT).to_string(), utf8_percent_encode(title, COMPONENT).to_string());
        let links = Network::ALL
            .iter()
            .map(|&n| ShareLink { network: n, href: n.href(&encoded_url, &encoded_title) })
            .collect();
        ShareLinks { url: url.to_owned(), title: title.to_owned(), links }
    }
}

/// "Share post": a link per network; "Copy link" and "Share…" appear once the app runs (an
/// island).
#[island]
pub fn SharePost(share: ShareLinks) -> impl IntoView {
    crate::core::end_with_the_page();
    // Both buttons need JavaScript: invisible in the server's HTML, shown after hydration. Their
    // space is kept (visibility, not display) so nothing moves when they appear.
    let can_copy = RwSignal::new(false);
    let can_share = RwSignal::new(false);
    Effect::new(move |_| {
        can_copy.set(true);
        can_share.set(browser::has_share_sheet());
    });
    let status = RwSignal::new(String::new());
    let ShareLinks { url, title, links } = share;
    let copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            leptos::task::spawn_local(async move {
                status.set(match browser::copy(&url).await {
                    Ok(()) => "Link copied".to_string(),
                    Err(()) => format!("Could not copy. The link is {url}"),
                });
            });
        }
    };
    let open_sheet = move |_| {
        let (title, url) = (title.clone(), url.clone());
        leptos::task::spawn_local(async move { browser::share(&title, &url).await });
    };
    view! {
        <section class="share" aria-labelledby="share-heading">
            <h2 id="share-heading" class="share-heading">"Share post"</h2>
            <ul class="share-links">
                {links
                    .into_iter()
                    .map(|link| {
                        let label = format!("Share on {}", link.network.name());
                        let email = link.network == Network::Email;
                        let label = if email { "Share by e-mail".to_string() } else { label };
                        view! {
                            <li>
                                <a
                                    class="share-link"
                                    href=link.href
                                    aria-label=label.clone()
                                    title=label
                                    target=(!email).then_some("_blank")
                                    rel="noopener noreferrer nofollow"
                                >
                                    <Icon network=link.network/>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
                <li class="needs-app" class:ready=move || can_copy.get()>
                    <button type="button" class="share-link" aria-label="Copy link" title="Copy link" on:click=copy>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                            <path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"
                                fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                        </svg>
                    </button>
                </li>
                <li class="needs-app" class:ready=move || can_share.get()>
                    <button type="button" class="share-link" aria-label="Share…" title="Share…" on:click=open_sheet>
                        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                            <path d="M12 15V3M7 8l5-5 5 5M5 12v8h14v-8" fill="none" stroke="currentColor" stroke-width="2"
                                stroke-linecap="round" stroke-linejoin="round"/>
                        </svg>
                    </button>
                </li>
            </ul>
            <p class="share-status" aria-live="polite">{move || status.get()}</p>
        </section>
    }
    // Type-erased: the article page's view type is otherwise too deep for the wasm build.
    .into_any()
}

/// Simple line icons drawn for this site; the link around each carries its name.
#[component]
fn Icon(network: Network) -> impl IntoView {
    let path = match network {
        Network::X => "M5 4l14 16M19 4L5 20",
        Network::Facebook => "M15 4h-2a3 3 0 0 0-3 3v13M7 11h7",
        Network::LinkedIn => "M6 10v9M6 5.5v.5M11 19v-9M11 14a3 3 0 0 1 6 0v5",
        Network::Reddit => "M5 14a7 5 0 0 0 14 0a7 5 0 0 0-14 0M9 13.5v.5M15 13.5v.5M12 9l1-5 4 1",
        Network::WhatsApp => "M4 20l1.5-4.5A8 8 0 1 1 8.5 18.5zM9 10c0 3 2 5 5 5",
        Network::Telegram => "M3 11l18-7-3 16-6-5-3 4v-6l9-7",
        Network::Email => "M3 6h18v12H3zM3 6l9 7 9-7",
    };
    view! {
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

/// The browser's clipboard and share sheet. Only ever called from event handlers and effects,
/// which run in the browser; the server build has no browser.
mod browser {
    #[cfg(feature = "hydrate")]
    fn navigator() -> Option<web_sys::Navigator> {
        web_sys::window().map(|w| w.navigator())
    }

    /// Whether `navigator[name]` exists (the web-sys getters assume it does).
    #[cfg(feature = "hydrate")]
    fn has(name: &str) -> bool {
        navigator()
            .is_some_and(|n| js_sys::Reflect::get(&n, &name.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null()))
    }

    pub fn has_share_sheet() -> bool {
        #[cfg(feature = "hydrate")]
        return has("share");
        #[cfg(not(feature = "hydrate"))]
        false
    }

    // `return` ends the browser's branch; the other branch is compiled for the server.
    #[allow(clippy::needless_return)]
    pub async fn copy(text: &str) -> Result<(), ()> {
        #[cfg(feature = "hydrate")]
        {
            // The clipboard exists only on secure pages (https, localhost).
            let navigator = navigator().filter(|_| has("clipboard")).ok_or(())?;
            let promise = navigator.clipboard().write_text(text);
            return wasm_bindgen_futures::JsFuture::from(promise).await.map(|_| ()).map_err(|_| ());
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = text;
            Err(())
        }
    }

    pub async fn share(title: &str, url: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(navigator) = navigator().filter(|_| has("share")) {
            let data = web_sys::ShareData::new();
            data.set_title(title);
            data.set_url(url);
            // A reader closing the sheet rejects the promise; there is nothing to report.
            let _ = wasm_bindgen_futures::JsFuture::from(navigator.share_with_data(&data)).await;
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (title, url);
    }
}
