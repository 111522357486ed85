//! "Leave a reply": the one server function behind the comment form, with or without
//! JavaScript. Parse → guard → store, answered the way every form is (`core::form`).

// One argument per form field, in the server function and the client stub the macro makes.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::outcome::{CommentError, Posted};

/// Field names are the form's `name` attributes; all optional so a tampered form gets a
/// clear 4xx instead of an argument error.
#[server(endpoint = "comments/post")]
pub async fn post_comment(
    article: Option<String>,
    comment: Option<String>,
    author: Option<String>,
    email: Option<String>,
    url: Option<String>,
    parent_id: Option<String>,
    phone: Option<String>,
    remember: Option<String>,
    notify: Option<String>,
) -> Result<Posted, CommentError> {
    use super::guard::{self, Request};
    use super::input::CommentForm;
    let form = CommentForm {
        comment: comment.unwrap_or_default(),
        author: author.unwrap_or_default(),
        email: email.unwrap_or_default(),
        url: url.unwrap_or_default(),
        parent_id: parent_id.as_deref().map(str::trim).filter(|p| !p.is_empty()).and_then(|p| p.parse().ok()),
        notify: notify.is_some(),
    };
    let request = Request::current().await?;
    let slug = crate::core::Slug::parse(article.as_deref().unwrap_or_default());
    let honeypot = phone.is_some_and(|p| !p.trim().is_empty());
    let outcome = guard::accept(&request, slug.as_ref(), &form, honeypot).await;
    request.remember_reader(&form, remember.is_some());
    crate::core::form::respond(outcome, async |outcome| request.no_js_target(slug.as_ref(), &form, outcome).await).await
}
