//! The pages behind the links in our mails: `/newsletter/confirm?token=…` and
//! `/newsletter/unsubscribe?token=…`. Every outcome — used, expired or forged links too — is a
//! friendly page with a fitting status, never an error page.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::subscribe::SubscribeForm;
use super::types::{Placement, SubscribeError};
use crate::core::form::set_status;
use crate::core::{paths, LoadError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfirmResult {
    /// A good link, not yet used: the page offers the button.
    Ready,
    Confirmed,
    AlreadyConfirmed,
    Expired,
    Invalid,
}

#[cfg(feature = "ssr")]
impl From<super::store::Confirmation> for ConfirmResult {
    fn from(confirmation: super::store::Confirmation) -> ConfirmResult {
        use super::store::Confirmation;
        match confirmation {
            Confirmation::Ready => ConfirmResult::Ready,
            Confirmation::Confirmed => ConfirmResult::Confirmed,
            Confirmation::AlreadyConfirmed => ConfirmResult::AlreadyConfirmed,
            Confirmation::Expired => ConfirmResult::Expired,
            Confirmation::Invalid => ConfirmResult::Invalid,
        }
    }
}

/// What the link in the confirmation mail would do. Opening it changes nothing: mail scanners
/// open (and `HEAD`) links, and double opt-in means the reader's own click.
#[server(endpoint = "newsletter/confirmation")]
pub async fn confirmation_link(token: String) -> Result<ConfirmResult, ServerFnError> {
    Ok(super::signup::check(token).await?.into())
}

/// The page's "Confirm my subscription" button. Without JavaScript the reader comes back to the
/// page, which then shows the subscription confirmed.
#[server(endpoint = "newsletter/confirm")]
pub async fn confirm_subscription(token: Option<String>) -> Result<ConfirmResult, SubscribeError> {
    let token = token.unwrap_or_default();
    let outcome = super::signup::confirm(token.clone()).await.map(ConfirmResult::from);
    let back =
        if super::token::looks_valid(&token) { paths::newsletter_confirm(&token) } else { paths::FRONT.to_owned() };
    crate::core::form::respond(outcome, async |_| back).await
}

/// Whose unsubscribe link it is and whether they are on the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Subscribed(String),
    Unsubscribed(String),
    Invalid,
}

#[server(endpoint = "newsletter/membership")]
pub async fn unsubscribe_link(token: String) -> Result<LinkState, ServerFnError> {
    use super::store::Membership;
    Ok(match super::signup::membership(token).await? {
        Membership::Subscribed(email) => LinkState::Subscribed(email.to_string()),
        Membership::Unsubscribed(email) => LinkState::Unsubscribed(email.to_string()),
        Membership::Invalid => LinkState::Invalid,
    })
}

fn token_from_query() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("token").unwrap_or_default())
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let token = token_from_query();
    let result = crate::core::codec::resource(move || token.get(), confirmation_link);
    view! {
        <Title text="Newsletter"/>
        <Meta name="robots" content="noindex"/>
        <section class="newsletter-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(result) => view! { <ConfirmStep result token=token.get_untracked()/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The button while the link is good; afterwards (in place with JavaScript, after a redirect
/// without) what came of it. Not an island: the page's navigation posts the form in place.
#[component]
fn ConfirmStep(result: ConfirmResult, token: String) -> impl IntoView {
    let action = ServerAction::<ConfirmSubscription>::new();
    let shown = RwSignal::new(result);
    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| match action.value().get() {
        Some(Ok(result)) => shown.set(result),
        Some(Err(error)) => failed.set(Some(error.to_string())),
        None => {}
    });
    move || match shown.get() {
        ConfirmResult::Ready => {
            let token = token.clone();
            view! {
                <h1>"Confirm your subscription"</h1>
                <p class="newsletter-message" data-outcome="Ready">
                    "One click and the week's local news from the Courier comes to your inbox every Friday."
                </p>
                <ActionForm action>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Confirm my subscription"</button>
                </ActionForm>
                <p class="subscribe-problem" role="alert">{move || failed.get()}</p>
            }
            .into_any()
        }
        result => view! { <ConfirmMessage result/> }.into_any(),
    }
}

#[component]
fn ConfirmMessage(result: ConfirmResult) -> impl IntoView {
    let (status, heading, text) = match result {
        ConfirmResult::Ready | ConfirmResult::Confirmed => (
            200,
            "You're subscribed!",
            "Thank you for confirming. Our newsletter will arrive in your inbox; a welcome mail is on its way.",
        ),
        ConfirmResult::AlreadyConfirmed => (
            200,
            "You're subscribed!",
            "Your subscription is confirmed: the newsletter will arrive in your inbox. There is nothing more to do.",
        ),
        ConfirmResult::Expired => (
            410,
            "This link has expired",
            "Confirmation links work for seven days. Sign up again below and we'll send you a fresh one.",
        ),
        ConfirmResult::Invalid => (
            400,
            "This link doesn't work",
            "It may have been used already or copied incompletely. Sign up again below and we'll send you a fresh one.",
        ),
    };
    set_status(status);
    let confirmed = status == 200;
    view! {
        <h1>{heading}</h1>
        <p class="newsletter-message" data-outcome=format!("{result:?}")>{text}</p>
        {if confirmed {
            view! { <p><a href=paths::FRONT>"Go to the front page"</a></p> }.into_any()
        } else {
            view! { <SubscribeForm place=Placement::Article heading="Subscribe again" blurb="One email address, one click in the mail we send."/> }.into_any()
        }}
    }
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = token_from_query();
    let state = crate::core::codec::resource(move || token.get(), unsubscribe_link);
    view! {
        <Title text="Unsubscribe"/>
        <Meta name="robots" content="noindex"/>
        <section class="newsletter-page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(state) => view! { <UnsubscribeMessage state token=token.get_untracked()/> }.into_any(),
                        Err(error) => view! { <LoadError error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Opening the link changes nothing (mail scanners open links); the button posts to the
/// same address, which is also the RFC 8058 one-click target.
#[component]
fn UnsubscribeMessage(state: LinkState, token: String) -> impl IntoView {
    match state {
        LinkState::Subscribed(email) => view! {
            <h1>"Unsubscribe from the newsletter?"</h1>
            <p class="newsletter-message">"The newsletter goes to "<strong>{email}</strong>". One click and it stops."</p>
            <form method="post" action=paths::newsletter_unsubscribe(&token)>
                <button type="submit" class="button">"Unsubscribe"</button>
            </form>
        }
        .into_any(),
        LinkState::Unsubscribed(email) => view! {
            <h1>"You're unsubscribed"</h1>
            <p class="newsletter-message">"We won't send the newsletter to "<strong>{email}</strong>" any more. Sorry to see you go."</p>
            <p>"Changed your mind? Subscribe again with the form below."</p>
        }
        .into_any(),
        LinkState::Invalid => {
            set_status(400);
            view! {
                <h1>"This link doesn't work"</h1>
                <p class="newsletter-message">"It may have been copied incompletely. Use the unsubscribe link in the latest newsletter, or write to us and we'll take you off the list."</p>
            }
            .into_any()
        }
    }
}
