//! Who the client is behind the proxies we trust. Every mini-program backend sits behind an
//! HTTPS proxy (WeChat requires TLS), so the TCP peer is the proxy: counting logins per peer
//! would let 30 junk logins a minute lock every payer out, and `spbill_create_ip` would name
//! the proxy.
//!
//! Each proxy appends the address it saw to `X-Forwarded-For`; whatever a client sent in it is
//! to the left. Reading from the right, hops added by trusted proxies are believed, and the first
//! address that is not a trusted proxy is the client. Without trusted proxies, the peer is.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The client of a request that reached us from `peer`, carrying the `X-Forwarded-For` header
/// values `forwarded_for` (in the order received), given the `trusted` proxies.
pub fn client_addr<'a>(peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        // A hop a trusted proxy wrote is an address; anything else was made up further left, so
        // the nearest address we could believe is the answer.
        let Some(ip) = parse_hop(hop) else { return nearest };
        if !is_trusted(&ip) {
            return ip;
        }
        nearest = ip;
    }
    nearest
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip())).map(canonical)
}

/// An IPv4 address seen on an IPv6 socket (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(client_addr(ip("198.51.100.9"), ["203.0.113.7"], &nets(&["10.0.0.0/8"])), ip("198.51.100.9"));
        assert_eq!(client_addr(ip("10.0.0.2"), ["203.0.113.7"], &[]), ip("10.0.0.2"), "no trusted proxies: the peer");
    }

    #[test]
    fn right_most_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        // The client forged a left-most hop; the proxies appended the real one and themselves.
        let xff = ["1.2.3.4, 203.0.113.7", "10.0.0.5"];
        assert_eq!(client_addr(ip("127.0.0.1"), xff, &trusted), ip("203.0.113.7"));
        assert_eq!(client_addr(ip("::ffff:127.0.0.1"), ["[2001:db8::1]:4711"], &trusted), ip("2001:db8::1"));
        assert_eq!(client_addr(ip("127.0.0.1"), ["203.0.113.7:5000"], &trusted), ip("203.0.113.7"));
    }

    #[test]
    fn garbage_or_missing_hops_fall_back_to_the_nearest_believed_address() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        assert_eq!(client_addr(ip("127.0.0.1"), ["unknown, 10.0.0.5"], &trusted), ip("10.0.0.5"));
        assert_eq!(client_addr(ip("127.0.0.1"), [], &trusted), ip("127.0.0.1"));
        assert_eq!(client_addr(ip("127.0.0.1"), ["10.0.0.7, 10.0.0.5"], &trusted), ip("10.0.0.7"), "all trusted: the furthest");
    }
}
