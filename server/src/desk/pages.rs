//! The desk's pages: Leptos views rendered to HTML on the server (no hydration, no wasm).

use app::comments::queue::{Ban, Moderation, QueueRow, PER_PAGE};
use app::comments::{Comment, CommentStatus};
use app::core::form::textarea_text;
use app::core::{paths, Slug, SITE_NAME};
use app::staff::{audit::Entry, session::SignedIn, Role};

use super::queue::QueueView;
use crate::html_page::PageHead;
use axum::response::Html;
use leptos::prelude::*;

pub(super) fn document(stylesheet: &'static str, title: &str, body: impl IntoView + 'static) -> Html<String> {
    document_in("desk-page", stylesheet, title, body)
}

/// A desk page whose `<main>` has its own class (the story editor is wider).
pub(super) fn document_in(
    main_class: &'static str,
    stylesheet: &'static str,
    title: &str,
    body: impl IntoView + 'static,
) -> Html<String> {
    let head = PageHead {
        title: format!("{title} — {SITE_NAME} desk"),
        stylesheet,
        own_stylesheet: Some(paths::DESK_STYLESHEET),
        script: Some(paths::DESK_SCRIPT),
        body_class: "desk",
        main_class,
    };
    Html(crate::html_page::render(head, body))
}

/// The sign-in form, with what was typed (never the password) and why it was refused.
pub fn sign_in(stylesheet: &'static str, email: &str, error: Option<&str>) -> Html<String> {
    let (email, error) = (email.to_owned(), error.map(str::to_owned));
    document(
        stylesheet,
        "Sign in",
        view! {
            <h1>"Sign in to the desk"</h1>
            {error.map(|error| view! { <p class="form-problem" role="alert" id="sign-in-error">{error}</p> })}
            <form method="post" action=paths::DESK_SIGN_IN class="desk-form">
                <label for="email">"E-mail address"</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit">"Sign in"</button>
            </form>
        },
    )
}

/// A form posting only its session's token, with one button.
pub(super) fn token_form(action: &'static str, token: String, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=action class="desk-inline-form">
            <input type="hidden" name="token" value=token/>
            <button type="submit">{label}</button>
        </form>
    }
}

pub(super) fn signed_in_as(session: &SignedIn) -> impl IntoView {
    let (name, role) = (session.staff.name.clone(), session.staff.role.to_string());
    view! { <p class="desk-who">"Signed in as " <strong>{name}</strong> " (" {role} ")."</p> }
}

pub fn home(stylesheet: &'static str, session: &SignedIn) -> Html<String> {
    let admin = session.staff.role == Role::Admin;
    let moderates = session.staff.role.moderates_comments();
    let writes = session.staff.role.writes_stories();
    let token = session.form_token.clone();
    document(
        stylesheet,
        "Desk",
        view! {
            <h1>"The desk"</h1>
            {signed_in_as(session)}
            {writes.then(|| view! { <p><a href=paths::DESK_STORIES>"Stories"</a>" — write, edit, schedule and publish"</p> })}
            {moderates.then(|| view! { <p><a href=paths::DESK_COMMENTS>"Comments"</a>" — the moderation queue"</p> })}
            {admin.then(|| view! { <p><a href=paths::DESK_STAFF>"Staff"</a>" — accounts and roles"</p> })}
            {admin.then(|| view! { <p><a href=paths::DESK_AUDIT>"Audit log"</a>" — sign-ins and what staff did"</p> })}
            <p><a href=paths::DESK_ACCOUNT>"Your account"</a>" — password and two-step sign-in"</p>
            {token_form(paths::DESK_SIGN_OUT, token.clone(), "Sign out")}
            {token_form(paths::DESK_SIGN_OUT_EVERYWHERE, token, "Sign out everywhere")}
        },
    )
}

