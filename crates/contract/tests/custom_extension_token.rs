//! Verification of the bearer token Entra sends to a custom extension (feature `jwt`), with RSA
//! keys generated here: `docs/custom-extensions-contract.md` §5.

mod support;

use std::time::Duration;

use entra_api_connectors_contract::custom_extension::{
    AUTHENTICATION_EVENTS_APP_ID, DEFAULT_LEEWAY, Jwks, JwksError, OpenIdConfiguration, SharedJwks,
    TokenError, TokenVerifier, VerifierConfigError,
};
use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};
use support::{API_APP_ID, TENANT_ID, entra_claims, issuer, jwks, keys, now, raw_token, verifier};

fn with(claims: &[(&str, Value)]) -> Value {
    let mut base = entra_claims();
    for (k, v) in claims {
        base[*k] = v.clone();
    }
    base
}

fn without(claim: &str) -> Value {
    let mut base = entra_claims();
    base.as_object_mut().unwrap().remove(claim);
    base
}

fn verify(
    token: &str,
) -> Result<entra_api_connectors_contract::custom_extension::VerifiedToken, TokenError> {
    verifier().verify(token, &jwks())
}

#[test]
fn a_token_of_the_tenant_for_this_api_is_accepted() {
    let claims = entra_claims();
    let token = keys().0.sign(&claims);
    let verified = verify(&token).unwrap();
    assert_eq!(verified.issuer, issuer());
    assert_eq!(verified.audience, API_APP_ID);
    assert_eq!(verified.authorized_party, AUTHENTICATION_EVENTS_APP_ID);
    assert_eq!(verified.tenant_id.as_deref(), Some(TENANT_ID));
    assert_eq!(verified.key_id, "tenant-key-1");
    assert_eq!(verified.expires_at, claims["exp"].as_u64().unwrap());
    assert_eq!(Value::Object(verified.claims.clone()), claims);
    assert_eq!(verified.claims["ver"], "2.0");
    // The second key of the JWKS verifies too (key rollover).
    assert_eq!(
        verify(&keys().1.sign(&entra_claims())).unwrap().key_id,
        "tenant-key-2"
    );
    // Through the header, scheme in any case.
    for header in [
        format!("Bearer {token}"),
        format!("bearer {token}"),
        format!("BEARER  {token} "),
    ] {
        assert!(
            verifier()
                .verify_authorization(Some(header.as_bytes()), &jwks())
                .is_ok(),
            "{header}"
        );
    }
}

#[test]
fn wrong_issuers_are_rejected() {
    for iss in [
        format!("https://login.microsoftonline.com/{TENANT_ID}/v2.0"),
        format!("https://sts.windows.net/{TENANT_ID}/"),
        format!("https://contoso.ciamlogin.com/{TENANT_ID}/v2.0"),
        "https://ffff5f5f-aa6a-bb7b-cc8c-dddddd9d9d9d.ciamlogin.com/ffff5f5f-aa6a-bb7b-cc8c-dddddd9d9d9d/v2.0".to_owned(),
        format!("{}/", issuer()),
    ] {
        let token = keys().0.sign(&with(&[("iss", json!(iss))]));
        assert_eq!(verify(&token), Err(TokenError::WrongIssuer { found: iss.clone() }), "{iss}");
    }
    assert_eq!(
        verify(&keys().0.sign(&without("iss"))),
        Err(TokenError::MissingClaim("iss"))
    );
    assert_eq!(
        verify(&keys().0.sign(&with(&[("iss", json!(1))]))),
        Err(TokenError::InvalidClaim("iss"))
    );
}

