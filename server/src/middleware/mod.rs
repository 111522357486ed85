//! What wraps every request: static assets before the app, the render cache, the same-origin
//! check for posts, conforming HTML, the security headers, and safe redirects and statuses for every answer.

pub mod assets;
pub mod conforming_html;
pub mod page_cache;
pub mod request_body;
pub mod safe_answers;
pub mod same_origin;
pub mod security_headers;
