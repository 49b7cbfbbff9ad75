//! OData query options for the emulated collections: `$top`, `$skip`, `$skiptoken`, `$select`,
//! `$count`, `$filter` and `$expand` (<https://learn.microsoft.com/graph/query-parameters>,
//! <https://learn.microsoft.com/graph/paging>).
//!
//! In beta the `$` prefix is optional; in v1.0 a name without `$` is a custom option and is ignored.

use base64::Engine as _;

use super::GraphVersion;
use super::error::GraphError;

/// The query string split into options (`$`-prefixed names, lower-cased) in request order.
#[derive(Debug, Default, Clone)]
pub(crate) struct QueryOptions {
    pub options: Vec<(String, String)>,
}

impl QueryOptions {
    pub fn parse(query: Option<&str>, version: GraphVersion) -> Result<Self, GraphError> {
        let mut options: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let name = k.trim().to_ascii_lowercase();
            // `@id` and other parameter aliases are kept as they are.
            let name = if name.starts_with('$') || name.starts_with('@') {
                name
            } else if version == GraphVersion::Beta && is_system_option(&format!("${name}")) {
                format!("${name}")
            } else {
                continue;
            };
            if options.iter().any(|(n, _)| *n == name) {
                return Err(GraphError::bad_request(format!(
                    "Query option '{name}' was specified more than once, but it must be specified at most once."
                )));
            }
            options.push((name, v.into_owned()));
        }
        Ok(Self { options })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Rejects any option not in `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<(), GraphError> {
        match self
            .options
            .iter()
            .find(|(n, _)| !allowed.contains(&n.as_str()))
        {
            Some((n, _)) => Err(GraphError::bad_request(format!(
                "The query parameter '{n}' is not supported on this resource."
            ))),
            None => Ok(()),
        }
    }
}

fn is_system_option(name: &str) -> bool {
    matches!(
        name,
        "$top"
            | "$skip"
            | "$skiptoken"
            | "$select"
            | "$count"
            | "$filter"
            | "$expand"
            | "$orderby"
            | "$search"
            | "$format"
    )
}

/// `$top`: 1 to 999 (Graph's wording for directory-backed lists).
pub(crate) fn parse_top(value: &str) -> Result<usize, GraphError> {
    match value.trim().parse::<i64>() {
        Ok(n @ 1..=999) => Ok(n as usize),
        _ => Err(GraphError::bad_request(format!(
            "Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive."
        ))),
    }
}

pub(crate) fn parse_skip(value: &str) -> Result<usize, GraphError> {
    value.trim().parse::<usize>().map_err(|_| {
        GraphError::bad_request(format!("Invalid value '{value}' for query option '$skip'."))
    })
}

pub(crate) fn parse_count(value: &str) -> Result<bool, GraphError> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(GraphError::bad_request(format!(
            "Invalid value '{value}' for $count query option found. Valid values are 'true' or 'false'."
        ))),
    }
}

/// Opaque `$skiptoken`: the creation sequence number of the last item served.
pub(crate) fn encode_skiptoken(last_seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("emu:seq:{last_seq}"))
}

pub(crate) fn decode_skiptoken(token: &str) -> Result<u64, GraphError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("emu:seq:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| GraphError::bad_request("The $skiptoken value is not valid."))
}

/// `$select` / `$expand`: a comma-separated list of property names, each checked against `known`
/// (case-insensitively) and returned in its canonical spelling, in request order, without duplicates.
pub(crate) fn parse_property_list(
    value: &str,
    known: &[&'static str],
    type_name: &str,
) -> Result<Vec<&'static str>, GraphError> {
    let mut out: Vec<&'static str> = Vec::new();
    for item in value.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(GraphError::bad_request(format!(
                "Syntax error: empty item in the list '{value}'."
            )));
        }
        if item == "*" {
            for k in known {
                if !out.contains(k) {
                    out.push(k);
                }
            }
            continue;
        }
        let canonical = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(item))
            .ok_or_else(|| {
                GraphError::bad_request(format!(
                    "Could not find a property named '{item}' on type 'microsoft.graph.{type_name}'."
                ))
            })?;
        if !out.contains(canonical) {
            out.push(canonical);
        }
    }
    Ok(out)
}

/// A `$filter` expression over string properties.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Eq(&'static str, String),
    Ne(&'static str, String),
    StartsWith(&'static str, String),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `isOf('microsoft.graph.T')`: the entity's type, lower-cased without `#` and namespace.
    IsOf(String),
    /// `{path}/any(x:x/{member} eq 'v')` over a collection property: `path` is what the caller's
    /// getter answers with the members' values joined by `\n`.
    AnyEq(&'static str, String),
}

/// The pseudo-property a getter answers with the entity's `@odata.type` for `isOf`.
pub(crate) const TYPE_PROPERTY: &str = "@odata.type";

/// A type name lower-cased, without `#` and without the `microsoft.graph.` namespace.
pub(crate) fn bare_type_name(name: &str) -> String {
    let name = name.trim().trim_start_matches('#').to_ascii_lowercase();
    name.strip_prefix("microsoft.graph.")
        .map_or_else(|| name.clone(), str::to_owned)
}

impl Filter {
    /// Evaluates the filter; `get` returns a property's value (`None` for null). String comparison is
    /// case-insensitive, as Entra's directory queries are.
    pub fn eval(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        let lower = |p: &str| get(p).map(|v| v.to_lowercase());
        match self {
            Filter::Eq(p, v) => lower(p).as_deref() == Some(v.to_lowercase().as_str()),
            Filter::Ne(p, v) => lower(p).as_deref() != Some(v.to_lowercase().as_str()),
            Filter::StartsWith(p, v) => lower(p).is_some_and(|s| s.starts_with(&v.to_lowercase())),
            Filter::And(a, b) => a.eval(get) && b.eval(get),
            Filter::Or(a, b) => a.eval(get) || b.eval(get),
            Filter::Not(a) => !a.eval(get),
            Filter::IsOf(t) => get(TYPE_PROPERTY).is_some_and(|v| bare_type_name(&v) == *t),
            Filter::AnyEq(p, v) => {
                get(p).is_some_and(|all| all.split('\n').any(|x| x.eq_ignore_ascii_case(v)))
            }
        }
    }

