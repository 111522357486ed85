//! Staff accounts at `/admin/staff`, for admins only: add an account (with a first password the
//! new member then changes), change a role, disable or enable, and turn off two-step sign-in for
//! someone who lost both phone and recovery codes. The same rules as `server users`: the last
//! admin who can sign in can be neither demoted nor disabled.

use std::net::SocketAddr;

use app::core::{email::Email, paths};
use app::staff::audit::{self, Action};
use app::staff::password::NewPassword;
use app::staff::session::SignedIn;
use app::staff::store::{self, Change, StaffError, StaffMember};
use app::staff::{second_factor, Role};
use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use leptos::prelude::*;
use serde::Deserialize;

use super::pages::{document, signed_in_as};
use super::{server_error, Desk};

#[derive(Deserialize, Default)]
pub struct StaffParams {
    #[serde(default)]
    done: String,
}

/// What was typed into the "add" form (never the password), to show it again.
#[derive(Default, Clone)]
struct Typed {
    email: String,
    name: String,
    role: String,
}

pub async fn page(State(desk): State<Desk>, headers: HeaderMap, Query(params): Query<StaffParams>) -> Response {
    let session = match desk.member(&headers, Role::manages_staff).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let notice = match params.done.as_str() {
        "added" => Some("The account is added. Tell them their first password; they change it under “Your account”."),
        "changed" => Some("The account is changed."),
        _ => None,
    };
    render(&desk, &session, notice, None, Typed::default(), StatusCode::OK).await
}

async fn render(
    desk: &Desk,
    session: &SignedIn,
    notice: Option<&str>,
    problem: Option<String>,
    typed: Typed,
    status: StatusCode,
) -> Response {
    match store::list(&desk.db).await {
        Ok(staff) => (status, staff_html(desk.stylesheet, session, &staff, notice, problem, typed)).into_response(),
        Err(error) => server_error(error),
    }
}

fn role_options(chosen: &str) -> Vec<AnyView> {
    Role::ALL
        .into_iter()
        .map(|role| {
            let selected = role.as_str() == chosen;
            view! { <option value=role.as_str() selected=selected>{role.as_str()}</option> }.into_any()
        })
        .collect()
}

fn member_row(member: &StaffMember, token: &str) -> impl IntoView {
    let (name, email, role) = (member.name.clone(), member.email.to_string(), member.role.as_str());
    let state = match &member.disabled_at {
        Some(at) => format!("disabled since {}", at.stored()),
        None => "active".to_owned(),
    };
    let id = member.id;
    let switch = if member.disabled_at.is_some() {
        view! { <button type="submit" name="action" value="enable">"Enable"</button> }.into_any()
    } else {
        view! { <button type="submit" name="action" value="disable">"Disable"</button> }.into_any()
    };
    let two_step_off = member.two_step.then(|| {
        view! { <button type="submit" name="action" value="two-step-off">"Turn two-step off"</button> }
    });
    view! {
        <tr id=format!("staff-{id}")>
            <td>{name}</td>
            <td>{email.clone()}</td>
            <td>{role}</td>
            <td>{if member.two_step { "on" } else { "off" }}</td>
            <td>{state}</td>
            <td>
                <form method="post" action=paths::DESK_STAFF class="staff-actions">
                    <input type="hidden" name="token" value=token.to_owned()/>
                    <input type="hidden" name="email" value=email/>
                    <select name="role" aria-label=format!("New role for {}", member.name)>{role_options(role)}</select>
                    <button type="submit" name="action" value="role">"Change role"</button>
                    {switch}
                    {two_step_off}
                </form>
            </td>
        </tr>
    }
}

