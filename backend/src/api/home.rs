use actix_web::{get, HttpResponse};

/// Without a built web app (see `Config::frontend_dir`), `/` points people at the API documentation.
#[get("/")]
pub async fn index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("home.html"))
}
