//! The built bundles (CSS, JS, wasm) as the page links them, and the script that starts the app.
//! Names come from the same `LeptosOptions` cargo-leptos builds with, plus the content hashes
//! it writes to `hash.txt` beside the server binary when `hash-files` is on — read once.

use std::sync::OnceLock;

use leptos::prelude::*;

struct Bundles {
    css: String,
    js: String,
    wasm: String,
}

fn bundles(options: &LeptosOptions) -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| std::env::current_exe().ok()?.parent().map(|dir| dir.join(options.hash_file.as_ref())))
            .flatten()
            .and_then(|file| std::fs::read_to_string(file).ok())
            .unwrap_or_default();
        let hash = |kind: &str| {
            hashes
                .lines()
                .find_map(|line| line.trim().strip_prefix(kind)?.strip_prefix(':').map(|h| format!(".{}", h.trim())))
                .unwrap_or_default()
        };
        let name = &options.output_name;
        // Leptos names the wasm `<name>_bg` unless LEPTOS_OUTPUT_NAME was set when it was built
        // (.cargo/config.toml sets it).
        let bg = if hashes.is_empty() && option_env!("LEPTOS_OUTPUT_NAME").is_none() { "_bg" } else { "" };
        let pkg = format!("/{}", options.site_pkg_dir);
        Bundles {
            css: format!("{pkg}/{name}{}.css", hash("css")),
            js: format!("{pkg}/{name}{}.js", hash("js")),
            wasm: format!("{pkg}/{name}{bg}{}.wasm", hash("wasm")),
        }
    })
}

pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    &bundles(options).css
}

/// Starts the app once the page has loaded and the browser is idle. Nothing is preloaded: the
/// text, stylesheet and images come first (that is what a reader sees, and what Largest
/// Contentful Paint measures); every link and form works without the app until it is running.
#[component]
pub fn StartApp(options: LeptosOptions) -> impl IntoView {
    let Bundles { js, wasm, .. } = bundles(&options);
    let (js, wasm) = (serde_json::to_string(js).unwrap_or_default(), serde_json::to_string(wasm).unwrap_or_default());
    let script = format!(
        "const start = () => import({js}).then(async (app) => {{ await app.default({{ module_or_path: {wasm} }}); app.hydrate(); }});\
         const whenIdle = () => ('requestIdleCallback' in window ? requestIdleCallback(start, {{ timeout: 2000 }}) : setTimeout(start));\
         document.readyState === 'complete' ? whenIdle() : addEventListener('load', whenIdle, {{ once: true }});"
    );
    view! { <script type="module">{script}</script> }
}
