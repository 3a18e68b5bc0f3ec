package io.xcomposer.common.fetch;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a server-side fetch must never connect to: everything that is not a public unicast address.
 * IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64 {@code 64:ff9b::/96}, 6to4
 * {@code 2002::/16}) are judged by the IPv4 address inside.
 */
public final class BlockedAddresses {

    private static final byte[] AWS_METADATA_V6 = InetAddressBytes.parse("fd00:ec2::254");

    private BlockedAddresses() {}

    /** Why {@code address} is refused, e.g. {@code "loopback"}; null when it is a public unicast address. */
    public static @Nullable String blockReason(InetAddress address) {
        byte[] bytes = address.getAddress();
        return address instanceof Inet4Address ? ipv4Reason(toInt(bytes, 0)) : ipv6Reason(bytes);
    }

    private static @Nullable String ipv4Reason(int ip) {
        if (ip == 0xA9FEA9FE) {
            return "cloud metadata";
        }
        if (in(ip, 0x00000000, 8)) {
            return "unspecified";
        }
        if (in(ip, 0x7F000000, 8)) {
            return "loopback";
        }
        if (in(ip, 0x0A000000, 8) || in(ip, 0xAC100000, 12) || in(ip, 0xC0A80000, 16)) {
            return "private";
        }
        if (in(ip, 0x64400000, 10)) {
            return "shared (CGNAT)";
        }
        if (in(ip, 0xA9FE0000, 16)) {
            return "link-local";
        }
        if (in(ip, 0xE0000000, 4)) {
            return "multicast";
        }
        if (in(ip, 0xF0000000, 4)
                || in(ip, 0xC0000000, 24)
                || in(ip, 0xC0000200, 24)
                || in(ip, 0xC6120000, 15)
                || in(ip, 0xC6336400, 24)
                || in(ip, 0xCB007100, 24)) {
            return "reserved";
        }
        return null;
    }

    private static @Nullable String ipv6Reason(byte[] ip) {
        if (Arrays.equals(ip, AWS_METADATA_V6)) {
            return "cloud metadata";
        }
        boolean first10Zero = allZero(ip, 0, 10);
        if (first10Zero && (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff) {
            return embedded("IPv4-mapped", toInt(ip, 12));
        }
        if (first10Zero && ip[10] == 0 && ip[11] == 0) {
            if (allZero(ip, 12, 16)) {
                return "unspecified";
            }
            if (allZero(ip, 12, 15) && ip[15] == 1) {
                return "loopback";
            }
            return embedded("IPv4-compatible", toInt(ip, 12));
        }
        if (toInt(ip, 0) == 0x0064FF9B && allZero(ip, 4, 12)) {
            return embedded("NAT64", toInt(ip, 12));
        }
        if ((ip[0] & 0xff) == 0x20 && (ip[1] & 0xff) == 0x02) {
            return embedded("6to4", toInt(ip, 2));
        }
        int first = ip[0] & 0xff;
        int second = ip[1] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return "private";
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return "link-local";
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return "private";
        }
        if (first == 0xff) {
            return "multicast";
        }
        if (toInt(ip, 0) == 0x20010DB8 || (toInt(ip, 0) == 0x01000000 && allZero(ip, 4, 8))) {
            return "reserved";
        }
        return null;
    }

    private static @Nullable String embedded(String form, int ipv4) {
        String reason = ipv4Reason(ipv4);
        return reason == null ? null : form + " " + reason;
    }

    private static boolean in(int ip, int network, int prefixLength) {
        int mask = -1 << (32 - prefixLength);
        return (ip & mask) == (network & mask);
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int toInt(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24
                | (bytes[offset + 1] & 0xff) << 16
                | (bytes[offset + 2] & 0xff) << 8
                | (bytes[offset + 3] & 0xff);
    }

    /** Parses literal addresses only, never DNS. */
    private static final class InetAddressBytes {

        static byte[] parse(String literal) {
            try {
                return InetAddress.getByName(literal).getAddress();
            } catch (UnknownHostException notALiteral) {
                throw new IllegalArgumentException(literal, notALiteral);
            }
        }
    }
}
