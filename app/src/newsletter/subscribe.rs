//! "Subscribe": the one form (footer on every page, a fuller block under each article) and
//! the server function behind it. Works as a plain form post without JavaScript.

use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::types::{NoJsOutcome, Placement, SubscribeError, THANKS};
use crate::core::email::{Email, MAX_EMAIL_CHARS};

/// `form` says which of the page's forms was used (the no-JavaScript answer goes back to it);
/// `subject` is a trap field people never see.
#[server(endpoint = "newsletter/subscribe")]
pub async fn subscribe(
    email: Option<String>,
    form: Option<String>,
    subject: Option<String>,
) -> Result<String, SubscribeError> {
    let typed = email.unwrap_or_default();
    let outcome = match Email::parse(&typed) {
        Err(message) => Err(SubscribeError::Invalid(message.into())),
        Ok(_) if subject.is_some_and(|s| !s.trim().is_empty()) => Ok(THANKS.to_owned()),
        Ok(email) => match super::limit::SignUpLimit::spend_for_current_request().await {
            Ok(()) => super::signup::sign_up(email).await.map(|()| THANKS.to_owned()),
            Err(refused) => Err(refused),
        },
    };
    let place = form.as_deref().and_then(Placement::parse).unwrap_or(Placement::Footer);
    crate::core::form::respond(outcome, async |outcome| super::signup::no_js_target(outcome, place, &typed)).await
}

/// The subscribe form. Without JavaScript the server sends the reader back to this page with
/// the outcome in the query (`NoJsOutcome`), read here so the answer and the typed address
/// show in the form that was used.
#[component]
pub fn SubscribeForm(place: Placement, heading: &'static str, blurb: &'static str) -> impl IntoView {
    let name = place.name();
    let returned = use_query_map().with_untracked(|q| {
        (q.get(NoJsOutcome::FORM_PARAM).as_deref() == Some(name)).then(|| {
            let outcome = q.get(NoJsOutcome::PARAM).as_deref().and_then(NoJsOutcome::parse);
            (outcome, q.get(NoJsOutcome::EMAIL_PARAM).unwrap_or_default())
        })
    });
    let (typed, thanks, problem) = match returned {
        Some((Some(NoJsOutcome::Sent), _)) => (String::new(), Some(THANKS.to_owned()), None),
        Some((Some(NoJsOutcome::Busy), typed)) => (typed, None, Some(SubscribeError::TooMany.to_string())),
        Some((_, typed)) => {
            let problem =
                Email::parse(&typed).err().map(str::to_owned).unwrap_or_else(|| SubscribeError::Server.to_string());
            (typed, None, Some(problem))
        }
        None => (String::new(), None, None),
    };
    view! { <SubscribeBox place heading=heading.to_owned() blurb=blurb.to_owned() typed thanks problem/> }.into_any()
}

/// The form itself: an island, so the app answers in place once it runs.
#[island]
fn SubscribeBox(
    place: Placement,
    heading: String,
    blurb: String,
    typed: String,
    thanks: Option<String>,
    problem: Option<String>,
) -> impl IntoView {
    // The footer's form stays when the navigation replaces the page's content; the others go.
    if place != Placement::Footer {
        crate::core::end_with_the_page();
    }
    let action = ServerAction::<Subscribe>::new();
    let name = place.name();
    let thanks = RwSignal::new(thanks);
    let problem = RwSignal::new(problem);
    let input = NodeRef::<Input>::new();

    Effect::new(move |_| match action.value().get() {
        Some(Ok(message)) => {
            problem.set(None);
            thanks.set(Some(message));
            if let Some(input) = input.get_untracked() {
                input.set_value("");
            }
        }
        Some(Err(error)) => {
            thanks.set(None);
            problem.set(Some(error.to_string()));
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        }
        None => {}
    });

    // The server's own rules, checked before sending; the server checks again.
    let check_before_sending = move |ev: leptos::ev::MouseEvent| {
        let value = input.get_untracked().map(|i| i.value()).unwrap_or_default();
        if let Err(message) = Email::parse(&value) {
            ev.prevent_default();
            thanks.set(None);
            problem.set(Some(message.to_owned()));
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
        }
    };

    let section_id = format!("subscribe-{name}");
    let heading_id = format!("subscribe-{name}-title");
    let input_id = format!("subscribe-{name}-email");
    let problem_id = format!("subscribe-{name}-problem");
    view! {
        <section class=format!("subscribe subscribe-{name}") id=section_id aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{heading}</h2>
            <p class="subscribe-blurb">{blurb}</p>
            <ActionForm action attr:novalidate=true>
                <input type="hidden" name="form" value=name/>
                <p class="trap" aria-hidden="true">
                    <label>"Leave this empty" <input name="subject" type="text" tabindex="-1" autocomplete="off"/></label>
                </p>
                <label for=input_id.clone()>"Email address"</label>
                <div class="subscribe-row">
                    <input id=input_id name="email" type="email" autocomplete="email" required maxlength=MAX_EMAIL_CHARS
                        placeholder="you@example.org" value=typed node_ref=input
                        aria-invalid=move || problem.with(Option::is_some).then_some("true")
                        aria-describedby=problem_id.clone()/>
                    <button type="submit" on:click=check_before_sending disabled=move || action.pending().get()>"Subscribe"</button>
                </div>
                <p class="subscribe-problem" id=problem_id role="alert">{move || problem.get()}</p>
                <p class="subscribe-thanks" role="status">{move || thanks.get()}</p>
            </ActionForm>
        </section>
    }
}
