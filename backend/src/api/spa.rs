//! Serves the built web app: its files as they are, and `index.html` for every other page path,
//! because the app routes on the client (a reload of `/transactions` must get the app back).
//! `/api/...`, other methods than GET/HEAD and missing files keep the API's problem+json 404/405.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{CacheControl, CacheDirective, TryIntoHeaderValue, CACHE_CONTROL};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::error::ApiError;

/// The directory of a built web app (the `index.html` of `npm run build` and its assets).
#[derive(Clone, Debug)]
pub struct Frontend {
    root: PathBuf,
}

impl Frontend {
    /// `None` when `dir` holds no `index.html` (not built): `/` then shows the small home page.
    pub fn open(dir: &Path) -> Option<Self> {
        dir.join("index.html").is_file().then(|| Frontend {
            root: dir.to_owned(),
        })
    }

    /// The file a URL path names inside the root, if there is one. The path is not
    /// percent-decoded and dot segments are refused, so no request can step outside the root
    /// (the build only writes plain ASCII names).
    fn file(&self, url_path: &str) -> Option<PathBuf> {
        let mut file = self.root.clone();
        for segment in url_path.split('/').filter(|s| !s.is_empty()) {
            if segment.starts_with('.') || segment.contains('\\') {
                return None;
            }
            file.push(segment);
        }
        file.is_file().then_some(file)
    }
}

/// The default service: a file of the app, the app's page shell, or the API's 404/405.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    frontend: Option<web::Data<Frontend>>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let is_page_request = matches!(*req.method(), Method::GET | Method::HEAD)
        && path != "/api"
        && !path.starts_with("/api/");
    let Some(frontend) = frontend.filter(|_| is_page_request) else {
        return super::fallback(req, state).await;
    };
    if let Some(file) = frontend.file(path) {
        // Vite puts a content hash in every asset name, so an asset never changes.
        let cache = if path.starts_with("/assets/") {
            vec![
                CacheDirective::Public,
                CacheDirective::MaxAge(31_536_000),
                CacheDirective::Extension("immutable".into(), None),
            ]
        } else {
            vec![CacheDirective::NoCache]
        };
        return respond(&req, &file, cache).await;
    }
    // A missing file (`/assets/old.js`) is a 404, not the page shell parsed as a script.
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        return super::fallback(req, state).await;
    }
    respond(
        &req,
        &frontend.root.join("index.html"),
        vec![CacheDirective::NoCache],
    )
    .await
}

async fn respond(
    req: &HttpRequest,
    file: &Path,
    cache: Vec<CacheDirective>,
) -> Result<HttpResponse, ApiError> {
    let path = file.to_owned();
    // Opening reads file metadata: blocking work, kept off the async executor.
    let file = web::block(move || NamedFile::open(&path))
        .await?
        .map_err(|e| ApiError::Internal(format!("cannot read {}: {e}", file.display())))?;
    let mut response = file.into_response(req);
    let cache = CacheControl(cache)
        .try_into_value()
        .map_err(|e| ApiError::Internal(format!("cache-control header: {e}")))?;
    response.headers_mut().insert(CACHE_CONTROL, cache);
    Ok(response)
}
