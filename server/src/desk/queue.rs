//! The moderation queue at `/admin/comments`: tabs by status with counts, filters by article
//! and text, and approve / unapprove / spam / delete forever on one comment or many (delete
//! asks first). Admins, editors and moderators only.

use app::comments::input::CommentBody;
use app::comments::queue::{self, Moderation, QueueFilter, StaffAuthor};
use app::comments::CommentStatus;
use app::core::{paths, Slug};
use app::staff::audit;
use axum::{
    body::Bytes,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use std::net::SocketAddr;

use super::{pages, Desk, Refused};

/// The queue page's address fields; anything unreadable falls back to the default.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct QueueParams {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub article: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
    /// What the last action did (`approve`, …) and to how many, shown once after it.
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub count: String,
}

/// A queue page as asked for.
pub struct QueueView {
    pub status: CommentStatus,
    pub filter: QueueFilter,
    pub page: i64,
}

impl QueueParams {
    pub fn view(&self) -> QueueView {
        let text = self.q.trim().chars().filter(|c| !c.is_control()).take(200).collect::<String>();
        QueueView {
            status: CommentStatus::parse(self.status.trim()).unwrap_or(CommentStatus::Pending),
            filter: QueueFilter {
                article: Slug::parse(self.article.trim()),
                text: Some(text).filter(|t| !t.is_empty()),
            },
            page: self.page.trim().parse().ok().filter(|p| (1..=100_000).contains(p)).unwrap_or(1),
        }
    }
}

