//! `ValidJson<T>`: a JSON body that is checked for size, content type, syntax, shape and field
//! rules, each failure answered with its own problem (413, 415, 400, 422) naming what is wrong.
//! `ValidQuery<T>`: query parameters, a wrong one answered 422 naming it.

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::ApiError;

/// JSON bodies are small documents; files come through multipart uploads with their own limit.
pub const JSON_LIMIT: usize = 64 * 1024;

pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req.mime_type().ok().flatten().is_some_and(|m| {
            m.essence_str() == "application/json"
                || m.suffix().is_some_and(|s| s.as_str() == "json")
        });
        let declared_length = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as JSON with `Content-Type: application/json`".into(),
                ));
            }
            if declared_length.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk =
                    chunk.map_err(|e| ApiError::BadRequest(format!("reading the body: {e}")))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            let value: T = parse(&body)?;
            value.validate()?;
            Ok(ValidJson(value))
        })
    }
}

pub struct ValidQuery<T>(pub T);

impl<T> ValidQuery<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for ValidQuery<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for ValidQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(query(req.query_string()).map(ValidQuery))
    }
}

/// Query parameters of the wrong type (`include_archived=null`, an id past 64 bits) are named
/// like a body's fields. The decoder's error does not say which parameter it choked on, so the
/// one whose removal makes the rest decode is named; failing that, `query`.
fn query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    serde_urlencoded::from_str::<T>(query).map_err(|e| {
        let message = e.to_string();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let without = |skip: usize| {
            let rest: Vec<&(String, String)> = pairs
                .iter()
                .enumerate()
                .filter_map(|(i, pair)| (i != skip).then_some(pair))
                .collect();
            serde_urlencoded::to_string(rest).unwrap_or_default()
        };
        let field = named_field(&message)
            .or_else(|| {
                (0..pairs.len())
                    .find(|&i| serde_urlencoded::from_str::<T>(&without(i)).is_ok())
                    .map(|i| pairs[i].0.clone())
            })
            .unwrap_or_else(|| "query".to_owned());
        ApiError::validation(field, message)
    })
}

/// Syntax errors are 400 (the body is not JSON); well-formed JSON of the wrong shape is 422
/// naming the field.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let raw: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    if let Some(field) = control_character_at(&raw, String::new()) {
        return Err(control_character(field));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::BadRequest(format!("the body is not valid JSON: {inner}"))
        } else {
            let field = match (path.as_str(), named_field(&inner.to_string())) {
                (".", Some(name)) => name,
                (".", None) => "body".to_owned(),
                // An unknown field is already the last step of the path; a missing one is not.
                (_, Some(name)) if !path.ends_with(&name) => format!("{path}.{name}"),
                _ => path,
            };
            ApiError::validation(field, strip_position(&inner.to_string()))
        }
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Text with control characters (U+0000 above all, which PostgreSQL cannot store) is refused
/// everywhere; tab, line feed and carriage return are ordinary white space.
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

pub fn control_character(field: impl Into<String>) -> ApiError {
    ApiError::validation(
        field,
        "must not contain control characters such as U+0000 (tab and line breaks are fine)",
    )
}

/// The path (`name`, `splits[2].memo`) of the first string or key holding a control character.
pub fn control_character_at(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if has_control_character(s) => {
            Some(if path.is_empty() { "body".into() } else { path })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| control_character_at(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if has_control_character(key) {
                Some(child("body"))
            } else {
                control_character_at(item, child(key))
            }
        }),
        _ => None,
    }
}

/// serde reports missing and unknown fields on the enclosing object; name the field itself.
fn named_field(message: &str) -> Option<String> {
    ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next())
        .map(str::to_owned)
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

/// For fields where `null` means "clear it" and leaving the field out means "keep it": absent is
/// `None`, `null` is `Some(None)`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// Deserializes a string without its surrounding white space (pasted addresses often have some).
pub fn trimmed<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(value.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Form {
        name: String,
        nested: Option<Nested>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        amount: i64,
    }

    fn field_errors(body: &str) -> Vec<FieldError> {
        match parse::<Form>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        assert_eq!(field_errors(r#"{}"#)[0].field, "name");
        assert_eq!(field_errors(r#"{"name": 3}"#)[0].field, "name");
        assert_eq!(
            field_errors(r#"{"name": "a", "nested": {"amount": "x"}}"#)[0].field,
            "nested.amount"
        );
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        assert_eq!(field_errors("{\"name\": \"a\\u0000b\"}")[0].field, "name");
        assert_eq!(
            field_errors("{\"name\": \"a\", \"nested\": {\"list\": [\"ok\", \"\\u001b[31m\"]}}")[0]
                .field,
            "nested.list[1]"
        );
        assert!(field_errors("{\"name\": \"\\u0085\"}")[0]
            .message
            .contains("U+0000"));
        // White space is text.
        assert!(parse::<Form>(b"{\"name\": \"two\\nlines\\tand a tab\\r\"}").is_ok());
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(
            parse::<Form>(br#"{"name": "#),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Form>(br#"{"name": "a"} trailing"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
