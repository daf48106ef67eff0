//! A mock endpoint: any axum router served on a loopback port of its own, for tests
//! that script what an API, STS or the metadata service answers.

/// Serves `app` on `127.0.0.1`, on a port of its own, until the runtime ends; its base
/// URL, `http://127.0.0.1:PORT`.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A loopback port nothing listens on (it was free a moment ago), to be refused.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
