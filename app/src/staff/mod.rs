//! Staff accounts: the people who sign in to the newsroom's desk, with their roles. Made and
//! changed on the command line (`server users …`); the sign-in and the admin pages build on
//! this. Passwords are kept only as Argon2id hashes.

pub mod types;

#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod store;

pub use types::Role;