#[test]
fn configured_issuers_are_accepted() {
    let tenant_name = format!("https://contoso.ciamlogin.com/{TENANT_ID}/v2.0");
    let v1 = format!("https://sts.windows.net/{TENANT_ID}/");
    let verifier = verifier()
        .with_tenant_name("Contoso")
        .with_issuer(v1.clone());
    for iss in [issuer(), tenant_name, v1] {
        let token = keys().0.sign(&with(&[("iss", json!(iss))]));
        assert_eq!(verifier.verify(&token, &jwks()).unwrap().issuer, iss);
    }
    let workforce = TokenVerifier::workforce_tenant(TENANT_ID, API_APP_ID).unwrap();
    let iss = format!("https://login.microsoftonline.com/{TENANT_ID}/v2.0");
    assert_eq!(workforce.issuers(), std::slice::from_ref(&iss));
    assert_eq!(
        workforce.metadata_url(),
        format!(
            "https://login.microsoftonline.com/{TENANT_ID}/v2.0/.well-known/openid-configuration"
        )
    );
    assert!(
        workforce
            .verify(&keys().0.sign(&with(&[("iss", json!(iss))])), &jwks())
            .is_ok()
    );
    assert_eq!(
        workforce.verify(&support::valid_token(), &jwks()),
        Err(TokenError::WrongIssuer { found: issuer() })
    );
    // An emulator's issuer, its metadata beside it.
    let emulated =
        TokenVerifier::new(TENANT_ID, API_APP_ID, "http://127.0.0.1:4000/tenant/v2.0/").unwrap();
    assert_eq!(
        emulated.metadata_url(),
        "http://127.0.0.1:4000/tenant/v2.0/.well-known/openid-configuration"
    );
    assert_eq!(
        emulated.with_metadata_url("http://x/").metadata_url(),
        "http://x/"
    );
}

#[test]
fn wrong_audiences_are_rejected() {
    let identifier_uri = format!("api://example.com/{API_APP_ID}");
    for aud in [
        json!("11112222-bbbb-3333-cccc-4444dddd5555"),
        json!(identifier_uri),
        json!(["x", "y"]),
    ] {
        let token = keys().0.sign(&with(&[("aud", aud.clone())]));
        let found: Vec<String> = match &aud {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
            _ => unreachable!(),
        };
        assert_eq!(
            verify(&token),
            Err(TokenError::WrongAudience { found }),
            "{aud}"
        );
    }
    assert_eq!(
        verify(&keys().0.sign(&without("aud"))),
        Err(TokenError::MissingClaim("aud"))
    );
    assert_eq!(
        verify(&keys().0.sign(&with(&[("aud", json!(5))]))),
        Err(TokenError::InvalidClaim("aud"))
    );
    // The identifier URI when configured; an array containing the app id; any case of the GUID.
    let verifier = verifier().with_audience(identifier_uri.clone());
    let token = keys().0.sign(&with(&[("aud", json!(identifier_uri))]));
    assert_eq!(
        verifier.verify(&token, &jwks()).unwrap().audience,
        identifier_uri
    );
    let token = keys()
        .0
        .sign(&with(&[("aud", json!(["other", API_APP_ID]))]));
    assert_eq!(verify(&token).unwrap().audience, API_APP_ID);
    let token = keys()
        .0
        .sign(&with(&[("aud", json!(API_APP_ID.to_uppercase()))]));
    assert!(verify(&token).is_ok());
}

#[test]
fn only_the_authentication_events_service_may_call() {
    let other_app = "22223333-cccc-4444-dddd-5555eeee6666";
    let token = keys().0.sign(&with(&[("azp", json!(other_app))]));
    assert_eq!(
        verify(&token),
        Err(TokenError::WrongAuthorizedParty {
            claim: "azp",
            found: other_app.into()
        })
    );
    // A v1 token carries `appid`.
    let mut v1 = without("azp");
    v1["appid"] = json!(AUTHENTICATION_EVENTS_APP_ID);
    v1["ver"] = json!("1.0");
    assert_eq!(
        verify(&keys().0.sign(&v1)).unwrap().authorized_party,
        AUTHENTICATION_EVENTS_APP_ID
    );
    v1["appid"] = json!(other_app);
    assert_eq!(
        verify(&keys().0.sign(&v1)),
        Err(TokenError::WrongAuthorizedParty {
            claim: "appid",
            found: other_app.into()
        })
    );
    // `azp` wins over `appid`.
    let token = keys().0.sign(&with(&[
        ("azp", json!(other_app)),
        ("appid", json!(AUTHENTICATION_EVENTS_APP_ID)),
    ]));
    assert!(matches!(
        verify(&token),
        Err(TokenError::WrongAuthorizedParty { claim: "azp", .. })
    ));
    assert_eq!(
        verify(&keys().0.sign(&without("azp"))),
        Err(TokenError::MissingClaim("azp"))
    );
    assert_eq!(
        verify(&keys().0.sign(&with(&[("azp", json!(true))]))),
        Err(TokenError::InvalidClaim("azp"))
    );
}

