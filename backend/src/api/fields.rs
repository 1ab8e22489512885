//! Field rules, each said once. A type here is both the OpenAPI schema of a kind of field (a
//! request struct's field says `#[schema(value_type = fields::Name)]`) and the check the server
//! runs on it (`#[validate(custom(function = "fields::Name::check"))]`), both built from the same
//! constants, so the document clients are generated from and the server's 422s cannot drift.
//! The one rule every string of a request shares (no control characters) is added to the whole
//! document by `control_free_requests`, as the server applies it to every body and query.

use std::borrow::Cow;

use chrono::NaiveDate;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{OpenApi, RefOr};
use validator::ValidationError;

use crate::limits;

/// Control characters (Unicode Cc) other than tab, line feed and carriage return: what
/// `extract::has_control_character` refuses, as a regular-expression class body.
const CONTROL: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";
/// Control characters and the white space `str::trim` removes (Unicode White_Space).
const CONTROL_OR_SPACE: &str =
    r"\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Any text without control characters.
pub fn control_free_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

/// Text without control characters and with at least one character that is not white space.
pub fn not_blank_pattern() -> String {
    format!("^[^{CONTROL}]*[^{CONTROL_OR_SPACE}][^{CONTROL}]*$")
}

/// `YYYY-MM` from 1900-01 to 2999-12.
pub const MONTH_PATTERN: &str = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$";
/// `YYYY-MM-DD` from 1900-01-01 to 2999-12-31 (the calendar itself is `format: date`'s).
pub const DATE_PATTERN: &str = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

fn named(name: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(name)
}

/// Text between `min` and `max` characters (counted as JSON Schema counts them: code points),
/// optionally refusing text that is only white space.
fn check_text(value: &str, min: usize, max: usize, not_blank: bool) -> Result<(), ValidationError> {
    if not_blank && value.trim().is_empty() {
        return Err(ValidationError::new("blank").with_message("must not be blank".into()));
    }
    let length = value.chars().count();
    if length < min || length > max {
        let message = if min <= usize::from(not_blank) {
            format!("must be at most {max} characters long")
        } else {
            format!("must be {min} to {max} characters long")
        };
        return Err(ValidationError::new("length").with_message(message.into()));
    }
    Ok(())
}

macro_rules! text_rule {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, not_blank = $not_blank:expr, $description:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl $name {
            pub const MIN: usize = $min;
            pub const MAX: usize = $max;

            pub fn check(value: &str) -> Result<(), ValidationError> {
                check_text(value, $min, $max, $not_blank)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let pattern = if $not_blank { not_blank_pattern() } else { control_free_pattern() };
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some($min))
                    .max_length(Some($max))
                    .pattern(Some(pattern))
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                named(stringify!($name))
            }
        }
    };
}

text_rule!(
    /// Names of accounts, rules, debts, goals, tokens, series; display names.
    Name, 1, 100, not_blank = true,
    "1 to 100 characters, not only white space"
);
text_rule!(
    CategoryName,
    1,
    60,
    not_blank = true,
    "1 to 60 characters, not only white space"
);
text_rule!(
    /// A transaction's description.
    Description, 1, 500, not_blank = true,
    "1 to 500 characters, not only white space"
);
text_rule!(
    MerchantName,
    0,
    limits::MERCHANT_CHARS,
    not_blank = false,
    "At most 200 characters"
);
text_rule!(Notes, 0, 2000, not_blank = false, "At most 2000 characters");
text_rule!(
    RulePattern,
    1,
    500,
    not_blank = false,
    "1 to 500 characters"
);
text_rule!(
    /// A new password (signing in takes any).
    NewPassword,
    crate::auth::password::MIN_LENGTH as usize,
    crate::auth::password::MAX_LENGTH as usize,
    not_blank = false,
    "10 to 128 characters"
);

/// Money in minor units within `limits::MIN_AMOUNT..=limits::MAX_AMOUNT`.
pub struct Amount;

impl Amount {
    pub fn check(amount: i64) -> Result<(), ValidationError> {
        limits::amount(amount)
    }
}

/// A positive amount of money (budget limits), at most `limits::MAX_AMOUNT`.
pub struct PositiveAmount;

impl PositiveAmount {
    pub fn check(amount: i64) -> Result<(), ValidationError> {
        if amount > 0 {
            limits::amount(amount)
        } else {
            Err(ValidationError::new("positive")
                .with_message("must be a positive amount in minor units".into()))
        }
    }
}

fn integer(minimum: i64, maximum: i64, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(minimum))
        .maximum(Some(maximum))
        .description(Some(description))
        .into()
}

impl utoipa::PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        integer(
            limits::MIN_AMOUNT,
            limits::MAX_AMOUNT,
            "Minor units of the currency (cents); expenses are negative",
        )
    }
}

impl utoipa::ToSchema for Amount {
    fn name() -> Cow<'static, str> {
        named("Amount")
    }
}

impl utoipa::PartialSchema for PositiveAmount {
    fn schema() -> RefOr<Schema> {
        integer(
            1,
            limits::MAX_AMOUNT,
            "Minor units of the currency (cents), above 0",
        )
    }
}

impl utoipa::ToSchema for PositiveAmount {
    fn name() -> Cow<'static, str> {
        named("PositiveAmount")
    }
}

/// A date from `limits::MIN_YEAR` to `limits::MAX_YEAR`.
pub struct DateInRange;