pub fn audit(stylesheet: &'static str, session: &SignedIn, entries: &[Entry]) -> Html<String> {
    let rows = entries
        .iter()
        .map(|entry| {
            let (at, who) = (entry.at.stored(), entry.staff_name.clone().unwrap_or_else(|| "—".to_owned()));
            let (action, detail) = (entry.action.clone(), entry.detail.clone());
            view! {
                <tr>
                    <td><time datetime=at.clone()>{at.clone()}</time></td>
                    <td>{who}</td>
                    <td>{action}</td>
                    <td>{detail}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    document(
        stylesheet,
        "Audit log",
        view! {
            <h1>"Audit log"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK>"Back to the desk"</a></p>
            <table class="desk-table">
                <caption>"The newest 200 lines, newest first"</caption>
                <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"Detail"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        },
    )
}

pub fn forbidden(stylesheet: &'static str, session: &SignedIn) -> Html<String> {
    document(
        stylesheet,
        "Not for your role",
        view! {
            <h1>"Not for your role"</h1>
            {signed_in_as(session)}
            <p>"Your role does not give you this page."</p>
            <p><a href=paths::DESK>"Back to the desk"</a></p>
        },
    )
}

fn status_label(status: CommentStatus) -> &'static str {
    match status {
        CommentStatus::Pending => "Pending",
        CommentStatus::Approved => "Approved",
        CommentStatus::Spam => "Spam",
        CommentStatus::Trash => "Trash",
    }
}

fn action_label(action: Moderation) -> &'static str {
    match action {
        Moderation::Approve => "Approve",
        Moderation::Unapprove => "Unapprove",
        Moderation::Spam => "Spam",
        Moderation::Trash => "Trash",
        Moderation::Restore => "Restore",
        Moderation::DeleteForever => "Delete forever",
        Moderation::BanEmail => "Ban e-mail",
        Moderation::BanAddress => "Ban address",
    }
}

/// What an action did, said once on the queue page after it.
pub fn done_notice(action: Moderation, count: u64) -> String {
    let noun = if count == 1 { "comment" } else { "comments" };
    format!("{count} {noun} {}.", done_label(action))
}

fn done_label(action: Moderation) -> &'static str {
    match action {
        Moderation::Approve => "approved",
        Moderation::Unapprove => "moved back to pending",
        Moderation::Spam => "marked as spam",
        Moderation::Trash => "moved to the trash",
        Moderation::Restore => "restored to pending",
        Moderation::DeleteForever => "deleted forever",
        Moderation::BanEmail | Moderation::BanAddress => "marked as spam and their senders banned",
    }
}

/// The actions offered on the comments in `status` (as WordPress: comments are deleted for
/// good only from Spam and Trash).
fn actions_for(status: CommentStatus) -> Vec<Moderation> {
    use Moderation::*;
    match status {
        CommentStatus::Pending => vec![Approve, Spam, Trash, BanEmail, BanAddress],
        CommentStatus::Approved => vec![Unapprove, Spam, Trash, BanEmail, BanAddress],
        CommentStatus::Spam => vec![Approve, Unapprove, Trash, DeleteForever],
        CommentStatus::Trash => vec![Restore, DeleteForever],
    }
}

/// Hidden fields that bring the moderator back to the same queue page.
fn back_fields(view: &QueueView, token: &str) -> impl IntoView {
    let article = view.filter.article.as_ref().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let text = view.filter.text.clone().unwrap_or_default();
    view! {
        <input type="hidden" name="token" value=token.to_owned()/>
        <input type="hidden" name="status" value=view.status.as_str()/>
        <input type="hidden" name="article" value=article/>
        <input type="hidden" name="q" value=text/>
        <input type="hidden" name="page" value=view.page.to_string()/>
    }
}

fn queue_row(row: &QueueRow, actions: &[Moderation]) -> impl IntoView {
    let id = row.id;
    let article_href = paths::article(&row.article_slug);
    let (title, name, email) = (row.article_title.clone(), row.author_name.clone(), row.author_email.clone());
    let website = row.author_url.clone();
    let at = row.created_at.stored();
    let body = row.body.clone();
    let reply = row.parent_id.map(|parent| format!("reply to comment {parent}"));
    let (same_address, same_email) = (row.same_address, row.same_email);
    let held = row.held_reason.map(|reason| view! { <p class="queue-held">{reason.describe()}</p> });
    let reply_link = (row.status == CommentStatus::Approved).then(|| {
        view! { <a class="queue-reply" href=format!("{}?to={id}", paths::DESK_REPLY)>"Reply as staff"</a> }
    });
    let buttons = actions
        .iter()
        .map(|action| {
            view! { <button type="submit" name="row_action" value=format!("{}:{id}", action.as_str())>{action_label(*action)}</button> }
        })
        .collect::<Vec<_>>();
    view! {
        <li class="queue-row" id=format!("comment-{id}")>
            <p class="queue-meta">
                <input type="checkbox" name="id" value=id.to_string() id=format!("pick-{id}")/>
                <label for=format!("pick-{id}")>{format!("#{id}")}</label>
                " " <strong>{name}</strong> " <" {email} "> "
                {website.map(|w| view! { <span class="queue-website">{w}</span> })}
                " on " <a href=article_href>{title}</a> " · " <time datetime=at.clone()>{at.clone()}</time>
                {reply.map(|r| view! { <span>" · " {r}</span> })}
            </p>
            {held}
            <p class="queue-body">{body}</p>
            <p class="queue-history">
                {format!("Other comments from this address: {same_address}; with this e-mail: {same_email}.")}
            </p>
            <p class="queue-actions">{buttons} {reply_link}</p>
        </li>
    }
}