#[test]
fn a_token_of_another_tenant_is_rejected() {
    let other = "ffff5f5f-aa6a-bb7b-cc8c-dddddd9d9d9d";
    let token = keys().0.sign(&with(&[("tid", json!(other))]));
    assert_eq!(
        verify(&token),
        Err(TokenError::WrongTenant {
            found: other.into()
        })
    );
    // Without `tid`, the issuer alone decides.
    assert_eq!(
        verify(&keys().0.sign(&without("tid"))).unwrap().tenant_id,
        None
    );
}

#[test]
fn expiry_and_not_before_allow_the_leeway_only() {
    assert_eq!(DEFAULT_LEEWAY, Duration::from_secs(300));
    let now = now();
    let expired = keys().0.sign(&with(&[("exp", json!(now - 301 - 5))]));
    assert_eq!(verify(&expired), Err(TokenError::Expired));
    let just_expired = keys().0.sign(&with(&[("exp", json!(now - 200))]));
    assert!(verify(&just_expired).is_ok(), "within 300 s of skew");
    let strict = verifier().with_leeway(Duration::from_secs(5));
    assert_eq!(strict.leeway(), Duration::from_secs(5));
    assert_eq!(
        strict.verify(&just_expired, &jwks()),
        Err(TokenError::Expired)
    );

    let future = keys().0.sign(&with(&[
        ("nbf", json!(now + 400)),
        ("exp", json!(now + 900)),
    ]));
    assert_eq!(verify(&future), Err(TokenError::NotYetValid));
    let soon = keys().0.sign(&with(&[("nbf", json!(now + 100))]));
    assert!(verify(&soon).is_ok());
    assert_eq!(strict.verify(&soon, &jwks()), Err(TokenError::NotYetValid));

    assert_eq!(
        verify(&keys().0.sign(&without("exp"))),
        Err(TokenError::MissingClaim("exp"))
    );
    assert_eq!(
        verify(&keys().0.sign(&with(&[("exp", json!("soon"))]))),
        Err(TokenError::InvalidClaim("exp"))
    );
}

#[test]
fn a_bad_signature_is_rejected() {
    // Signed by a key that is not the tenant's, under the tenant key's kid.
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("tenant-key-1".to_owned());
    let forged = keys().2.sign_with_header(header, &entra_claims());
    assert_eq!(verify(&forged), Err(TokenError::BadSignature));
    // A valid token whose payload was changed.
    let token = support::valid_token();
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = raw_token(
        &json!({"alg": "RS256", "typ": "JWT", "kid": "tenant-key-1"}),
        &with(&[("aud", json!(API_APP_ID)), ("oid", json!("someone-else"))]),
        parts[2],
    );
    assert_eq!(verify(&tampered), Err(TokenError::BadSignature));
    let bad_signature = format!("{}.{}.AAAA", parts[0], parts[1]);
    assert_eq!(verify(&bad_signature), Err(TokenError::BadSignature));
}

#[test]
fn an_unknown_kid_or_no_kid_is_rejected() {
    let token = keys().2.sign(&entra_claims());
    assert_eq!(
        verify(&token),
        Err(TokenError::UnknownKey {
            kid: "attacker-key".into()
        })
    );
    let no_kid = keys()
        .0
        .sign_with_header(Header::new(Algorithm::RS256), &entra_claims());
    assert_eq!(verify(&no_kid), Err(TokenError::MissingKeyId));
}

