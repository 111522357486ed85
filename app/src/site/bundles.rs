//! The built bundles (CSS, JS, wasm) as the page links them, and the script that starts the app.
//! Names come from the same `LeptosOptions` cargo-leptos builds with, plus the content hashes
//! it writes to `hash.txt` beside the server binary when `hash-files` is on — read once.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use leptos::prelude::*;

/// The site paths of the built bundles, and the hash file their names came from.
pub struct Bundles {
    pub css: String,
    pub js: String,
    pub wasm: String,
    pub hash_file: Option<PathBuf>,
}

/// What this server binary links: named once, from the hash file beside it.
fn bundles(options: &LeptosOptions) -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_owned));
        bundles_for(options, exe_dir.as_deref())
    })
}

/// The bundles a binary in `exe_dir` links (the server checks at start that they exist).
pub fn bundles_for(options: &LeptosOptions, exe_dir: Option<&Path>) -> Bundles {
    let hash_file = exe_dir.filter(|_| options.hash_files).map(|dir| dir.join(options.hash_file.as_ref()));
    let hashes = hash_file.as_ref().and_then(|file| std::fs::read_to_string(file).ok()).unwrap_or_default();
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
        hash_file: hash_file.filter(|_| !hashes.is_empty()),
    }
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
