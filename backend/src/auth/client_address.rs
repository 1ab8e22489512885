//! Which address a request comes from, for throttling: the TCP peer, or behind a trusted
//! reverse proxy the client that proxy names in `X-Forwarded-For`.

use std::net::IpAddr;

use ipnet::IpNet;

/// Walks `X-Forwarded-For` from the right (the hop nearest to us) past trusted proxies; the first
/// untrusted hop is the client. Entries left of it were written by the client and are ignored, so
/// a client cannot pick the address it is counted under.
pub fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&client) {
                    break;
                }
            }
            // Garbage from a proxy we trust: the last proxy is all we know.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let spoofed = Some("1.2.3.4");
        // A client talking to us directly cannot choose its address.
        assert_eq!(
            resolve(ip("203.0.113.9"), spoofed, &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(resolve(ip("10.0.0.2"), None, &[]), ip("10.0.0.2"));
        // Behind the proxy: the hop the proxy saw, not what the client prepended.
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // Two proxies in a row.
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("198.51.100.7,10.1.1.1"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("junk"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("2001:db8::1"), &trusted),
            ip("2001:db8::1")
        );
    }
}