#[test]
fn alg_none_and_other_algorithms_are_rejected() {
    let none = raw_token(
        &json!({"alg": "none", "typ": "JWT", "kid": "tenant-key-1"}),
        &entra_claims(),
        "",
    );
    assert_eq!(
        verify(&none),
        Err(TokenError::UnsupportedAlgorithm("none".into()))
    );
    for alg in ["HS256", "RS512", "PS256", "ES256", "None"] {
        let token = raw_token(
            &json!({"alg": alg, "kid": "tenant-key-1"}),
            &entra_claims(),
            "c2ln",
        );
        assert_eq!(
            verify(&token),
            Err(TokenError::UnsupportedAlgorithm(alg.into())),
            "{alg}"
        );
    }
    let no_alg = raw_token(&json!({"kid": "tenant-key-1"}), &entra_claims(), "c2ln");
    assert_eq!(
        verify(&no_alg),
        Err(TokenError::MalformedToken("the header has no `alg`"))
    );
}

#[test]
fn malformed_tokens_and_headers_are_rejected() {
    let v = verifier();
    let keys = jwks();
    for (token, reason) in [
        ("", "not three dot-separated parts"),
        ("a.b", "not three dot-separated parts"),
        ("a.b.c.d", "not three dot-separated parts"),
        ("!!!.b.c", "the header is not base64url"),
        ("bm90IGpzb24.b.c", "the header is not a JSON object"),
    ] {
        assert_eq!(
            v.verify(token, &keys),
            Err(TokenError::MalformedToken(reason)),
            "{token}"
        );
    }
    let garbage_payload = format!(
        "{}.!!!.c2ln",
        support::valid_token().split('.').next().unwrap()
    );
    assert!(matches!(
        v.verify(&garbage_payload, &keys),
        Err(TokenError::MalformedToken(_) | TokenError::BadSignature)
    ));

    assert_eq!(
        v.verify_authorization(None, &keys),
        Err(TokenError::MissingAuthorization)
    );
    assert_eq!(
        v.verify_authorization(Some(b"Basic dXNlcjpwYXNz"), &keys),
        Err(TokenError::NotBearer)
    );
    assert_eq!(
        v.verify_authorization(Some(b"Bearer"), &keys),
        Err(TokenError::MalformedAuthorization(
            "the bearer token is empty"
        ))
    );
    assert_eq!(
        v.verify_authorization(Some(b"Bearer   "), &keys),
        Err(TokenError::MalformedAuthorization(
            "the bearer token is empty"
        ))
    );
    assert_eq!(
        v.verify_authorization(Some(b"Bearer \xff"), &keys),
        Err(TokenError::MalformedAuthorization(
            "the header is not valid UTF-8"
        ))
    );
}

#[test]
fn errors_never_contain_the_token() {
    let token = keys()
        .0
        .sign(&with(&[("iss", json!("https://evil.example/"))]));
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let mut errors = vec![
        verify(&token).unwrap_err(),
        verify(&keys().2.sign(&entra_claims())).unwrap_err(),
        verify(&format!("{token}x")).unwrap_err(),
    ];
    errors.push(
        verifier()
            .verify_authorization(Some(format!("Bearer {token}.x").as_bytes()), &jwks())
            .unwrap_err(),
    );
    for error in errors {
        for text in [
            error.to_string(),
            format!("{error:?}"),
            error.www_authenticate(),
        ] {
            assert!(
                !text.contains(&token) && !text.contains(&signature),
                "{text}"
            );
        }
    }
}

#[test]
fn www_authenticate_follows_rfc_6750() {
    assert_eq!(
        TokenError::MissingAuthorization.www_authenticate(),
        "Bearer"
    );
    assert_eq!(TokenError::NotBearer.www_authenticate(), "Bearer");
    assert_eq!(
        TokenError::Expired.www_authenticate(),
        r#"Bearer error="invalid_token", error_description="the bearer token has expired""#
    );
    // Quotes and backslashes of the message become apostrophes: the quoted string stays valid.
    assert_eq!(
        TokenError::WrongAudience {
            found: vec!["x\"y".into()]
        }
        .www_authenticate(),
        r#"Bearer error="invalid_token", error_description="the bearer token's audience ['x''y'] is not this API""#
    );
}

