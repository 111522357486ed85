//! (server) What the server provides to every request as context (the database, settings),
//! looked up one way. A missing value is a wiring bug, logged here once.

use leptos::prelude::*;

/// The server did not provide a value a server function needs.
#[derive(Debug, Clone, Copy)]
pub struct MissingContext(pub &'static str);

pub fn from_context<T: Clone + Send + Sync + 'static>() -> Result<T, MissingContext> {
    use_context::<T>().ok_or_else(|| {
        let missing = MissingContext(std::any::type_name::<T>());
        tracing::error!(what = missing.0, "missing from the server's context");
        missing
    })
}

impl From<MissingContext> for ServerFnError {
    fn from(missing: MissingContext) -> ServerFnError {
        ServerFnError::new(format!("{} missing from context", missing.0))
    }
}
