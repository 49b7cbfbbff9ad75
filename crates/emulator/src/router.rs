//! Which URL goes where: the token endpoint, the issuer's OpenID metadata and keys, the
//! emulator-only routes (outside Graph's `/identity` namespace), and Graph itself for everything
//! else.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Response};
use axum::routing::{get, post};

use crate::error::{Ids, stamp};
use crate::{App, auth, graph, openid, signup};

/// The emulator's routes over `app`.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        // The emulated issuer's metadata and keys (see the `openid` module).
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(openid::keys))
        // Emulator-only, outside Graph's namespace (see the `signup` module).
        .route(
            "/{version}/emulator/userFlows/{id}/simulateSignUp",
            post(signup::route::simulate_sign_up),
        )
        .fallback(graph::handler)
        .with_state(app)
}

/// `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant ([`auth::token_response`]).
async fn token(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let ids = Ids::new(graph::client_request_id(&headers));
    let policy = auth::TokenPolicy {
        tenant_id: &app.tenant_id,
        tenant_domain: &app.tenant_domain,
        client: app.client.as_ref(),
        token: &app.token,
    };
    let mut resp = auth::token_response(&policy, &tenant, &body);
    stamp(&mut resp, &ids);
    resp
}