fn staff_html(
    stylesheet: &'static str,
    session: &SignedIn,
    staff: &[StaffMember],
    notice: Option<&str>,
    problem: Option<String>,
    typed: Typed,
) -> Html<String> {
    let token = session.form_token.clone();
    let rows = staff.iter().map(|member| member_row(member, &token)).collect::<Vec<_>>();
    let notice = notice.map(|n| view! { <p class="form-thanks" role="status">{n.to_owned()}</p> });
    let invalid = problem.is_some().then_some("true");
    let role = if typed.role.is_empty() { Role::Author.as_str().to_owned() } else { typed.role.clone() };
    document(
        stylesheet,
        "Staff",
        view! {
            <h1>"Staff"</h1>
            {signed_in_as(session)}
            <p><a href=paths::DESK>"Back to the desk"</a></p>
            {notice}
            <p class="form-problem" id="staff-problem" role="alert">{problem}</p>
            <table class="desk-table">
                <caption>"Every account, admins first"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col">"Two-step"</th><th scope="col">"State"</th><th scope="col">"Change"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <h2>"Add an account"</h2>
            <form method="post" action=paths::DESK_STAFF class="desk-form">
                <input type="hidden" name="token" value=token/>
                <label for="staff-email">"E-mail address"</label>
                <input id="staff-email" name="email" type="email" required value=typed.email aria-invalid=invalid aria-describedby="staff-problem"/>
                <label for="staff-name">"Name"</label>
                <input id="staff-name" name="name" type="text" required maxlength="100" value=typed.name/>
                <label for="staff-role">"Role"</label>
                <select id="staff-role" name="role">{role_options(&role)}</select>
                <label for="staff-password">"First password (at least 12 characters; they change it)"</label>
                <input id="staff-password" name="password" type="password" autocomplete="new-password" required/>
                <button type="submit" name="action" value="add">"Add account"</button>
            </form>
        },
    )
}

#[derive(Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

pub async fn change(
    State(desk): State<Desk>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<StaffForm>,
) -> Response {
    let session = match desk.member_posting(&headers, &form.token, Role::manages_staff).await {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    let ip_hash = desk.ip_hash(&headers, peer);
    let typed =
        Typed { email: form.email.trim().to_owned(), name: form.name.trim().to_owned(), role: form.role.clone() };
    let outcome = match form.action.as_str() {
        "add" => add(&desk, &form).await.map(|()| "added"),
        action => change_one(&desk, action, &form).await.map(|()| "changed"),
    };
    match outcome {
        Ok(done) => {
            let action = if done == "added" { Action::StaffAdded } else { Action::StaffChanged };
            let detail = format!("{} {}", form.action, form.email.trim());
            match audit::record(&desk.db, Some(session.staff.id), action, &detail, &ip_hash).await {
                Ok(()) => Redirect::to(&format!("{}?done={done}", paths::DESK_STAFF)).into_response(),
                Err(error) => server_error(error),
            }
        }
        Err(Problem::Refused(message)) => {
            render(&desk, &session, None, Some(message), typed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Problem::Database(error)) => server_error(error),
    }
}

enum Problem {
    /// Said to the admin, with what they typed kept.
    Refused(String),
    Database(sqlx::Error),
}

impl From<StaffError> for Problem {
    fn from(error: StaffError) -> Problem {
        match error {
            StaffError::Database(error) => Problem::Database(error),
            refused => Problem::Refused(capitalised(&refused.to_string())),
        }
    }
}

impl From<sqlx::Error> for Problem {
    fn from(error: sqlx::Error) -> Problem {
        Problem::Database(error)
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}

async fn add(desk: &Desk, form: &StaffForm) -> Result<(), Problem> {
    let email = Email::parse(&form.email).map_err(|e| Problem::Refused(e.to_owned()))?;
    let name = store::staff_name(&form.name).map_err(Problem::Refused)?;
    let role = Role::parse(&form.role).ok_or_else(|| Problem::Refused("Please choose a role.".to_owned()))?;
    let password = NewPassword::parse(&form.password, &[email.as_str(), &name]).map_err(Problem::Refused)?;
    let hash =
        tokio::task::spawn_blocking(move || password.hash()).await.map_err(|e| Problem::Refused(e.to_string()))?;
    store::add(&desk.db, &email, &name, role, &hash).await?;
    Ok(())
}

async fn change_one(desk: &Desk, action: &str, form: &StaffForm) -> Result<(), Problem> {
    let email = form.email.trim();
    let change = match action {
        "role" => {
            Change::Role(Role::parse(&form.role).ok_or_else(|| Problem::Refused("Please choose a role.".to_owned()))?)
        }
        "disable" => Change::Disabled(true),
        "enable" => Change::Disabled(false),
        "two-step-off" => {
            let member = store::by_email(&desk.db, email)
                .await?
                .ok_or_else(|| Problem::from(StaffError::NoSuchAccount(email.to_owned())))?;
            second_factor::turn_off(&desk.db, member.id).await?;
            return Ok(());
        }
        _ => return Err(Problem::Refused("Please choose what to change.".to_owned())),
    };
    store::change(&desk.db, email, change).await?;
    Ok(())
}
