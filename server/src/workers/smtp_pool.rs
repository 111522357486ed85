//! SMTP connections with Nagle's algorithm off, for `smtp://` relays (plain or STARTTLS).
//!
//! lettre 0.11.23 sends a message's closing `\r\n.\r\n` as its own small write on a socket with
//! Nagle on; the relay's delayed ACK then holds every mail for ~40 ms, capping a connection at
//! ~25 mails a second (fixed upstream in lettre/lettre#1159, not yet in a release). So the
//! connections are opened here, with TCP_NODELAY, and handed to lettre's own SMTP client for
//! the protocol, STARTTLS and authentication. `smtps://` keeps lettre's pooled transport.

use std::sync::Mutex;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::Semaphore;

use super::mailer::Refusal;

pub struct NoDelayPool {
    host: String,
    port: u16,
    /// STARTTLS: `Some((required, parameters))`.
    starttls: Option<(bool, TlsParameters)>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    open: Semaphore,
}

impl NoDelayPool {
    /// `None` for `smtps://` (TLS from the first byte), which lettre's transport handles.
    pub fn from_url(url: &str, connections: usize, timeout: Duration) -> anyhow::Result<Option<NoDelayPool>> {
        let parsed = url::Url::parse(url)?;
        let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let host = parsed.host_str().ok_or_else(|| anyhow::anyhow!("no host"))?.to_owned();
        let (port, starttls) = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => return Ok(None),
            ("smtp", None) => (parsed.port().unwrap_or(25), None),
            ("smtp", Some(mode @ ("required" | "opportunistic"))) => {
                (parsed.port().unwrap_or(587), Some((mode == "required", TlsParameters::new(host.clone())?)))
            }
            (scheme, tls) => anyhow::bail!("unknown scheme {scheme:?} or tls={tls:?}"),
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().map(|s| s.into_owned());
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(decode(parsed.username())?, decode(password)?)),
            None => None,
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Some(NoDelayPool {
            host,
            port,
            starttls,
            credentials,
            hello,
            timeout,
            idle: Mutex::default(),
            open: Semaphore::new(connections),
        }))
    }

    /// Sends over an idle connection (or a new one); a connection that failed is dropped.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), Refusal> {
        let _turn = self.open.acquire().await.expect("the semaphore is never closed");
        let reused = self.idle.lock().expect("not poisoned").pop();
        let mut connection = match reused {
            Some(connection) if !connection.has_broken() => connection,
            _ => self.connect().await?,
        };
        match tokio::time::timeout(self.timeout, connection.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.idle.lock().expect("not poisoned").push(connection);
                Ok(())
            }
            Ok(Err(error)) => {
                if !connection.has_broken() {
                    self.idle.lock().expect("not poisoned").push(connection);
                }
                Err(Refusal { permanent: error.is_permanent(), message: error.to_string() })
            }
            Err(_) => Err(Refusal { permanent: false, message: format!("no answer within {:?}", self.timeout) }),
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Refusal> {
        let failed = |message: String| Refusal { permanent: false, message };
        let tcp = tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect((self.host.as_str(), self.port)))
            .await
            .map_err(|_| failed(format!("{}:{}: no connection within {:?}", self.host, self.port, self.timeout)))?
            .map_err(|e| failed(format!("{}:{}: {e}", self.host, self.port)))?;
        tcp.set_nodelay(true).map_err(|e| failed(e.to_string()))?;
        let refused = |e: lettre::transport::smtp::Error| Refusal { permanent: false, message: e.to_string() };
        let mut connection =
            tokio::time::timeout(self.timeout, AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello))
                .await
                .map_err(|_| failed(format!("{}:{}: no greeting within {:?}", self.host, self.port, self.timeout)))?
                .map_err(refused)?;
        if let Some((required, parameters)) = &self.starttls {
            if connection.can_starttls() {
                connection.starttls(parameters.clone(), &self.hello).await.map_err(refused)?;
            } else if *required {
                return Err(failed(format!("{} does not offer STARTTLS, which SMTP_URL requires", self.host)));
            }
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(refused)?;
        }
        Ok(connection)
    }
}
