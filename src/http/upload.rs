//! A file sent as `multipart/form-data` in a field named `file` (attachments, imports).

use std::time::Duration;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use crate::error::{ApiError, ApiResult, Text};

pub fn too_large(max: usize) -> ApiError {
    ApiError::Rule(Text::new(
        format!("The file is larger than {max} bytes"),
        format!("Tệp lớn hơn {max} byte"),
    ))
}

fn multipart_error(e: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match e {
        E::ContentTypeMissing | E::ContentTypeParse | E::ContentTypeIncompatible => {
            ApiError::UnsupportedMediaType(Text::new(
                "Send the file as multipart/form-data in a field named `file`",
                "Hãy gửi tệp dạng multipart/form-data trong trường `file`",
            ))
        }
        other => ApiError::bad_request(
            format!("Malformed upload: {other}"),
            format!("Tải lên không hợp lệ: {other}"),
        ),
    }
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// The name and bytes of the form's `file` field (other fields are drained), held in memory up to
/// `max` bytes; each part and chunk must arrive within `stall` (408 otherwise).
pub async fn read_file(mut payload: Multipart, stall: Duration, max: usize) -> ApiResult<(String, Vec<u8>)> {
    let mut content: Vec<u8> = Vec::new();
    let mut found: Option<String> = None;
    while let Some(field) = crate::http::within(stall, payload.next()).await? {
        let mut field = field.map_err(multipart_error)?;
        if field.name() != Some("file") || found.is_some() {
            while let Some(chunk) = crate::http::within(stall, field.next()).await? {
                chunk.map_err(multipart_error)?;
            }
            continue;
        }
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(clean_name)
            .unwrap_or_else(|| "file".into());
        found = Some(name);
        while let Some(chunk) = crate::http::within(stall, field.next()).await? {
            let chunk = chunk.map_err(multipart_error)?;
            if content.len() + chunk.len() > max {
                return Err(too_large(max));
            }
            content.extend_from_slice(&chunk);
        }
    }
    let Some(file_name) = found else {
        return Err(ApiError::field(
            "file",
            "required",
            "send the file in a multipart field named `file`",
            "gửi tệp trong trường `file`",
        ));
    };
    if content.is_empty() {
        return Err(ApiError::field("file", "empty", "the file is empty", "tệp rỗng"));
    }
    Ok((file_name, content))
}
