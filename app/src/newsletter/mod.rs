//! The newsletter: "Subscribe" (double opt-in), the confirmation and unsubscribe pages behind
//! the links we mail, and (server only) the store with its mail outbox and the mails.

#[cfg(feature = "ssr")]
pub mod edition;
#[cfg(feature = "ssr")]
pub mod limit;
#[cfg(feature = "ssr")]
pub mod mail;
mod pages;
#[cfg(feature = "ssr")]
pub mod sends;
#[cfg(feature = "ssr")]
pub mod signup;
#[cfg(feature = "ssr")]
pub mod store;
pub mod subscribe;
#[cfg(feature = "ssr")]
pub mod token;
pub mod types;

pub use pages::{ConfirmPage, UnsubscribePage};
pub use subscribe::SubscribeForm;
pub use types::{Placement, SubscribeError};