    /// Parses `displayName eq 'x'`, `startswith(displayName,'x')`, `ne`, `and`, `or`, `not` and
    /// parentheses over the `filterable` properties. Anything else is `400`.
    pub fn parse(input: &str, filterable: &[&'static str]) -> Result<Filter, GraphError> {
        let tokens = tokenize(input)?;
        let mut p = Parser {
            tokens,
            pos: 0,
            input,
            filterable,
        };
        let f = p.or()?;
        if p.pos != p.tokens.len() {
            return Err(p.error("unexpected trailing input"));
        }
        Ok(f)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Tok>, GraphError> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(GraphError::bad_request(format!(
                                "Invalid filter clause: unterminated string literal in '{input}'."
                            )));
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c.is_alphanumeric()
                || c == '_'
                || c == '/'
                || c == '.'
                || c == '-'
                || c == ':' =>
            {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || matches!(chars[i], '_' | '/' | '.' | '-' | ':'))
                {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => {
                return Err(GraphError::bad_request(format!(
                    "Invalid filter clause: syntax error at position {i} ('{other}') in '{input}'."
                )));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Tok>,
    pos: usize,
    input: &'a str,
    filterable: &'a [&'static str],
}

impl Parser<'_> {
    fn error(&self, what: &str) -> GraphError {
        GraphError::bad_request(format!(
            "Invalid filter clause: {what} in '{}'.",
            self.input
        ))
    }

    fn unsupported(&self) -> GraphError {
        GraphError::bad_request(format!(
            "Unsupported filter clause '{}'. Supported: eq, ne, startswith, and, or, not on {}.",
            self.input,
            self.filterable.join(", ")
        ))
    }

    fn peek_keyword(&self, kw: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
    }

    fn or(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.and()?;
        while self.peek_keyword("or") {
            self.pos += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.unary()?;
        while self.peek_keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, GraphError> {
        if self.peek_keyword("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn property(&self, name: &str) -> Result<&'static str, GraphError> {
        self.filterable
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .copied()
            .ok_or_else(|| self.unsupported())
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), GraphError> {
        if self.tokens.get(self.pos) == Some(tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {tok:?}")))
        }
    }

    fn string(&mut self) -> Result<String, GraphError> {
        match self.tokens.get(self.pos).cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(s)
            }
            Some(_) => Err(self.unsupported()),
            None => Err(self.error("expected a string literal")),
        }
    }

    /// `{collection}/any(x:x/{member} eq 'v')` for a filterable `{collection}/{member}` (a lambda
    /// over a collection of objects); `None` when `name` does not end in `/any`.
    fn any(&mut self, name: &str) -> Result<Option<Filter>, GraphError> {
        let Some(collection) = name
            .len()
            .checked_sub(4)
            .filter(|&i| name.is_char_boundary(i) && name[i..].eq_ignore_ascii_case("/any"))
            .map(|i| &name[..i])
        else {
            return Ok(None);
        };
        self.pos += 2;
        let (var, member) = match self.tokens.get(self.pos).cloned() {
            Some(Tok::Ident(lambda)) => match lambda.split_once(':') {
                Some((var, body)) => match body.split_once('/') {
                    Some((v, member)) if v == var => (var.to_owned(), member.to_owned()),
                    _ => return Err(self.unsupported()),
                },
                None => return Err(self.unsupported()),
            },
            _ => return Err(self.error("expected a lambda expression")),
        };
        let _ = var;
        self.pos += 1;
        if !self.peek_keyword("eq") {
            return Err(self.unsupported());
        }
        self.pos += 1;
        let value = self.string()?;
        self.expect(&Tok::RParen)?;
        let full = format!("{collection}/{member}");
        let prop = self.property(&full)?;
        Ok(Some(Filter::AnyEq(prop, value)))
    }

    fn primary(&mut self) -> Result<Filter, GraphError> {
        match self.tokens.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let f = self.or()?;
                self.expect(&Tok::RParen)?;
                Ok(f)
            }
            Some(Tok::Ident(name))
                if name.eq_ignore_ascii_case("isof")
                    && self.tokens.get(self.pos + 1) == Some(&Tok::LParen)
                    && self.filterable.contains(&TYPE_PROPERTY) =>
            {
                self.pos += 2;
                let t = self.string()?;
                self.expect(&Tok::RParen)?;
                Ok(Filter::IsOf(bare_type_name(&t)))
            }
            Some(Tok::Ident(name)) if self.tokens.get(self.pos + 1) == Some(&Tok::LParen) => {
                if let Some(any) = self.any(&name)? {
                    return Ok(any);
                }
                if !name.eq_ignore_ascii_case("startswith") {
                    return Err(self.unsupported());
                }
                self.pos += 2;
                let prop = match self.tokens.get(self.pos).cloned() {
                    Some(Tok::Ident(p)) => self.property(&p)?,
                    _ => return Err(self.error("expected a property name")),
                };
                self.pos += 1;
                self.expect(&Tok::Comma)?;
                let value = self.string()?;
                self.expect(&Tok::RParen)?;
                Ok(Filter::StartsWith(prop, value))
            }
            Some(Tok::Ident(name)) => {
                let prop = self.property(&name)?;
                self.pos += 1;
                let op = match self.tokens.get(self.pos) {
                    Some(Tok::Ident(op)) => op.to_ascii_lowercase(),
                    _ => return Err(self.error("expected an operator")),
                };
                self.pos += 1;
                let value = self.string()?;
                match op.as_str() {
                    "eq" => Ok(Filter::Eq(prop, value)),
                    "ne" => Ok(Filter::Ne(prop, value)),
                    _ => Err(self.unsupported()),
                }
            }
            _ => Err(self.error("expected an expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROPS: &[&str] = &["id", "displayName", "targetUrl"];

    fn get(name: &str) -> Option<String> {
        match name {
            "displayName" => Some("Validate O'Brien".into()),
            "id" => Some("abc".into()),
            _ => None,
        }
    }

    #[test]
    fn filter_parses_and_evaluates() {
        let f = Filter::parse("displayName eq 'validate o''brien'", PROPS).unwrap();
        assert!(f.eval(&get));
        let f =
            Filter::parse("startswith(displayName,'Valid') and not (id eq 'x')", PROPS).unwrap();
        assert!(f.eval(&get));
        let f = Filter::parse("targetUrl eq 'x' or id ne 'abc'", PROPS).unwrap();
        assert!(!f.eval(&get));
    }

    #[test]
    fn unsupported_filters_are_bad_requests() {
        for bad in [
            "displayName gt 'a'",
            "contains(displayName,'a')",
            "foo eq 'a'",
            "displayName eq",
            "displayName eq 'a",
            "(displayName eq 'a'",
            "displayName eq 'a' extra",
            "",
        ] {
            let err = Filter::parse(bad, PROPS).unwrap_err();
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(42)).unwrap(), 42);
        assert!(decode_skiptoken("nope").is_err());
    }

    #[test]
    fn options_strip_optional_dollar_in_beta_only() {
        let q = QueryOptions::parse(Some("top=2&$select=id"), GraphVersion::Beta).unwrap();
        assert_eq!(q.get("$top"), Some("2"));
        let q = QueryOptions::parse(Some("top=2&$select=id"), GraphVersion::V1).unwrap();
        assert_eq!(q.get("$top"), None);
        assert_eq!(q.get("$select"), Some("id"));
        assert!(QueryOptions::parse(Some("$top=1&$TOP=2"), GraphVersion::V1).is_err());
    }

    #[test]
    fn top_and_property_lists_are_validated() {
        assert_eq!(parse_top("999").unwrap(), 999);
        assert!(parse_top("0").is_err() && parse_top("1000").is_err() && parse_top("x").is_err());
        assert_eq!(
            parse_property_list("DisplayName,id,displayName", PROPS, "t").unwrap(),
            vec!["displayName", "id"]
        );
        assert!(parse_property_list("password", PROPS, "t").is_err());
    }
}
