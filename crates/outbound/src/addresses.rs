//! Which IP addresses count as public: everything but the ranges the IANA special-purpose
//! registries reserve (loopback, private, shared/CGNAT, link-local — where cloud metadata services
//! live —, documentation, benchmarking, multicast, …). An IPv6 address that carries an IPv4 one
//! (mapped, NAT64, 6to4) is judged by the IPv4 address it carries.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn v6(segments: [u16; 8], prefix: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), prefix)
}

/// IPv4 ranges that are not the public internet (RFC 6890 and its updates).
const NOT_PUBLIC_V4: [Ipv4Net; 15] = [
    v4(0, 0, 0, 0, 8),       // "this network"
    v4(10, 0, 0, 0, 8),      // private
    v4(100, 64, 0, 0, 10),   // shared address space (carrier-grade NAT; some clouds' metadata)
    v4(127, 0, 0, 0, 8),     // loopback
    v4(169, 254, 0, 0, 16),  // link-local (cloud metadata at 169.254.169.254)
    v4(172, 16, 0, 0, 12),   // private
    v4(192, 0, 0, 0, 24),    // IETF protocol assignments
    v4(192, 0, 2, 0, 24),    // documentation
    v4(192, 88, 99, 0, 24),  // 6to4 relay anycast
    v4(192, 168, 0, 0, 16),  // private
    v4(198, 18, 0, 0, 15),   // benchmarking
    v4(198, 51, 100, 0, 24), // documentation
    v4(203, 0, 113, 0, 24),  // documentation
    v4(224, 0, 0, 0, 4),     // multicast
    v4(240, 0, 0, 0, 4),     // reserved, and the broadcast address
];

/// IPv6 ranges that are not the public internet, once the IPv4-carrying forms are set aside.
const NOT_PUBLIC_V6: [Ipv6Net; 11] = [
    v6([0, 0, 0, 0, 0, 0, 0, 0], 8), // unspecified, loopback, IPv4-compatible, reserved
    v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48), // local-use NAT64
    v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), // discard-only
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (Teredo among them)
    v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
    v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation
    v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), // segment routing
    v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), // unique local (AWS metadata at fd00:ec2::254)
    v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), // link-local
    v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), // site-local (deprecated)
    v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), // multicast
];

const NAT64: Ipv6Net = v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);
const SIX_TO_FOUR: Ipv6Net = v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16);

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match carried_v4(ip) {
        Some(v4) => !NOT_PUBLIC_V4.iter().any(|net| net.contains(&v4)),
        None => match ip {
            IpAddr::V6(v6) => !NOT_PUBLIC_V6.iter().any(|net| net.contains(&v6)),
            IpAddr::V4(_) => unreachable!("an IPv4 address carries itself"),
        },
    }
}

/// Whether `ip` is this machine's loopback (`127.0.0.0/8`, `::1`, or loopback mapped to IPv6).
pub fn is_loopback(ip: IpAddr) -> bool {
    match (ip, carried_v4(ip)) {
        (_, Some(v4)) => v4.is_loopback(),
        (IpAddr::V6(v6), None) => v6.is_loopback(),
        (IpAddr::V4(_), None) => false,
    }
}

/// The IPv4 address an address stands for: itself, or the one inside an IPv4-mapped, NAT64
/// (`64:ff9b::/96`) or 6to4 (`2002::/16`) address.
fn carried_v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => {
            let octets = v6.octets();
            if let Some(mapped) = v6.to_ipv4_mapped() {
                Some(mapped)
            } else if NAT64.contains(&v6) {
                Some(Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15]))
            } else if SIX_TO_FOUR.contains(&v6) {
                Some(Ipv4Addr::new(octets[2], octets[3], octets[4], octets[5]))
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().expect("an address"))
    }

    #[test]
    fn addresses_only_the_server_can_reach_are_not_public() {
        for text in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "198.18.0.1",
            "192.0.2.10",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:a00:1::",
            "2001:db8::1",
            "fd00:ec2::254",
            "fe80::1",
            "ff02::1",
        ] {
            assert!(!public(text), "{text} must not count as public");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for text in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "193.0.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(public(text), "{text} is on the internet");
        }
    }

    #[test]
    fn loopback_is_recognised_in_every_spelling() {
        for text in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(text.parse().expect("an address")), "{text}");
        }
        assert!(!is_loopback("10.0.0.1".parse().expect("an address")));
    }
}
