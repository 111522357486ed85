//! How page data travels inside the server's HTML to the hydrating app: the same JSON as
//! Leptos' default codec, but decoded from bytes (`serde_json::from_slice`), the way server
//! function responses are decoded. Every type then has one JSON deserializer in the wasm
//! bundle instead of two (a `&str` one for hydration and a `&[u8]` one for navigation).

use std::future::Future;

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};

/// JSON with `serde_json`, decoded from bytes.
pub struct Json;

/// How a failed `Result<_, ServerFnError>` begins in JSON, and what one is sent as instead.
const FAILED_PREFIX: &str = r#"{"Err":"#;
const FAILED: &str = r#"{"Err":{"ServerError":"The data could not be loaded."}}"#;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        let json = serde_json::to_string(val)?;
        // Page data that failed to load is shown as a fixed message; what failed (a database
        // error's wording, table names) stays in the server's log, not in the page's script.
        if json.starts_with(FAILED_PREFIX) {
            return Ok(FAILED.to_owned());
        }
        Ok(json)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// `Resource::new` with [`Json`].
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// `OnceResource::new` with [`Json`].
#[track_caller]
pub fn once_resource<T>(fut: impl Future<Output = T> + Send + 'static) -> OnceResource<T, Json>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    OnceResource::new_with_options(fut, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_json_as_the_default_codec() {
        use leptos::server::codee::string::JsonSerdeCodec;
        let value: Result<Vec<String>, ServerFnError> = Ok(vec!["a \"quoted\" </script> é".into()]);
        let ours = <Json as Encoder<_>>::encode(&value).unwrap();
        assert_eq!(ours, <JsonSerdeCodec as Encoder<_>>::encode(&value).unwrap());
        let back: Result<Vec<String>, ServerFnError> = <Json as Decoder<_>>::decode(&ours).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn what_failed_on_the_server_does_not_reach_the_page() {
        let value: Result<Vec<String>, ServerFnError> =
            Err(ServerFnError::ServerError("error returned from database: no such table: comments".into()));
        let sent = <Json as Encoder<_>>::encode(&value).unwrap();
        assert!(!sent.contains("no such table"), "{sent}");
        let back: Result<Vec<String>, ServerFnError> = <Json as Decoder<_>>::decode(&sent).unwrap();
        assert_eq!(back, Err(ServerFnError::ServerError("The data could not be loaded.".into())));
    }
}
