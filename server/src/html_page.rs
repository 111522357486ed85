//! A whole HTML page rendered from Leptos views on the server only (no hydration, no wasm):
//! the desk's pages and the pages behind the links in reply mail share this head.

use app::core::SITE_NAME;
use leptos::prelude::*;

pub struct PageHead {
    /// The full `<title>`.
    pub title: String,
    pub stylesheet: &'static str,
    /// A stylesheet of the page's own (the desk's), after the site's.
    pub own_stylesheet: Option<&'static str>,
    /// A small script of the page's own (the desk's), never the readers' app.
    pub script: Option<&'static str>,
    pub body_class: &'static str,
    pub main_class: &'static str,
}

pub fn render(head: PageHead, body: impl IntoView + 'static) -> String {
    let PageHead { title, stylesheet, own_stylesheet, script, body_class, main_class } = head;
    let html = Owner::new().with(|| {
        view! {
            <!DOCTYPE html>
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta name="color-scheme" content="light dark"/>
                    <meta name="robots" content="noindex"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href=stylesheet/>
                    {own_stylesheet.map(|href| view! { <link rel="stylesheet" href=href/> })}
                    <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                    {script.map(|src| view! { <script src=src defer></script> })}
                </head>
                <body class=body_class>
                    <main id="content" class=main_class>{body}</main>
                </body>
            </html>
        }
        .to_html()
    });
    // `<!>` marks where hydration would split text; these pages are never hydrated.
    html.replace("<!>", "")
}

/// `title — site name`.
pub fn title(page: &str) -> String {
    format!("{page} — {SITE_NAME}")
}
