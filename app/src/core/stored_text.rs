//! (server) Domain types stored as text: decoding parses the stored value again, so a row that
//! was changed behind the application's back fails with a clear error instead of reaching a
//! page as something the type promises it is not.

/// `stored_as_text!(Type, parse, to_string)`: `sqlx` `Type`, `Decode` and `Encode` for any
/// database that stores `String`, where `parse: Fn(&str) -> Result<Type, impl Display>`.
#[macro_export]
macro_rules! stored_as_text {
    ($type:ty, $parse:expr, $to_string:expr) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $type
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $type
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let raw = <String as sqlx::Decode<DB>>::decode(value)?;
                ($parse)(raw.as_str()).map_err(|e| format!("stored {} {raw:?}: {e}", stringify!($type)).into())
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $type
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut DB::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, DB>>::encode(($to_string)(self), buf)
            }
        }
    };
}
