//! Following `@odata.nextLink`: listings as a `Stream` of items, page after page.
//!
//! Graph's next links are absolute URLs to be used as they are. Each page is requested through the
//! same pipeline as any request (bearer token, retries, limits); a link to another origin than the
//! client's base URL is refused, so a token never leaves for a host it was not meant for. Only one
//! page is held at a time, so memory stays flat however long the listing.

use std::collections::VecDeque;
use std::future::Future;

use futures::StreamExt;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result, excerpt};
use crate::transport::Transport;

/// A page of a Graph collection: its items and the link to the next page. The generated code
/// implements it for every collection response of the spec.
pub trait Page: DeserializeOwned + Send + 'static {
    /// The item type.
    type Item: Send + 'static;
    /// Split the page into items and `@odata.nextLink`.
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

/// Check that `next` is an absolute URL on the same origin (scheme, host, port) as `base`.
///
/// A link to another origin is [`Error::ForeignNextLink`]; a link that is not an absolute URL
/// breaks Graph's paging contract (<https://learn.microsoft.com/graph/paging>) and is
/// [`Error::Decode`]. Neither error quotes the link's query, which carries the skip token.
pub fn check_next_link(base: &Url, next: &str) -> Result<Url> {
    let url = Url::parse(next).map_err(|e| Error::Decode {
        status: None,
        message: format!(
            "@odata.nextLink `{}` is not an absolute URL: {e}",
            without_query(next)
        ),
        excerpt: String::new(),
    })?;
    if url.origin() != base.origin() {
        return Err(Error::ForeignNextLink {
            link_origin: url.origin().ascii_serialization(),
            expected_origin: base.origin().ascii_serialization(),
        });
    }
    Ok(url)
}

/// A link up to its query or fragment.
fn without_query(link: &str) -> &str {
    link.split(['?', '#']).next().unwrap_or_default()
}

/// Fetch one page by its next link.
pub(crate) async fn fetch_page<P: Page>(transport: &Transport, url: Url) -> Result<P> {
    let request = transport
        .http()
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .build()
        .map_err(Error::transport)?;
    let (status, body) = transport.send(request).await?;
    serde_json::from_slice(&body).map_err(|e| Error::Decode {
        status: Some(status),
        message: e.to_string(),
        excerpt: excerpt(&body),
    })
}

struct State<P: Page, F> {
    first: Option<F>,
    items: VecDeque<P::Item>,
    next: Option<Url>,
    pages: usize,
    done: bool,
    /// An error to yield once the current page's items are out.
    pending: Option<Error>,
}

/// Stream the items of a listing: `first` fetches the first page, next links are followed through
/// `transport`, at most `max_pages` pages. The stream is boxed, so it is `Unpin` and can be polled
/// with `TryStreamExt::try_next` directly.
pub fn items<P, F>(
    transport: Transport,
    base: Url,
    max_pages: usize,
    first: F,
) -> BoxStream<'static, Result<P::Item>>
where
    P: Page,
    F: Future<Output = Result<P>> + Send + 'static,
{
    let state: State<P, F> = State {
        first: Some(first),
        items: VecDeque::new(),
        next: None,
        pages: 0,
        done: false,
        pending: None,
    };
    futures::stream::unfold(state, move |mut st| {
        let transport = transport.clone();
        let base = base.clone();
        async move {
            loop {
                if let Some(item) = st.items.pop_front() {
                    return Some((Ok(item), st));
                }
                if let Some(e) = st.pending.take() {
                    return Some((Err(e), st));
                }
                if st.done {
                    return None;
                }
                let page = if let Some(first) = st.first.take() {
                    first.await
                } else if let Some(next) = st.next.take() {
                    if st.pages >= max_pages {
                        st.done = true;
                        return Some((Err(Error::TooManyPages { limit: max_pages }), st));
                    }
                    fetch_page::<P>(&transport, next).await
                } else {
                    return None;
                };
                st.pages += 1;
                match page {
                    Ok(p) => {
                        let (items, next) = p.into_parts();
                        st.items = items.into();
                        // a refused next link ends the listing after this page's items
                        match next.map(|n| check_next_link(&base, &n)).transpose() {
                            Ok(next) => {
                                st.done = next.is_none();
                                st.next = next;
                            }
                            Err(e) => {
                                st.done = true;
                                st.pending = Some(e);
                            }
                        }
                    }
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                }
            }
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_must_stay_on_the_same_origin() {
        let base = Url::parse("https://graph.microsoft.com/beta").unwrap();
        let ok = "https://graph.microsoft.com/beta/identity/apiConnectors?$skiptoken=abc";
        assert_eq!(check_next_link(&base, ok).unwrap().as_str(), ok);
        for (bad, origin) in [
            (
                "https://evil.example/beta/identity/apiConnectors?$skiptoken=abc",
                "https://evil.example",
            ),
            (
                "http://graph.microsoft.com/beta/identity/apiConnectors",
                "http://graph.microsoft.com",
            ),
            (
                "https://graph.microsoft.com:8443/beta/x",
                "https://graph.microsoft.com:8443",
            ),
        ] {
            let e = check_next_link(&base, bad).unwrap_err();
            match &e {
                Error::ForeignNextLink {
                    link_origin,
                    expected_origin,
                } => {
                    assert_eq!(link_origin, origin, "{bad}");
                    assert_eq!(expected_origin, "https://graph.microsoft.com", "{bad}");
                }
                other => panic!("{bad}: {other:?}"),
            }
            assert!(!e.to_string().contains("skiptoken"), "{e}");
        }
        let e = check_next_link(&base, "/beta/identity/apiConnectors?$skiptoken=abc").unwrap_err();
        assert!(matches!(e, Error::Decode { status: None, .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "could not decode the response: @odata.nextLink `/beta/identity/apiConnectors` is not \
             an absolute URL: relative URL without a base"
        );
    }
}
