package web_test

import (
	"net/netip"
	"testing"

	"github.com/parleychat/parley/app/web"
)

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	tests := []struct {
		name      string
		remote    string
		forwarded []string
		trusted   []netip.Prefix
		want      string
	}{
		{"no proxy trusted: the header is the client's word", "203.0.113.9", []string{"198.51.100.1"}, nil, "203.0.113.9"},
		{"peer is not a trusted proxy", "203.0.113.9", []string{"198.51.100.1"}, proxies, "203.0.113.9"},
		{"one trusted proxy", "10.0.0.2", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"client-written entries left of the proxy's are ignored", "10.0.0.2", []string{"1.2.3.4, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"a chain of trusted proxies", "127.0.0.1", []string{"198.51.100.1, 10.1.2.3"}, proxies, "198.51.100.1"},
		{"several headers are one list", "10.0.0.2", []string{"1.2.3.4", "198.51.100.1"}, proxies, "198.51.100.1"},
		{"no header from a trusted proxy", "10.0.0.2", nil, proxies, "10.0.0.2"},
		{"only proxies in the header", "10.0.0.2", []string{"10.0.0.3"}, proxies, "10.0.0.3"},
		{"garbage stops the walk at the last sound address", "10.0.0.2", []string{"198.51.100.1, not-an-ip"}, proxies, "10.0.0.2"},
		{"garbage further left is never read", "10.0.0.2", []string{"not-an-ip, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"IPv4 mapped in IPv6 is IPv4", "::ffff:10.0.0.2", []string{"::ffff:198.51.100.1"}, proxies, "198.51.100.1"},
		{"IPv6 client", "10.0.0.2", []string{"2001:db8::1"}, proxies, "2001:db8::1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := web.ClientAddr(netip.MustParseAddr(tc.remote), tc.forwarded, tc.trusted)
			if got != netip.MustParseAddr(tc.want) {
				t.Errorf("ClientAddr(%s, %q): got %s, want %s", tc.remote, tc.forwarded, got, tc.want)
			}
		})
	}
}
