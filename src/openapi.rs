//! The OpenAPI document. Paths are gathered from the handlers as they are registered
//! (utoipa-actix-web), so a route cannot exist without its documentation; this file holds the
//! document's frame: info, tags, the Bearer security scheme.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "binhdang API",
        version = "1.0.0",
        description = "REST/JSON API for a city's gender-equality programme (Luật Bình đẳng giới \
73/2006/QH11): units, plans, trainings and outreach, oversight, reports.\n\n\
Conventions: JSON with snake_case fields; errors are application/problem+json (RFC 9457), in \
Vietnamese with `Accept-Language: vi`; lists use keyset pagination (`limit`, `cursor`, \
`next_cursor`); `GET` one returns an `ETag` and writes need `If-Match`. Sign in with \
`POST /api/v1/auth/login`, then use the Authorize button with the access token.",
        license(name = "MIT"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Sign in, token refresh, sign out, the current caller"),
        (name = "units", description = "The unit tree, its history and lineage"),
        (name = "sync", description = "The change feed for offline clients"),
        (name = "clients", description = "Partner API clients (client credentials)"),
        (name = "audit", description = "The audit trail"),
        (name = "operations", description = "Health and metrics"),
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Every operation that takes a Bearer token may answer 429 (a partner client over its
/// per-minute limit), with `Retry-After`.
struct RateLimited;

impl Modify for RateLimited {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{header::HeaderBuilder, ContentBuilder, ObjectBuilder, Ref, ResponseBuilder};
        let response = ResponseBuilder::new()
            .description("Rate limited (partner clients): wait `Retry-After` seconds")
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer))
                    .description(Some("Seconds to wait"))
                    .build(),
            )
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let secured = op.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s)
                        .map(|v| v.to_string().contains("bearer"))
                        .unwrap_or(false)
                });
                if secured && !op.responses.responses.contains_key("429") {
                    op.responses
                        .responses
                        .insert("429".to_string(), response.clone().into());
                }
            }
        }
    }
}

/// Completes the document once the routes have added their paths.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    RateLimited.modify(&mut doc);
    doc
}

/// The complete document, as served at `/api/openapi.json` and printed by `binhdang openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    crate::app::api_document()
}
