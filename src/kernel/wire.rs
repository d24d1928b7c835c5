//! Jupyter messages on the wire (messaging protocol 5.3): the connection file, the
//! frames of a message, its HMAC-SHA256 signature, and headers.
//!
//! A message is a list of frames: the routing identities, the delimiter `<IDS|MSG>`,
//! the signature (hex), then four JSON frames (header, parent header, metadata,
//! content) and any binary buffers. The signature is the HMAC of the four JSON frames
//! under the connection file's key; an empty key means messages are not signed.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

/// The version of the messaging protocol this kernel speaks.
pub(crate) const PROTOCOL_VERSION: &str = "5.3";

const DELIMITER: &[u8] = b"<IDS|MSG>";

/// What the frontend writes to the connection file: where to listen, and the key.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub(crate) struct ConnectionInfo {
    pub ip: String,
    pub transport: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    #[serde(default)]
    pub key: String,
    #[serde(default = "default_scheme")]
    pub signature_scheme: String,
}

fn default_scheme() -> String {
    "hmac-sha256".to_string()
}

impl ConnectionInfo {
    /// Reads and checks a connection file; errors are sentences naming the file.
    pub(crate) fn read(path: &Path) -> Result<ConnectionInfo, String> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            format!(
                "cannot read the connection file '{}': {}",
                path.display(),
                crate::os_reason(&error)
            )
        })?;
        ConnectionInfo::parse(&text).map_err(|reason| format!("the connection file '{}' {reason}", path.display()))
    }

    /// Parses the JSON of a connection file; the error says what is wrong with it.
    pub(crate) fn parse(text: &str) -> Result<ConnectionInfo, String> {
        let info: ConnectionInfo =
            serde_json::from_str(text).map_err(|error| format!("is not a Jupyter connection file: {error}"))?;
        if info.transport != "tcp" {
            return Err(format!(
                "asks for the '{}' transport; this kernel speaks only tcp",
                info.transport
            ));
        }
        if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
            return Err(format!(
                "asks for the signature scheme '{}'; this kernel signs only with hmac-sha256",
                info.signature_scheme
            ));
        }
        Ok(info)
    }

    /// The address of one of the ports, as ZeroMQ writes it: `tcp://127.0.0.1:5555`.
    pub(crate) fn endpoint(&self, port: u16) -> String {
        format!("tcp://{}:{port}", self.ip)
    }
}

/// Signs and checks messages with the connection's key.
#[derive(Clone)]
pub(crate) struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub(crate) fn new(key: &str) -> Signer {
        Signer {
            key: key.as_bytes().to_vec(),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<Hmac<Sha256>> {
        if self.key.is_empty() {
            return None;
        }
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    /// The signature of the four JSON frames, in hex (empty without a key).
    pub(crate) fn sign(&self, parts: &[&[u8]]) -> String {
        self.mac(parts)
            .map(|mac| hex(&mac.finalize().into_bytes()))
            .unwrap_or_default()
    }

    /// Whether `signature` is right for the frames (in constant time).
    pub(crate) fn verify(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        match self.mac(parts) {
            None => true,
            Some(mac) => unhex(signature).is_some_and(|bytes| mac.verify_slice(&bytes).is_ok()),
        }
    }
}

/// One message, as received or to be sent.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Message {
    /// The routing identities of the peer (a ROUTER socket's); a reply goes back with them.
    pub identities: Vec<Vec<u8>>,
    pub header: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
}

impl Message {
    /// The message's type, from its header (`execute_request`).
    pub(crate) fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A new message of `msg_type` from this kernel's `session`, in reply to (or caused
    /// by) `parent`, sent to the parent's identities.
    pub(crate) fn child(parent: &Message, session: &str, msg_type: &str, content: Value) -> Message {
        Message {
            identities: parent.identities.clone(),
            header: header(session, msg_type),
            parent_header: parent.header.clone(),
            metadata: json!({}),
            content,
        }
    }

    /// A message with no parent (`iopub_welcome`).
    pub(crate) fn orphan(session: &str, msg_type: &str, content: Value) -> Message {
        Message {
            identities: Vec::new(),
            header: header(session, msg_type),
            parent_header: json!({}),
            metadata: json!({}),
            content,
        }
    }

    /// The frames to send: identities, delimiter, signature, the four JSON parts.
    pub(crate) fn encode(&self, signer: &Signer) -> Vec<Vec<u8>> {
        let parts: [Vec<u8>; 4] = [&self.header, &self.parent_header, &self.metadata, &self.content]
            .map(|part| serde_json::to_vec(part).unwrap_or_else(|_| b"{}".to_vec()));
        let signature = signer.sign(&parts.each_ref().map(Vec::as_slice));
        let mut frames = self.identities.clone();
        frames.push(DELIMITER.to_vec());
        frames.push(signature.into_bytes());
        frames.extend(parts);
        frames
    }

    /// Reads the frames of a message, checking its signature. Errors say what is wrong.
    pub(crate) fn decode(frames: &[Vec<u8>], signer: &Signer) -> Result<Message, String> {
        let delimiter = frames
            .iter()
            .position(|frame| frame == DELIMITER)
            .ok_or("a message without the <IDS|MSG> delimiter")?;
        let rest = &frames[delimiter + 1..];
        let [signature, header, parent_header, metadata, content, ..] = rest else {
            return Err(format!(
                "a message with {} frames after the delimiter; 5 are needed",
                rest.len()
            ));
        };
        let parts = [header, parent_header, metadata, content].map(Vec::as_slice);
        if !signer.verify(&parts, signature) {
            return Err("a message whose signature does not match the key".to_string());
        }
        let json = |frame: &[u8], what: &str| {
            serde_json::from_slice::<Value>(frame)
                .map_err(|error| format!("a message whose {what} is not JSON: {error}"))
        };
        Ok(Message {
            identities: frames[..delimiter].to_vec(),
            header: json(parts[0], "header")?,
            parent_header: json(parts[1], "parent header")?,
            metadata: json(parts[2], "metadata")?,
            content: json(parts[3], "content")?,
        })
    }
}

/// A header for a new message of this kernel's `session`.
fn header(session: &str, msg_type: &str) -> Value {
    json!({
        "msg_id": uuid::Uuid::new_v4().to_string(),
        "session": session,
        "username": "mgrad",
        "date": timestamp(SystemTime::now()),
        "msg_type": msg_type,
        "version": PROTOCOL_VERSION,
    })
}

/// An ISO 8601 time in UTC with microseconds, as Jupyter writes dates:
/// `2026-11-28T05:01:02.123456Z`.
pub(crate) fn timestamp(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        since_epoch.subsec_micros()
    )
}