#[test]
fn configuration_needs_guids() {
    assert_eq!(
        TokenVerifier::external_tenant("contoso.onmicrosoft.com", API_APP_ID),
        Err(VerifierConfigError::InvalidTenantId(
            "contoso.onmicrosoft.com".into()
        ))
    );
    assert_eq!(
        TokenVerifier::external_tenant(TENANT_ID, "api://example.com/x"),
        Err(VerifierConfigError::InvalidAppId(
            "api://example.com/x".into()
        ))
    );
    assert_eq!(
        TokenVerifier::workforce_tenant("aaaabbbb0000cccc1111dddd2222eeee", API_APP_ID),
        Err(VerifierConfigError::InvalidTenantId(
            "aaaabbbb0000cccc1111dddd2222eeee".into()
        ))
    );
    let v = TokenVerifier::external_tenant(&TENANT_ID.to_uppercase(), API_APP_ID).unwrap();
    assert_eq!(v.tenant_id(), TENANT_ID);
    assert_eq!(v.audiences(), [API_APP_ID.to_owned()]);
}

#[test]
fn jwks_documents_keep_rs256_signing_keys_only() {
    let (one, _, _) = keys();
    let mut encryption = one.jwk.clone();
    encryption["kid"] = json!("enc");
    encryption["use"] = json!("enc");
    let mut ps256 = one.jwk.clone();
    ps256["kid"] = json!("ps");
    ps256["alg"] = json!("PS256");
    let mut no_kid = one.jwk.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    let ec = json!({"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"});
    let mut rs256 = one.jwk.clone();
    rs256["alg"] = json!("RS256");
    let document = json!({"keys": [encryption, ps256, no_kid, ec, rs256]});
    let jwks = Jwks::from_json(document.to_string()).unwrap();
    assert_eq!(jwks.key_ids().collect::<Vec<_>>(), ["tenant-key-1"]);
    assert!(jwks.contains("tenant-key-1") && !jwks.contains("enc"));
    assert_eq!(jwks.len(), 1);
    assert_eq!(format!("{jwks:?}"), r#"Jwks { key_ids: ["tenant-key-1"] }"#);

    assert!(matches!(
        Jwks::from_json("{}"),
        Err(JwksError::InvalidDocument(_))
    ));
    assert!(matches!(
        Jwks::from_json("not json"),
        Err(JwksError::InvalidDocument(_))
    ));
    assert_eq!(
        Jwks::from_json(r#"{"keys":[]}"#).unwrap_err(),
        JwksError::NoUsableKeys
    );
    assert_eq!(
        Jwks::from_json(json!({"keys": [{"kty": "RSA", "kid": "k", "e": "AQAB"}]}).to_string())
            .unwrap_err(),
        JwksError::InvalidKey { kid: "k".into() }
    );
    assert_eq!(
        Jwks::from_json(
            json!({"keys": [{"kty": "RSA", "kid": "k", "n": "!!", "e": "AQAB"}]}).to_string()
        )
        .unwrap_err(),
        JwksError::InvalidKey { kid: "k".into() }
    );
}

#[test]
fn shared_keys_are_replaced_for_every_holder() {
    let shared =
        SharedJwks::new(Jwks::from_json(json!({"keys": [keys().2.jwk]}).to_string()).unwrap());
    let holder = shared.clone();
    let token = support::valid_token();
    assert_eq!(
        verifier().verify(&token, &holder.current()),
        Err(TokenError::UnknownKey {
            kid: "tenant-key-1".into()
        })
    );
    shared.replace(jwks());
    assert!(verifier().verify(&token, &holder.current()).is_ok());
}

#[test]
fn openid_configuration_names_the_keys() {
    let document = json!({
        "issuer": issuer(),
        "jwks_uri": format!("https://{TENANT_ID}.ciamlogin.com/{TENANT_ID}/discovery/v2.0/keys"),
        "token_endpoint": "ignored",
    });
    let configuration = OpenIdConfiguration::from_json(document.to_string()).unwrap();
    assert_eq!(configuration.issuer, issuer());
    assert!(configuration.jwks_uri.ends_with("/discovery/v2.0/keys"));
    assert!(matches!(
        OpenIdConfiguration::from_json(r#"{"issuer":"x"}"#),
        Err(JwksError::InvalidOpenIdConfiguration(_))
    ));
}
