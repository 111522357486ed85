//! What signing up can come to, and which of the page's forms it was.

use serde::{Deserialize, Serialize};

use crate::core::form::FormError;

/// The one answer to every accepted sign-up, whatever the address's state: nobody can learn
/// from it whether an address is on the list.
pub const THANKS: &str = "Thanks! Check your inbox to confirm your subscription.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SubscribeError {
    #[error("{0}")]
    Invalid(String),
    #[error("The form arrived incomplete. Please try again.")]
    BadRequest,
    #[error("Too many sign-ups from your network just now. Please try again in a few minutes.")]
    TooMany,
    #[error("Sorry, we couldn't sign you up just now. Please try again in a minute.")]
    Server,
}

impl FormError for SubscribeError {
    fn status(&self) -> u16 {
        match self {
            SubscribeError::Invalid(_) => 422,
            SubscribeError::BadRequest => 400,
            SubscribeError::TooMany => 429,
            // Nothing the reader did: the database is busy or away for a moment.
            SubscribeError::Server => 503,
        }
    }
}

crate::form_error_from_server_fn!(SubscribeError, bad_request: SubscribeError::BadRequest, server: SubscribeError::Server);

#[cfg(feature = "ssr")]
impl From<crate::core::context::MissingContext> for SubscribeError {
    fn from(_: crate::core::context::MissingContext) -> SubscribeError {
        SubscribeError::Server
    }
}

/// Where a form sits on the page; it names the element ids and the no-JavaScript answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    Footer,
    Article,
}

impl Placement {
    pub fn name(self) -> &'static str {
        match self {
            Placement::Footer => "footer",
            Placement::Article => "article",
        }
    }

    pub fn parse(name: &str) -> Option<Placement> {
        [Placement::Footer, Placement::Article].into_iter().find(|p| p.name() == name)
    }
}

/// The answer a reader without JavaScript is sent back with, as the page's query carries it
/// (`?newsletter=…&newsletter_form=…&newsletter_email=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoJsOutcome {
    Sent,
    Busy,
    Invalid,
}

impl NoJsOutcome {
    pub const PARAM: &'static str = "newsletter";
    pub const FORM_PARAM: &'static str = "newsletter_form";
    pub const EMAIL_PARAM: &'static str = "newsletter_email";

    pub fn of<T>(outcome: &Result<T, SubscribeError>) -> NoJsOutcome {
        match outcome {
            Ok(_) => NoJsOutcome::Sent,
            Err(SubscribeError::TooMany) => NoJsOutcome::Busy,
            Err(_) => NoJsOutcome::Invalid,
        }
    }

    pub fn as_param(self) -> &'static str {
        match self {
            NoJsOutcome::Sent => "sent",
            NoJsOutcome::Busy => "busy",
            NoJsOutcome::Invalid => "invalid",
        }
    }

    pub fn parse(param: &str) -> Option<NoJsOutcome> {
        [NoJsOutcome::Sent, NoJsOutcome::Busy, NoJsOutcome::Invalid].into_iter().find(|o| o.as_param() == param)
    }
}

/// Where a subscriber stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum SubscriberStatus {
    /// Signed up, confirmation link sent, not yet opened.
    Pending,
    Confirmed,
    Unsubscribed,
}

/// What a mailed link's token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum TokenPurpose {
    Confirm,
    Unsubscribe,
}
