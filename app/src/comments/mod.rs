//! Reader comments under each article. This part shows the approved ones, threaded; posting
//! ("Leave a reply") arrives with the comments issue.

mod list;
#[cfg(feature = "ssr")]
pub mod store;

pub use list::CommentSection;

use serde::{Deserialize, Serialize};

use crate::articles::Published;

/// An approved comment as readers see it. The e-mail address never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
    pub published: Published,
}
