//! A real SMTP server on loopback for the tests: it speaks enough of RFC 5321 for any client
//! (greeting, EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and keeps what
//! it receives.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    arrived: Arc<tokio::sync::Notify>,
    /// Recipients refused at RCPT, with the reply each gets (e.g. "550 5.1.1 no such user").
    refusals: Arc<Vec<(String, String)>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        SmtpSink::start_refusing(&[]).await
    }

    /// A sink that refuses these recipients with these replies, as a real relay does for an
    /// unknown mailbox (5xx) or a full one (4xx).
    pub async fn start_refusing(refusals: &[(&str, &str)]) -> SmtpSink {
        let refusals = refusals.iter().map(|(a, r)| (a.to_string(), format!("{r}\r\n"))).collect();
        SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap(), refusals)
    }

    /// A port nothing listens on yet: the sink can be started there later.
    pub async fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port()
    }

    pub async fn start_at(port: u16) -> SmtpSink {
        SmtpSink::start_on(TcpListener::bind(("127.0.0.1", port)).await.unwrap(), Vec::new())
    }

    fn start_on(listener: TcpListener, refusals: Vec<(String, String)>) -> SmtpSink {
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            received: Arc::default(),
            arrived: Arc::default(),
            refusals: Arc::new(refusals),
        };
        let accepting = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = accepting.clone();
                tokio::spawn(async move {
                    let _ = sink.converse(stream).await;
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `count` mails have arrived (or fails the test after `within`).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("expected {count} mail(s) within {within:?}, got {}", self.received().len());
            }
        }
    }

    async fn converse(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_ascii_uppercase();
            let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO") {
                b"250-sink.test\r\n250 8BITMIME\r\n"
            } else if command.starts_with("MAIL FROM:") {
                from = address(&line);
                to.clear();
                b"250 2.1.0 OK\r\n"
            } else if command.starts_with("RCPT TO:") {
                let recipient = address(&line);
                if let Some((_, reply)) = self.refusals.iter().find(|(a, _)| *a == recipient) {
                    write.write_all(reply.as_bytes()).await?;
                    continue;
                }
                to.push(recipient);
                b"250 2.1.5 OK\r\n"
            } else if command == "DATA" {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    if lines.read_until(b'\n', &mut raw).await? == 0 {
                        return Ok(());
                    }
                    if raw == b".\r\n" {
                        break;
                    }
                    let unstuffed = if raw.starts_with(b"..") { &raw[1..] } else { &raw[..] };
                    data.extend_from_slice(unstuffed);
                }
                self.received.lock().unwrap().push(Received { from: from.clone(), to: to.clone(), data });
                self.arrived.notify_waiters();
                b"250 2.0.0 queued\r\n"
            } else if command == "QUIT" {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            } else if command == "RSET" || command == "NOOP" {
                b"250 2.0.0 OK\r\n"
            } else {
                b"502 5.5.2 not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }
}

fn address(line: &str) -> String {
    line.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map(|(a, _)| a.to_owned()).unwrap_or_default()
}
