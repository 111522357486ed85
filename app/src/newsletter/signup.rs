//! (server) Behind the newsletter's forms and links: parse → store (with the mail in the same
//! transaction) → wake the mail worker → answer with a status, or redirect without JavaScript.

use std::sync::Arc;

use chrono::Utc;
use http::{request::Parts, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::mail::{self, MailSettings};
use super::store::{self, Confirmation, Membership, SignUp};
use super::subscribe::{Placement, SubscribeError};
use super::Email;
use crate::db::Pool;
use crate::site::form_post::{is_plain_form_post, referring_page};

/// Wakes the server's mail worker when a mail was queued, so it goes out at once rather than
/// at the worker's next look at the outbox.
#[derive(Clone, Default)]
pub struct MailQueue(Arc<tokio::sync::Notify>);

impl MailQueue {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

fn context<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, SubscribeError> {
    use_context::<T>().ok_or_else(|| {
        tracing::error!("{what} missing from the server's context");
        SubscribeError::Server
    })
}

pub async fn sign_up(email: Email) -> Result<(), SubscribeError> {
    let pool: Pool = context("pool")?;
    let settings: MailSettings = context("mail settings")?;
    let queue: MailQueue = context("mail queue")?;
    // Its own task: a reader who hangs up must not cut the transaction in half.
    let signed_up = tokio::spawn(async move {
        store::sign_up(&pool, &email, Utc::now(), |token| {
            let link = settings.site_url.join(&format!("/newsletter/confirm?token={}", token.as_str()));
            mail::confirmation(&settings, &email, &link)
        })
        .await
    })
    .await;
    match signed_up {
        Ok(Ok(SignUp::ConfirmationQueued)) => {
            queue.wake();
            Ok(())
        }
        Ok(Ok(SignUp::RecentlyMailed | SignUp::AlreadyConfirmed)) => Ok(()),
        Ok(Err(error)) => {
            tracing::error!(%error, "sign-up failed");
            Err(SubscribeError::Server)
        }
        Err(error) => {
            tracing::error!(%error, "sign-up task failed");
            Err(SubscribeError::Server)
        }
    }
}

/// With JavaScript: the outcome and its status. Without: back to the page the form was on,
/// with the answer (and, when refused, what was typed) in the query for that form to show.
pub fn answer(outcome: Result<String, SubscribeError>, form: &str, typed: &str) -> Result<String, SubscribeError> {
    let (Some(parts), Some(response)) = (use_context::<Parts>(), use_context::<ResponseOptions>()) else {
        return outcome;
    };
    if !is_plain_form_post(&parts) {
        if let Err(error) = &outcome {
            response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST));
        }
        return outcome;
    }
    let place = Placement::parse(form).unwrap_or(Placement::Footer).name();
    let page = referring_page(&parts);
    let (path, query) = page.split_once('?').unwrap_or((&page, ""));
    let mut params: Vec<String> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with("newsletter")).map(str::to_owned).collect();
    match &outcome {
        Ok(_) => params.push("newsletter=sent".into()),
        Err(error) => {
            params.push(if *error == SubscribeError::TooMany { "newsletter=busy" } else { "newsletter=invalid" }.into());
            let typed: String = typed.chars().take(300).collect();
            params.push(format!("newsletter_email={}", utf8_percent_encode(&typed, NON_ALPHANUMERIC)));
        }
    }
    params.push(format!("newsletter_form={place}"));
    leptos_axum::redirect(&format!("{path}?{}#subscribe-{place}", params.join("&")));
    outcome
}

fn pool() -> Result<Pool, ServerFnError> {
    use_context::<Pool>().ok_or_else(|| ServerFnError::new("database pool missing"))
}

/// Opens a confirmation link; queues the welcome mail when it confirms.
pub async fn confirm(token: String) -> Result<Confirmation, ServerFnError> {
    let pool = pool()?;
    let settings = use_context::<MailSettings>().ok_or_else(|| ServerFnError::new("mail settings missing"))?;
    let queue = use_context::<MailQueue>().ok_or_else(|| ServerFnError::new("mail queue missing"))?;
    let confirmed = tokio::spawn(async move {
        store::confirm(&pool, &token, Utc::now(), |email, unsubscribe| {
            let link = settings.site_url.join(&format!("/newsletter/unsubscribe?token={}", unsubscribe.as_str()));
            mail::welcome(&settings, email, &link)
        })
        .await
    })
    .await
    .map_err(ServerFnError::new)?
    .map_err(|error| {
        tracing::error!(%error, "confirmation failed");
        ServerFnError::new("confirmation failed")
    })?;
    if confirmed == Confirmation::Confirmed {
        queue.wake();
    }
    Ok(confirmed)
}

pub async fn membership(token: String) -> Result<Membership, ServerFnError> {
    store::membership(&pool()?, &token, Utc::now()).await.map_err(|error| {
        tracing::error!(%error, "unsubscribe link lookup failed");
        ServerFnError::new("lookup failed")
    })
}