pub fn queue(
    stylesheet: &'static str,
    session: &SignedIn,
    view: &QueueView,
    counts: &[(CommentStatus, i64)],
    rows: &[QueueRow],
    notice: Option<String>,
) -> Html<String> {
    let tabs = counts
        .iter()
        .map(|(status, count)| {
            let current = (*status == view.status).then_some("page");
            let label = format!("{} ({count})", status_label(*status));
            view! { <li><a href=view.href(*status, 1, &[]) aria-current=current>{label}</a></li> }
        })
        .collect::<Vec<_>>();
    let total = counts.iter().find(|(s, _)| *s == view.status).map_or(0, |(_, n)| *n);
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let actions = actions_for(view.status);
    let bulk = actions
        .iter()
        .map(|action| view! { <button type="submit" name="action" value=action.as_str()>{action_label(*action)}</button> })
        .collect::<Vec<_>>();
    let list = rows.iter().map(|row| queue_row(row, &actions)).collect::<Vec<_>>();
    let empty = rows.is_empty().then(|| view! { <p>"No comments here."</p> });
    let done = notice.map(|notice| view! { <p class="form-thanks" role="status">{notice}</p> });
    let previous = (view.page > 1).then(|| view! { <a href=view.href(view.status, view.page - 1, &[])>"Newer"</a> });
    let next = (view.page < pages).then(|| view! { <a href=view.href(view.status, view.page + 1, &[])>"Older"</a> });
    let article = view.filter.article.as_ref().map(|a| a.as_str().to_owned()).unwrap_or_default();
    let text = view.filter.text.clone().unwrap_or_default();
    document(
        stylesheet,
        "Comments",
        view! {
            <div data-live-queue=paths::DESK_QUEUE_EVENTS>
            <h1>"Comments"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK>"Back to the desk"</a>" · "<a href=paths::DESK_BANS>"Bans"</a></p>
            <nav aria-label="Comment status"><ul class="queue-tabs">{tabs}</ul></nav>
            <form method="get" action=paths::DESK_COMMENTS class="queue-filter">
                <input type="hidden" name="status" value=view.status.as_str()/>
                <label for="filter-article">"Article (its address name)"</label>
                <input id="filter-article" name="article" type="text" value=article/>
                <label for="filter-text">"Text, name or e-mail"</label>
                <input id="filter-text" name="q" type="search" value=text/>
                <button type="submit">"Filter"</button>
            </form>
            {done}
            <form method="post" action=paths::DESK_COMMENTS>
                {back_fields(view, &session.form_token)}
                <p class="queue-actions">"With the chosen comments: " {bulk}</p>
                <ul class="queue">{list}</ul>
                {empty}
            </form>
            <p class="queue-pages">{previous} " " {format!("Page {} of {pages}", view.page)} " " {next}</p>
            </div>
        },
    )
}