impl DateInRange {
    pub fn check(date: &NaiveDate) -> Result<(), ValidationError> {
        limits::date(date)
    }

    /// Validator hands optional fields over by double reference.
    pub fn check_optional(date: &&NaiveDate) -> Result<(), ValidationError> {
        limits::date(date)
    }
}

impl utoipa::PartialSchema for DateInRange {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .pattern(Some(DATE_PATTERN))
            .description(Some(format!(
                "`YYYY-MM-DD`, from {}-01-01 to {}-12-31",
                limits::MIN_YEAR,
                limits::MAX_YEAR
            )))
            .into()
    }
}

impl utoipa::ToSchema for DateInRange {
    fn name() -> Cow<'static, str> {
        named("DateInRange")
    }
}

/// `YYYY-MM`. Each route checks what it means by it (some refuse future months).
pub struct YearMonth;

impl utoipa::PartialSchema for YearMonth {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(MONTH_PATTERN))
            .description(Some(format!(
                "A month as `YYYY-MM`, from {}-01 to {}-12",
                limits::MIN_YEAR,
                limits::MAX_YEAR
            )))
            .into()
    }
}

impl utoipa::ToSchema for YearMonth {
    fn name() -> Cow<'static, str> {
        named("YearMonth")
    }
}

/// An ISO 4217 code (the server knows the list; the schema says its shape).
pub struct CurrencyCode;

impl CurrencyCode {
    pub fn check(code: &str) -> Result<(), ValidationError> {
        if crate::money::is_currency(code) {
            Ok(())
        } else {
            Err(ValidationError::new("currency")
                .with_message("must be an ISO 4217 code such as EUR or USD".into()))
        }
    }
}

impl utoipa::PartialSchema for CurrencyCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Z]{3}$"))
            .description(Some("An ISO 4217 currency code such as EUR or USD"))
            .into()
    }
}

impl utoipa::ToSchema for CurrencyCode {
    fn name() -> Cow<'static, str> {
        named("CurrencyCode")
    }
}

/// A colour as `#RRGGBB`.
pub struct HexColor;

impl HexColor {
    const PATTERN: &str = "^#[0-9A-Fa-f]{6}$";

    pub fn check(value: &str) -> Result<(), ValidationError> {
        let hex = value.strip_prefix('#').unwrap_or_default();
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(())
        } else {
            Err(ValidationError::new("color").with_message("must be a colour as #RRGGBB".into()))
        }
    }
}

impl utoipa::PartialSchema for HexColor {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(Self::PATTERN))
            .description(Some("A colour as `#RRGGBB`"))
            .into()
    }
}

impl utoipa::ToSchema for HexColor {
    fn name() -> Cow<'static, str> {
        named("HexColor")
    }
}

/// Every string a request may carry (bodies, query parameters, form fields) refuses control
/// characters, so every string schema reachable from a request says so, unless it already has
/// a pattern of its own (those allow no control characters either), a format (dates, files) or
/// a closed set of values.
pub fn control_free_requests(doc: &mut OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    let mut referenced = Vec::new();
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            for parameter in op.parameters.iter_mut().flatten() {
                if matches!(parameter.parameter_in, ParameterIn::Query) {
                    if let Some(schema) = parameter.schema.as_mut() {
                        control_free(schema, &mut referenced);
                    }
                }
            }
            for content in op
                .request_body
                .iter_mut()
                .flat_map(|b| b.content.values_mut())
            {
                if let Some(schema) = content.schema.as_mut() {
                    control_free(schema, &mut referenced);
                }
            }
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = referenced.pop() {
        if done.insert(name.clone()) {
            if let Some(schema) = components.schemas.get_mut(&name) {
                control_free(schema, &mut referenced);
            }
        }
    }
}

/// Marks the strings of one schema, collecting the names of the components it refers to.
fn control_free(schema: &mut RefOr<Schema>, referenced: &mut Vec<String>) {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, SchemaType};
    match schema {
        RefOr::Ref(reference) => {
            if let Some(name) = reference.ref_location.strip_prefix("#/components/schemas/") {
                referenced.push(name.to_owned());
            }
        }
        RefOr::T(Schema::Object(object)) => {
            let string = match &object.schema_type {
                SchemaType::Type(t) => *t == Type::String,
                SchemaType::Array(types) => types.contains(&Type::String),
                SchemaType::AnyValue => false,
            };
            if string
                && object.pattern.is_none()
                && object.format.is_none()
                && object.enum_values.is_none()
            {
                object.pattern = Some(control_free_pattern());
            }
            for property in object.properties.values_mut() {
                control_free(property, referenced);
            }
            if let Some(AdditionalProperties::RefOr(values)) =
                object.additional_properties.as_deref_mut()
            {
                control_free(values, referenced);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                control_free(items, referenced);
            }
        }
        RefOr::T(Schema::OneOf(one_of)) => one_of
            .items
            .iter_mut()
            .for_each(|s| control_free(s, referenced)),
        RefOr::T(Schema::AllOf(all_of)) => all_of
            .items
            .iter_mut()
            .for_each(|s| control_free(s, referenced)),
        RefOr::T(Schema::AnyOf(any_of)) => any_of
            .items
            .iter_mut()
            .for_each(|s| control_free(s, referenced)),
        RefOr::T(_) => {}
    }
}
