//! The policy against real sockets: a listener on loopback stands for anything only the server
//! can reach, and counts whether a refused request ever connected to it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use certify_outbound::{MAX_ANSWER_BYTES, Outbound, OutboundPolicy};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// A loopback HTTP server answering every request with `answer`, and how many connections it took.
async fn server(answer: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = [0_u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(&answer).await;
            });
        }
    });
    (port, connections)
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_vec();
    answer.extend_from_slice(body);
    answer
}

fn get(url: &str) -> http::Request<Vec<u8>> {
    http::Request::get(url).body(Vec::new()).expect("a request")
}

fn production() -> Outbound {
    Outbound::new(OutboundPolicy::default()).expect("client")
}

fn for_tests() -> Outbound {
    Outbound::new(OutboundPolicy { allow_loopback: true }).expect("client")
}

#[tokio::test]
async fn loopback_is_refused_by_address_and_by_a_name_that_resolves_to_it_without_connecting() {
    let (port, connections) = server(ok(b"{}")).await;
    let client = production();
    for url in [
        format!("https://127.0.0.1:{port}/keys"),
        format!("http://127.0.0.1:{port}/keys"),
        format!("https://[::ffff:127.0.0.1]:{port}/keys"),
        format!("https://localhost:{port}/keys"),
        format!("https://LocalHost.:{port}/keys"),
    ] {
        let refused = client.send(get(&url)).await.expect_err(&url);
        assert_eq!(refused.to_string(), "the address could not be reached", "{url}");
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing connected to the loopback server"
    );
}

#[tokio::test]
async fn metadata_private_and_plain_http_addresses_are_refused_before_any_connection() {
    let client = for_tests();
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/keys",
        "https://100.100.100.200/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://[::ffff:a9fe:a9fe]/",
        "http://login.northwind.example/keys",
        "ftp://login.northwind.example/keys",
    ] {
        let refused = client.send(get(url)).await.expect_err(url);
        assert_eq!(refused.to_string(), "the address could not be reached");
        assert!(
            refused.reason().contains("not a public address") || refused.reason().contains("scheme"),
            "{url} was refused by the policy, not by the network: {}",
            refused.reason()
        );
    }
}

#[tokio::test]
async fn the_test_setting_reaches_loopback_and_a_closed_port_reads_like_any_refusal() {
    let (port, connections) = server(ok(br#"{"keys": []}"#)).await;
    let client = for_tests();
    let answer = client
        .send(get(&format!("http://127.0.0.1:{port}/keys")))
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.body(), br#"{"keys": []}"#);
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let closed = client
        .send(get("http://127.0.0.1:9/keys"))
        .await
        .expect_err("nothing listens on port 9");
    let refused = production()
        .send(get("https://127.0.0.1:9/keys"))
        .await
        .expect_err("refused");
    assert_eq!(
        closed.to_string(),
        refused.to_string(),
        "one message whatever the cause"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_and_large_answers_are_refused() {
    let (target, followed) = server(ok(b"{}")).await;
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{target}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    );
    let (port, _) = server(redirect.into_bytes()).await;
    let answer = for_tests()
        .send(get(&format!("http://127.0.0.1:{port}/")))
        .await
        .expect("answered");
    assert_eq!(answer.status(), 302, "the redirect is the answer");
    assert_eq!(followed.load(Ordering::SeqCst), 0, "and it was not followed");

    // Without a length up front, so the cap applies while reading.
    let (port, _) = server(ok(&vec![b' '; MAX_ANSWER_BYTES + 1])).await;
    let refused = for_tests()
        .send(get(&format!("http://127.0.0.1:{port}/")))
        .await
        .expect_err("too large");
    assert!(refused.reason().contains("larger than allowed"), "{}", refused.reason());
}