/// "Delete forever" asks once more, listing what would go.
pub fn confirm_delete(stylesheet: &'static str, session: &SignedIn, view: &QueueView, ids: &[i64]) -> Html<String> {
    let hidden =
        ids.iter().map(|id| view! { <input type="hidden" name="id" value=id.to_string()/> }).collect::<Vec<_>>();
    let noun = if ids.len() == 1 { "comment" } else { "comments" };
    let list = ids.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(", ");
    let cancel = view.href(view.status, view.page, &[]);
    document(
        stylesheet,
        "Delete forever?",
        view! {
            <h1>"Delete forever?"</h1>
            {signed_in_as(session)}
            <p>{format!("{} {noun} ({list}) and every reply to them will be deleted. This cannot be undone.", ids.len())}</p>
            <form method="post" action=paths::DESK_COMMENTS>
                {back_fields(view, &session.form_token)}
                {hidden}
                <input type="hidden" name="action" value="delete"/>
                <input type="hidden" name="confirm" value="yes"/>
                <button type="submit">{format!("Delete {} {noun} forever", ids.len())}</button>
                " " <a href=cancel>"Cancel"</a>
            </form>
        },
    )
}

/// A short message with a way back.
pub fn message(stylesheet: &'static str, session: &SignedIn, message: &str, back: &str) -> Html<String> {
    let (message, back) = (message.to_owned(), back.to_owned());
    document(
        stylesheet,
        "Comments",
        view! {
            <h1>"Comments"</h1>
            {signed_in_as(session)}
            <p class="form-problem" role="alert">{message}</p>
            <p><a href=back>"Back to the comments"</a></p>
        },
    )
}

pub fn bans(stylesheet: &'static str, session: &SignedIn, bans: &[Ban]) -> Html<String> {
    let token = session.form_token.clone();
    let rows = bans
        .iter()
        .map(|ban| {
            let what = if ban.kind == "email" { "E-mail" } else { "Client address (hash)" };
            let value = if ban.kind == "email" { ban.value.clone() } else { ban.value.chars().take(12).collect() };
            let (at, by) = (ban.created_at.stored(), ban.created_by.clone().unwrap_or_else(|| "—".to_owned()));
            view! {
                <tr>
                    <td>{what}</td>
                    <td>{value}</td>
                    <td><time datetime=at.clone()>{at.clone()}</time></td>
                    <td>{by}</td>
                    <td>
                        <button type="submit" name="lift" value=ban.id.to_string()>"Lift"</button>
                    </td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    let empty = bans.is_empty().then(|| view! { <p>"Nobody is banned."</p> });
    document(
        stylesheet,
        "Bans",
        view! {
            <h1>"Bans"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK_COMMENTS>"Back to the comments"</a></p>
            <p>"New comments from a banned e-mail or client address go straight to spam. Ban from a comment in the queue."</p>
            <form method="post" action=paths::DESK_BANS>
                <input type="hidden" name="token" value=token/>
                <table class="desk-table">
                    <caption>"Every ban, newest first"</caption>
                    <thead><tr><th scope="col">"What"</th><th scope="col">"Banned"</th><th scope="col">"Since (UTC)"</th><th scope="col">"By"</th><th scope="col">"Lift"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </form>
            {empty}
        },
    )
}

/// A staff reply: the comment it answers, then the form (with what was typed, and why it was
/// refused).
pub fn reply(
    stylesheet: &'static str,
    session: &SignedIn,
    slug: &Slug,
    comment: &Comment,
    typed: &str,
    problem: Option<&str>,
) -> Html<String> {
    let (name, body, id) = (comment.author_name.clone(), comment.body.clone(), comment.id);
    let article_href = format!("{}#comment-{id}", paths::article(slug));
    let (typed, problem, token) = (typed.to_owned(), problem.map(str::to_owned), session.form_token.clone());
    let invalid = problem.is_some().then_some("true");
    document(
        stylesheet,
        "Reply as staff",
        view! {
            <h1>"Reply as staff"</h1>
            {signed_in_as(session)}
            <p><a href=format!("{}?status=approved", paths::DESK_COMMENTS)>"Back to the comments"</a></p>
            <blockquote class="queue-row">
                <p class="queue-meta"><strong>{name}</strong>" wrote (" <a href=article_href>"see it in the story"</a> "):"</p>
                <p class="queue-body">{body}</p>
            </blockquote>
            <form method="post" action=paths::DESK_REPLY class="desk-form">
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="to" value=id.to_string()/>
                <label for="reply-body">"Your reply (published at once, marked as staff)"</label>
                <textarea id="reply-body" name="body" rows="6" required aria-invalid=invalid aria-describedby="reply-problem">{textarea_text(typed)}</textarea>
                <p class="form-problem" id="reply-problem" role="alert">{problem}</p>
                <button type="submit">"Publish reply"</button>
            </form>
        },
    )
}
