//! The server as a library, so the tests build the application exactly as `main` does.
//!
//! - `startup`: the application (database, router, listener) for `main` and the tests;
//!   `config`: its settings; `connections`: the listener's caps and timeouts; `telemetry`: logs.
//! - `cli`: the commands besides `serve`; `publishing`: article files to stored HTML.
//! - `desk`: the staff desk under /admin (server-rendered, no wasm);
//! - `routes`: routes that are not Leptos pages; `middleware`: what wraps every request;
//!   `workers`: background work (mail).

pub mod cli;
pub mod config;
pub mod connections;
pub mod desk;
pub mod html_page;
pub mod media;
pub mod middleware;
pub mod publishing;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod workers;
