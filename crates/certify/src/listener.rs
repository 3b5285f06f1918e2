//! The listener the server accepts connections on. hyper answers a request it cannot parse
//! (an address over 64 KiB, more than 100 headers, a header block over its buffer) itself, before
//! any of our code runs, with a bare `414` or `431` and no body. Each connection's writes are
//! watched for exactly those answers, and they are replaced by the same response carrying a
//! problem document, so every error the server sends is `application/problem+json`. Nothing
//! else is touched: the application never answers 414 or 431 itself.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use axum::http::StatusCode;
use certify_api::{ApiError, ProblemType};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections whose parse-error answers are problems.
#[derive(Debug)]
pub struct ProblemListener(pub TcpListener);

impl axum::serve::Listener for ProblemListener {
    type Io = ProblemOnParseError<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (ProblemOnParseError::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The full responses that replace hyper's bodiless parse-error answers.
static REPLACEMENTS: LazyLock<[(StatusCode, Vec<u8>); 2]> = LazyLock::new(|| {
    [
        (
            StatusCode::URI_TOO_LONG,
            ApiError::new(
                ProblemType::UriTooLong,
                "the address is longer than this server reads (64 KiB)",
            ),
        ),
        (
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::new(
                ProblemType::HeaderFieldsTooLarge,
                "the request has more headers, or larger ones, than this server reads",
            ),
        ),
    ]
    .map(|(status, problem)| (status, response_bytes(status, &problem.into_json_bytes())))
});

fn response_bytes(status: StatusCode, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or_default(),
        certify_api::error::PROBLEM_JSON,
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// The replacement for `written` if it is one of hyper's own parse-error answers: a complete
/// response head with status 414 or 431 and an empty body.
fn replacement_for(written: &[u8]) -> Option<&'static [u8]> {
    let (status, rest) = written
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| written.strip_prefix(b"HTTP/1.0 "))?
        .split_at_checked(3)?;
    // The status first: it is all an ordinary write costs.
    let (_, replacement) = REPLACEMENTS
        .iter()
        .find(|(code, _)| code.as_str().as_bytes() == status)?;
    let bodiless = rest.ends_with(b"\r\n\r\n") && rest.windows(19).any(|w| w == b"\r\ncontent-length: 0");
    bodiless.then_some(replacement.as_slice())
}

/// A connection whose bodiless 414 and 431 answers are rewritten into problems.
#[derive(Debug)]
pub struct ProblemOnParseError<Io> {
    inner: Io,
    /// A replacement being written: its bytes, how many went out, and the length of hyper's
    /// buffer to report once all did.
    replacing: Option<(&'static [u8], usize, usize)>,
}

impl<Io> ProblemOnParseError<Io> {
    pub fn new(inner: Io) -> Self {
        Self { inner, replacing: None }
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for ProblemOnParseError<Io> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for ProblemOnParseError<Io> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        // hyper calls again with the same buffer until it is reported written.
        let (bytes, mut sent, reported) = match self.replacing {
            Some(replacing) => replacing,
            None => match replacement_for(buf) {
                Some(bytes) => (bytes, 0, buf.len()),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            },
        };
        self.replacing = None;
        while sent < bytes.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[sent..]) {
                Poll::Pending => {
                    self.replacing = Some((bytes, sent, reported));
                    return Poll::Pending;
                }
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => sent += n,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
            }
        }
        Poll::Ready(Ok(reported))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
        if self.replacing.is_some() || replacement_for(first).is_some() {
            return self.poll_write(cx, first);
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_parse_errors_are_replaced() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 20:12:47 GMT\r\n\r\n";
        let replaced = String::from_utf8(replacement_for(bare).expect("replaced").to_vec()).expect("text");
        assert!(replaced.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(replaced.contains("content-type: application/problem+json\r\n"));
        assert!(replaced.ends_with(
            r#""status":431,"detail":"the request has more headers, or larger ones, than this server reads"}"#
        ));
        let uri = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert!(replacement_for(uri).is_some());
        for untouched in [
            &b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n",
            b"{\"status\": 414}",
            b"",
        ] {
            assert_eq!(
                replacement_for(untouched),
                None,
                "{}",
                String::from_utf8_lossy(untouched)
            );
        }
    }
}
