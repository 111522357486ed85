//! The desk's pages: Leptos views rendered to HTML on the server (no hydration, no wasm).

use app::core::{paths, SITE_NAME};
use app::staff::{audit::Entry, session::SignedIn, Role};
use axum::response::Html;
use leptos::prelude::*;

fn document(stylesheet: &'static str, title: &str, body: impl IntoView + 'static) -> Html<String> {
    let title = format!("{title} — {SITE_NAME} desk");
    let html = Owner::new().with(|| {
        view! {
            <!DOCTYPE html>
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <meta name="color-scheme" content="light dark"/>
                    <meta name="robots" content="noindex"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href=stylesheet/>
                </head>
                <body class="desk">
                    <main id="content" class="desk-page">{body}</main>
                </body>
            </html>
        }
        .to_html()
    });
    // `<!>` marks where hydration would split text; these pages are never hydrated.
    Html(html.replace("<!>", ""))
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
fn token_form(action: &'static str, token: String, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=action class="desk-inline-form">
            <input type="hidden" name="token" value=token/>
            <button type="submit">{label}</button>
        </form>
    }
}

fn signed_in_as(session: &SignedIn) -> impl IntoView {
    let (name, role) = (session.staff.name.clone(), session.staff.role.to_string());
    view! { <p class="desk-who">"Signed in as " <strong>{name}</strong> " (" {role} ")."</p> }
}

pub fn home(stylesheet: &'static str, session: &SignedIn) -> Html<String> {
    let admin = session.staff.role == Role::Admin;
    let token = session.form_token.clone();
    document(
        stylesheet,
        "Desk",
        view! {
            <h1>"The desk"</h1>
            {signed_in_as(session)}
            {admin.then(|| view! { <p><a href=paths::DESK_AUDIT>"Audit log"</a>" — sign-ins and what staff did"</p> })}
            <p>"Comments are still moderated with " <code>"server comments"</code> " on the server."</p>
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
            <p>"Only admins can open this page."</p>
            <p><a href=paths::DESK>"Back to the desk"</a></p>
        },
    )
}
