//! Reading one HTTP/1.1 message off a socket, for the loopback proxies the
//! sync tests and the sync bench put between a kiosk and its lab. The lab's
//! server keeps connections open, so a message ends where its head says
//! (`Content-Length`), not at end of stream. Standalone (std only), so the
//! bench can include it by path.

use std::io::Read;

/// Reads a message — head, then body by its `Content-Length` — and returns
/// the bytes read. Stops early, as a line cut mid-message would, once
/// `cut(read, whole)` is true; stops at end of stream or a read error too.
pub fn read_message(stream: &mut impl Read, cut: impl Fn(usize, usize) -> bool) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    let mut whole: Option<usize> = None;
    loop {
        if let Some(n) = whole
            && (got.len() >= n || cut(got.len(), n))
        {
            break;
        }
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        got.extend_from_slice(&buf[..n]);
        if whole.is_none()
            && let Some(p) = got.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&got[..p]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            whole = Some(p + 4 + len);
        }
    }
    got
}

/// A whole message.
pub fn read_whole(stream: &mut impl Read) -> Vec<u8> {
    read_message(stream, |_, _| false)
}
