//! What the server sends to the comment section.

use serde::{Deserialize, Serialize};

use crate::core::Published;

/// An approved comment as readers see it. The e-mail address never leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub body: String,
    pub published: Published,
    /// Written by the newsroom's staff from the desk (shown with a mark in the thread).
    #[serde(default)]
    pub staff: bool,
}

/// Which page of a long discussion is shown (`?cpage=N`, 50 threads a page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    pub page: i64,
    pub pages: i64,
    /// Approved comments on all pages.
    pub total: i64,
}

pub const THREADS_PER_PAGE: i64 = 50;

/// Where a comment stands. Only `Approved` comments are shown to readers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum CommentStatus {
    Approved,
    /// Held for a moderator (too many links); its author still sees it.
    Pending,
    /// Caught by the trap field, or marked by a moderator.
    Spam,
    /// Put aside by a moderator; can be restored, or deleted for good.
    Trash,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 4] =
        [CommentStatus::Approved, CommentStatus::Pending, CommentStatus::Spam, CommentStatus::Trash];

    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Approved => "approved",
            CommentStatus::Pending => "pending",
            CommentStatus::Spam => "spam",
            CommentStatus::Trash => "trash",
        }
    }

    pub fn parse(name: &str) -> Option<CommentStatus> {
        CommentStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Why a comment was held for moderation or marked spam as it came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum HeldReason {
    /// More links than a comment may carry unreviewed.
    Links,
    /// The hidden trap field was filled in.
    Honeypot,
    /// Its e-mail address or client address is banned.
    Ban,
}

impl HeldReason {
    pub fn describe(self) -> &'static str {
        match self {
            HeldReason::Links => "held: more than two links",
            HeldReason::Honeypot => "spam: the hidden trap field was filled in",
            HeldReason::Ban => "spam: its e-mail or address is banned",
        }
    }
}

impl std::fmt::Display for CommentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
