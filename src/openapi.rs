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
        (name = "documents", description = "The legal documents plans cite"),
        (name = "plans", description = "Implementation plans, their workflow, targets and activities"),
        (name = "trainings", description = "Trainings, counted by sex"),
        (name = "outreach", description = "Outreach events and campaigns, counted by sex, with the Action Month"),
        (name = "attachments", description = "Photos and documents of trainings and events"),
        (name = "petitions", description = "Complaints and denunciations with the law's deadlines"),
        (name = "oversight", description = "Inspections, violations and sanctions"),
        (name = "reports", description = "Roll-ups up the unit tree, strategy indicators, exports"),
        (name = "sync", description = "The change feed for offline clients"),
        (name = "clients", description = "Partner API clients (client credentials)"),
        (name = "audit", description = "The audit trail"),
        (name = "operations", description = "Health and metrics"),
    ),
    // Types that paths name only through a path or query parameter (utoipa references them
    // without registering them).
    components(schemas(
        crate::petitions::api::PetitionAction,
        crate::plans::workflow::Action,
        crate::http::export::Format,
    )),
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

/// The responses that follow from an operation's shape, added to every operation that has
/// that shape (unless it documents them itself), so each handler documents only what is its
/// own: any API call can fail inside (500) or find the database down (503); a Bearer token can
/// be missing (401) or over a partner's limit (429); a JSON body can be malformed (400), of
/// another type (415) or too large (413); a query parameter can be malformed (400);
/// `If-Match` can be missing (428) or stale (412).
struct StandardResponses;

fn problem(description: &str, retry_after: bool) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{header::HeaderBuilder, ContentBuilder, ObjectBuilder, Ref, ResponseBuilder, Type};
    let mut r = ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    if retry_after {
        let seconds = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some("Seconds to wait"));
        r = r.header("Retry-After", seconds.build());
    }
    r.build().into()
}

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for (path, item) in openapi.paths.paths.iter_mut() {
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
                let secured = op
                    .security
                    .as_ref()
                    .is_some_and(|s| serde_json::to_string(s).map(|v| v.contains("bearer")).unwrap_or(false));
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                let if_match = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.name == "If-Match" && p.parameter_in == ParameterIn::Header)
                });
                let query = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                let mut add = |code: &str, description: &str, retry_after: bool| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| problem(description, retry_after));
                };
                if path.starts_with("/api/") {
                    add(
                        "500",
                        "Internal error: opaque, with the `request_id` of the log line",
                        false,
                    );
                    add("503", "Database unavailable; retry after `Retry-After` seconds", true);
                }
                if secured {
                    add(
                        "401",
                        "No, invalid or expired access token (with `WWW-Authenticate: Bearer`)",
                        false,
                    );
                    add(
                        "429",
                        "Rate limited (partner clients): wait `Retry-After` seconds",
                        true,
                    );
                }
                if json_body {
                    add("400", "Malformed JSON", false);
                    add("413", "Body larger than the service accepts", false);
                    add("415", "Not `application/json`", false);
                }
                if query {
                    add("400", "Malformed query parameter", false);
                }
                if if_match {
                    add(
                        "412",
                        "Stale `If-Match`: `current` holds the record as it is now",
                        false,
                    );
                    add("428", "`If-Match` missing", false);
                }
            }
        }
    }
}

/// Completes the document once the routes have added their paths.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    StandardResponses.modify(&mut doc);
    doc
}
