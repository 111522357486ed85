//! Staff accounts: the people who sign in to the newsroom's desk, with their roles, their
//! sessions and the audit log. Accounts are made on the command line (`server users …`);
//! passwords are kept only as Argon2id hashes, session ids only as SHA-256 hashes.

pub mod types;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod second_factor;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod sign_in;
#[cfg(feature = "ssr")]
pub mod store;

pub use types::Role;