impl QueueView {
    /// This page's address (with `extra` fields), for links and for coming back after an action.
    pub fn href(&self, status: CommentStatus, page: i64, extra: &[(&str, &str)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("status", status.as_str());
        if let Some(article) = &self.filter.article {
            query.append_pair("article", article.as_str());
        }
        if let Some(text) = &self.filter.text {
            query.append_pair("q", text);
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        format!("{}?{}", paths::DESK_COMMENTS, query.finish())
    }
}

pub async fn page(State(desk): State<Desk>, headers: HeaderMap, Query(params): Query<QueueParams>) -> Response {
    let session = match desk.moderator(&headers).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let view = params.view();
    let loaded = async {
        let counts = queue::counts(&desk.db, &view.filter).await?;
        let rows = queue::page(&desk.db, view.status, &view.filter, view.page).await?;
        Ok::<_, sqlx::Error>((counts, rows))
    };
    let (counts, rows) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return Refused::from(error).into_response(),
    };
    let notice = match Moderation::parse(&params.done).zip(params.count.parse::<u64>().ok()) {
        Some((action, count)) => Some(pages::done_notice(action, count)),
        None => (params.done == "reply").then(|| "Your reply is published.".to_owned()),
    };
    pages::queue(desk.stylesheet, &session, &view, &counts, &rows, notice).into_response()
}

/// The queue form: the session's token, the chosen comments and action, where to go back.
struct Posted {
    token: String,
    ids: Vec<i64>,
    action: Option<Moderation>,
    confirmed: bool,
    back: QueueParams,
}

/// Repeated `id` fields are why this is read by hand (serde's form reader takes one value).
fn read_form(body: &[u8]) -> Posted {
    let mut posted =
        Posted { token: String::new(), ids: Vec::new(), action: None, confirmed: false, back: QueueParams::default() };
    for (name, value) in form_urlencoded::parse(body) {
        match &*name {
            "token" => posted.token = value.into_owned(),
            "id" => posted.ids.extend(value.parse::<i64>().ok()),
            "action" => posted.action = Moderation::parse(&value),
            // One row's own button: "approve:123".
            "row_action" => {
                if let Some((action, id)) = value.split_once(':') {
                    posted.action = Moderation::parse(action);
                    posted.ids = id.parse().ok().into_iter().collect();
                }
            }
            "confirm" => posted.confirmed = value == "yes",
            "status" => posted.back.status = value.into_owned(),
            "article" => posted.back.article = value.into_owned(),
            "q" => posted.back.q = value.into_owned(),
            "page" => posted.back.page = value.into_owned(),
            _ => {}
        }
    }
    posted.ids.sort_unstable();
    posted.ids.dedup();
    posted.ids.truncate(usize::try_from(queue::PER_PAGE * 4).unwrap_or(100));
    posted
}

pub async fn moderate(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let posted = read_form(&body);
    let session = match desk.moderator_posting(&headers, &posted.token).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let view = posted.back.view();
    let Some(action) = posted.action.filter(|_| !posted.ids.is_empty()) else {
        let back = view.href(view.status, view.page, &[]);
        let message = "Choose one or more comments and an action.";
        return (StatusCode::UNPROCESSABLE_ENTITY, pages::message(desk.stylesheet, &session, message, &back))
            .into_response();
    };
    if action == Moderation::DeleteForever && !posted.confirmed {
        return pages::confirm_delete(desk.stylesheet, &session, &view, &posted.ids).into_response();
    }
    let done = match queue::moderate(&desk.db, &posted.ids, action, session.staff.id).await {
        Ok(done) => done,
        Err(error) => return Refused::from(error).into_response(),
    };
    if !done.published.is_empty() {
        desk.feed.wake();
    }
    let ip_hash = desk.ip_hash(&headers, peer);
    let ids = posted.ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let detail = format!("{} of comments {ids}", done.changed);
    if let Err(error) = audit::record(&desk.db, Some(session.staff.id), audit_action(action), &detail, &ip_hash).await {
        return Refused::from(error).into_response();
    }
    let count = done.changed.to_string();
    Redirect::to(&view.href(view.status, view.page, &[("done", action.as_str()), ("count", &count)])).into_response()
}

fn audit_action(action: Moderation) -> audit::Action {
    match action {
        Moderation::Approve => audit::Action::CommentsApproved,
        Moderation::Unapprove => audit::Action::CommentsUnapproved,
        Moderation::Spam => audit::Action::CommentsMarkedSpam,
        Moderation::DeleteForever => audit::Action::CommentsDeleted,
        Moderation::Trash => audit::Action::CommentsTrashed,
        Moderation::Restore => audit::Action::CommentsRestored,
        Moderation::BanEmail => audit::Action::BannedEmail,
        Moderation::BanAddress => audit::Action::BannedAddress,
    }
}

/// The bans page: every ban, with a button to lift it.
pub async fn bans(State(desk): State<Desk>, headers: HeaderMap) -> Response {
    let session = match desk.moderator(&headers).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    match queue::bans(&desk.db).await {
        Ok(bans) => pages::bans(desk.stylesheet, &session, &bans).into_response(),
        Err(error) => Refused::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    lift: String,
}

pub async fn lift(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LiftForm>,
) -> Response {
    let session = match desk.moderator_posting(&headers, &form.token).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let Ok(id) = form.lift.trim().parse::<i64>() else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "Choose a ban to lift.").into_response();
    };
    let lifted = async {
        if queue::lift(&desk.db, id).await? {
            let ip_hash = desk.ip_hash(&headers, peer);
            audit::record(&desk.db, Some(session.staff.id), audit::Action::BanLifted, &format!("ban {id}"), &ip_hash)
                .await?;
        }
        Ok::<_, sqlx::Error>(())
    };
    match lifted.await {
        Ok(()) => Redirect::to(paths::DESK_BANS).into_response(),
        Err(error) => Refused::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ReplyQuery {
    #[serde(default)]
    to: String,
}

const NOT_PUBLISHED: &str = "That comment is not published (or no longer exists), so it cannot be replied to.";

/// The staff reply form under the comment it answers.
pub async fn reply_page(State(desk): State<Desk>, headers: HeaderMap, Query(query): Query<ReplyQuery>) -> Response {
    let session = match desk.moderator(&headers).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let parent = match query.to.trim().parse::<i64>() {
        Ok(id) => queue::approved_one(&desk.db, id).await,
        Err(_) => Ok(None),
    };
    match parent {
        Ok(Some((slug, comment))) => pages::reply(desk.stylesheet, &session, &slug, &comment, "", None).into_response(),
        Ok(None) => {
            let back = format!("{}?status=approved", paths::DESK_COMMENTS);
            (StatusCode::NOT_FOUND, pages::message(desk.stylesheet, &session, NOT_PUBLISHED, &back)).into_response()
        }
        Err(error) => Refused::from(error).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    body: String,
}

pub async fn reply(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ReplyForm>,
) -> Response {
    let session = match desk.moderator_posting(&headers, &form.token).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let back = format!("{}?status=approved", paths::DESK_COMMENTS);
    let Ok(parent_id) = form.to.trim().parse::<i64>() else {
        return (StatusCode::NOT_FOUND, pages::message(desk.stylesheet, &session, NOT_PUBLISHED, &back))
            .into_response();
    };
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            // The form again, with what was typed and why it was refused.
            return match queue::approved_one(&desk.db, parent_id).await {
                Ok(Some((slug, comment))) => {
                    let page = pages::reply(desk.stylesheet, &session, &slug, &comment, &form.body, Some(&problem));
                    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
                }
                Ok(None) => (StatusCode::NOT_FOUND, pages::message(desk.stylesheet, &session, NOT_PUBLISHED, &back))
                    .into_response(),
                Err(error) => Refused::from(error).into_response(),
            };
        }
    };
    let staff = &session.staff;
    let author = StaffAuthor { id: staff.id, name: &staff.name, email: staff.email.as_str() };
    let published = match queue::staff_reply(&desk.db, parent_id, author, &body).await {
        Ok(Some(published)) => published,
        Ok(None) => {
            return (StatusCode::NOT_FOUND, pages::message(desk.stylesheet, &session, NOT_PUBLISHED, &back))
                .into_response()
        }
        Err(error) => return Refused::from(error).into_response(),
    };
    let (_, comment) = &published;
    desk.feed.wake();
    let ip_hash = desk.ip_hash(&headers, peer);
    let detail = format!("comment {} in reply to comment {parent_id}", comment.id);
    if let Err(error) = audit::record(&desk.db, Some(staff.id), audit::Action::StaffReplied, &detail, &ip_hash).await {
        return Refused::from(error).into_response();
    }
    Redirect::to(&format!("{back}&done=reply")).into_response()
}
