//! Background workers the server starts beside the requests: the mailer drains the outbox.

pub mod mailer;
