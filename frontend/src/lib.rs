//! The wasm entry point. The server renders every page; what a reader can act on (the comment
//! section, the subscribe forms, the share buttons, the confirm button) is an island of the
//! `app` crate, exported from here and started by the page's script (`site::bundles`).

#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