/// The date (year, month, day) `days` after 1970-01-01, in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(digits, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_message_survives_the_wire_and_its_signature_is_checked() {
        let signer = Signer::new("a0436f6c-1916-498b-8eb9-e81ab9368e84");
        let request = Message {
            identities: vec![b"client-1".to_vec()],
            header: json!({"msg_id": "1", "msg_type": "execute_request"}),
            parent_header: json!({}),
            metadata: json!({}),
            content: json!({"code": "a = 2"}),
        };
        let frames = request.encode(&signer);
        assert_eq!(frames[0], b"client-1");
        assert_eq!(frames[1], DELIMITER);
        assert_eq!(frames[2].len(), 64, "a hex SHA-256");
        assert_eq!(Message::decode(&frames, &signer), Ok(request.clone()));

        let mut forged = frames.clone();
        forged[6] = br#"{"code": "rm -rf"}"#.to_vec();
        assert_eq!(
            Message::decode(&forged, &signer),
            Err("a message whose signature does not match the key".to_string())
        );
        assert!(Message::decode(&frames, &Signer::new("another key")).is_err());
        assert!(Message::decode(&frames[..4], &signer).is_err());
        assert!(Message::decode(&frames[1..], &signer).is_ok(), "no identities is fine");
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_four_parts() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let signer = Signer::new("Jefe");
        assert_eq!(
            signer.sign(&[b"what do ya ", b"want ", b"for nothing?", b""]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn without_a_key_nothing_is_signed() {
        let signer = Signer::new("");
        let message = Message::orphan("s", "status", json!({"execution_state": "idle"}));
        let frames = message.encode(&signer);
        assert_eq!(frames[1], b"");
        assert!(Message::decode(&frames, &signer).is_ok());
    }

    #[test]
    fn a_reply_goes_to_the_requests_peer_with_its_header_as_parent() {
        let request = Message {
            identities: vec![b"peer".to_vec()],
            header: json!({"msg_id": "42", "msg_type": "kernel_info_request"}),
            parent_header: json!({}),
            metadata: json!({}),
            content: json!({}),
        };
        let reply = Message::child(&request, "kernel-session", "kernel_info_reply", json!({"status": "ok"}));
        assert_eq!(reply.identities, request.identities);
        assert_eq!(reply.parent_header["msg_id"], "42");
        assert_eq!(reply.msg_type(), "kernel_info_reply");
        assert_eq!(reply.header["session"], "kernel-session");
        assert_eq!(reply.header["version"], PROTOCOL_VERSION);
    }

    #[test]
    fn dates_are_iso_8601_in_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let time = UNIX_EPOCH + Duration::from_micros(1_795_842_062_123_456);
        assert_eq!(timestamp(time), "2026-11-28T05:01:02.123456Z");
        // A leap day, and the last second of a year.
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(1_704_067_199)),
            "2023-12-31T23:59:59.000000Z"
        );
    }

    #[test]
    fn connection_files_are_checked() {
        let text = r#"{"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004,
            "hb_port": 5005, "ip": "127.0.0.1", "key": "k", "transport": "tcp",
            "signature_scheme": "hmac-sha256", "kernel_name": "mg"}"#;
        let info = ConnectionInfo::parse(text).expect("a connection file");
        assert_eq!(info.endpoint(info.shell_port), "tcp://127.0.0.1:5001");
        let ipc = text.replace("\"tcp\"", "\"ipc\"");
        assert_eq!(
            ConnectionInfo::parse(&ipc),
            Err("asks for the 'ipc' transport; this kernel speaks only tcp".to_string())
        );
        let md5 = text.replace("hmac-sha256", "hmac-md5");
        assert!(ConnectionInfo::parse(&md5).is_err_and(|error| error.contains("hmac-md5")));
        assert!(ConnectionInfo::parse("{}").is_err_and(|error| error.starts_with("is not a Jupyter connection file")));
    }
}
