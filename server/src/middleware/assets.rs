//! Files under the site root (`target/site`: the wasm, JS and CSS bundles, `public/`), served
//! precompressed when the release build made `.br` / `.gz` siblings (`cargo leptos build
//! --release --precompress`), and cached by browsers for a year when their names carry a content
//! hash. Anything that is not a file goes on to the app (its not-found page).

use std::{future::Future, path::PathBuf, pin::Pin};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use leptos::config::LeptosOptions;
use tower::ServiceExt;
use tower_http::services::ServeDir;

#[derive(Clone)]
pub struct Assets {
    files: ServeDir,
    pkg_prefix: String,
    hashed_names: bool,
}

impl Assets {
    pub fn new(options: &LeptosOptions) -> Assets {
        let files = ServeDir::new(PathBuf::from(options.site_root.as_ref())).precompressed_br().precompressed_gzip();
        Assets { files, pkg_prefix: format!("/{}/", options.site_pkg_dir), hashed_names: options.hash_files }
    }

    /// The bundles' names change with their content when `hash-files` is on, so a browser may
    /// keep them forever; everything else is revalidated (Last-Modified) on each use.
    fn cache_control(&self, path: &str) -> HeaderValue {
        if self.hashed_names && path.starts_with(&self.pkg_prefix) {
            HeaderValue::from_static("public, max-age=31536000, immutable")
        } else {
            HeaderValue::from_static("public, max-age=0, must-revalidate")
        }
    }
}

pub fn handler(
    assets: Assets,
    app: impl Fn(Uri, State<LeptosOptions>, Request) -> Pin<Box<dyn Future<Output = Response> + Send>>
        + Clone
        + Send
        + 'static,
) -> impl Fn(Uri, State<LeptosOptions>, Request) -> Pin<Box<dyn Future<Output = Response> + Send>> + Clone + Send + 'static
{
    move |uri: Uri, state: State<LeptosOptions>, request: Request| {
        let assets = assets.clone();
        let app = app.clone();
        Box::pin(async move {
            let reading = matches!(*request.method(), Method::GET | Method::HEAD);
            let mut probe = Request::new(Body::empty());
            *probe.method_mut() = if reading { request.method().clone() } else { Method::HEAD };
            *probe.uri_mut() = uri.clone();
            *probe.headers_mut() = request.headers().clone();
            let Ok(response) = assets.files.clone().oneshot(probe).await;
            if response.status() != StatusCode::NOT_FOUND {
                if !reading {
                    // A file is only ever read.
                    return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")], "Files can only be read.")
                        .into_response();
                }
                let mut response = response.into_response();
                response.headers_mut().insert(header::CACHE_CONTROL, assets.cache_control(uri.path()));
                return response;
            }
            app(uri, state, request).await
        })
    }
}
