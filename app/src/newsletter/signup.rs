//! (server) Behind the newsletter's forms and links: parse → store (with the mail in the same
//! transaction) → wake the mail worker → answer with a status, or redirect without JavaScript.

use std::sync::Arc;

use chrono::Utc;
use http::request::Parts;
use leptos::prelude::*;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::mail::{self, MailSettings};
use super::store::{self, Confirmation, Membership, SignUp};
use super::types::{NoJsOutcome, Placement, SubscribeError};
use crate::core::context::from_context;
use crate::core::form::referring_page;
use crate::core::{paths, Email};
use crate::db::Db;

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

pub async fn sign_up(email: Email) -> Result<(), SubscribeError> {
    let db: Db = from_context()?;
    let settings: MailSettings = from_context()?;
    let queue: MailQueue = from_context()?;
    // Its own task: a reader who hangs up must not cut the transaction in half.
    let signed_up = tokio::spawn(async move {
        store::sign_up(&db, &email, Utc::now(), |token| {
            let link = settings.site_url.join(&paths::newsletter_confirm(token.as_str()));
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

/// Where a reader without JavaScript goes: back to the page the form was on, with the outcome
/// (and, when refused, what was typed) in the query for that form to show.
pub fn no_js_target(outcome: &Result<String, SubscribeError>, place: Placement, typed: &str) -> String {
    let page = use_context::<Parts>().map(|parts| referring_page(&parts)).unwrap_or_else(|| paths::FRONT.to_owned());
    let (path, query) = page.split_once('?').unwrap_or((&page, ""));
    let mut params: Vec<String> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with(NoJsOutcome::PARAM)).map(str::to_owned).collect();
    let answer = NoJsOutcome::of(outcome);
    params.push(format!("{}={}", NoJsOutcome::PARAM, answer.as_param()));
    if answer != NoJsOutcome::Sent {
        let typed: String = typed.chars().take(300).collect();
        params.push(format!("{}={}", NoJsOutcome::EMAIL_PARAM, utf8_percent_encode(&typed, NON_ALPHANUMERIC)));
    }
    let place = place.name();
    params.push(format!("{}={place}", NoJsOutcome::FORM_PARAM));
    format!("{path}?{}#subscribe-{place}", params.join("&"))
}

/// What a confirmation link would do; changes nothing.
pub async fn check(token: String) -> Result<Confirmation, ServerFnError> {
    store::check_confirmation(&from_context::<Db>()?, &token, Utc::now()).await.map_err(|error| {
        tracing::error!(%error, "confirmation link lookup failed");
        ServerFnError::new("lookup failed")
    })
}

/// Confirms (the reader pressed the button); queues the welcome mail when it confirms.
pub async fn confirm(token: String) -> Result<Confirmation, SubscribeError> {
    let db: Db = from_context()?;
    let settings: MailSettings = from_context()?;
    let queue: MailQueue = from_context()?;
    let confirmed = tokio::spawn(async move {
        store::confirm(&db, &token, Utc::now(), |email, unsubscribe| {
            let link = settings.site_url.join(&paths::newsletter_unsubscribe(unsubscribe.as_str()));
            mail::welcome(&settings, email, &link)
        })
        .await
    })
    .await;
    let confirmed = match confirmed {
        Ok(Ok(confirmed)) => confirmed,
        Ok(Err(error)) => {
            tracing::error!(%error, "confirmation failed");
            return Err(SubscribeError::Server);
        }
        Err(error) => {
            tracing::error!(%error, "confirmation task failed");
            return Err(SubscribeError::Server);
        }
    };
    if confirmed == Confirmation::Confirmed {
        queue.wake();
    }
    Ok(confirmed)
}

pub async fn membership(token: String) -> Result<Membership, ServerFnError> {
    store::membership(&from_context::<Db>()?, &token, Utc::now()).await.map_err(|error| {
        tracing::error!(%error, "unsubscribe link lookup failed");
        ServerFnError::new("lookup failed")
    })
}
