//! What wraps every request: static assets before the app, the render cache, the same-origin
//! check for posts and the security headers.

pub mod assets;
pub mod page_cache;
pub mod same_origin;
pub mod security_headers;
