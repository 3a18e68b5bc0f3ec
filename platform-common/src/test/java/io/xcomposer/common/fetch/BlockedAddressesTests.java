package io.xcomposer.common.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BlockedAddressesTests {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1               | loopback
            127.255.0.9             | loopback
            ::1                     | loopback
            10.1.2.3                | private
            172.16.0.1              | private
            172.31.255.254          | private
            192.168.1.1             | private
            fc00::1                 | private
            fd12:3456::1            | private
            169.254.10.20           | link-local
            fe80::1                 | link-local
            febf::1                 | link-local
            169.254.169.254         | cloud metadata
            fd00:ec2::254           | cloud metadata
            0.0.0.0                 | unspecified
            ::                      | unspecified
            224.0.0.1               | multicast
            239.255.255.250         | multicast
            ff02::1                 | multicast
            100.64.0.1              | shared (CGNAT)
            100.127.255.254         | shared (CGNAT)
            255.255.255.255         | reserved
            240.0.0.1               | reserved
            192.0.2.7               | reserved
            2001:db8::1             | reserved
            ::ffff:127.0.0.1        | loopback
            ::ffff:169.254.169.254  | cloud metadata
            ::ffff:10.0.0.1         | private
            ::127.0.0.1             | IPv4-compatible loopback
            64:ff9b::a9fe:a9fe      | NAT64 cloud metadata
            2002:7f00:0001::1       | 6to4 loopback
            2002:c0a8:0101::1       | 6to4 private
            """)
    void blocksEveryNonPublicClass(String literal, String reason) throws Exception {
        assertThat(BlockedAddresses.blockReason(InetAddress.getByName(literal))).isEqualTo(reason);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "93.184.216.34",
                "8.8.8.8",
                "1.1.1.1",
                "100.63.255.255",
                "100.128.0.1",
                "172.15.255.255",
                "172.32.0.1",
                "169.253.1.1",
                "2606:4700:4700::1111",
                "2a00:1450:4001:80b::200e",
                "::ffff:8.8.8.8",
                "64:ff9b::808:808"
            })
    void allowsPublicUnicast(String literal) throws Exception {
        assertThat(BlockedAddresses.blockReason(InetAddress.getByName(literal))).isNull();
    }
}
