package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddr is the address the sign-in rate limit counts: the peer's,
// or, when the peer is one of the trusted proxies, the address the
// proxies were asked by (see ClientAddr).
func (s *Server) clientAddr(c *fiber.Ctx) string {
	remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	if len(s.opts.TrustedProxies) == 0 {
		return remote.Unmap().String()
	}
	var forwarded []string
	c.Request().Header.VisitAll(func(key, value []byte) {
		if strings.EqualFold(string(key), fiber.HeaderXForwardedFor) {
			forwarded = append(forwarded, string(value))
		}
	})
	return ClientAddr(remote, forwarded, s.opts.TrustedProxies).String()
}

// ClientAddr returns who a request came from. Without a trusted proxy in
// front, that is remote, the peer of the connection: X-Forwarded-For is
// then whatever the client chose to write and is ignored. When remote is
// a trusted proxy, the X-Forwarded-For values (each a comma-separated list,
// the nearest hop last) are read from the right, and the first address
// that is not a trusted proxy is the client: addresses further left were
// written by the client itself and prove nothing. A malformed entry stops
// the walk at the last address that was sound.
func ClientAddr(remote netip.Addr, forwardedFor []string, trusted []netip.Prefix) netip.Addr {
	remote = remote.Unmap()
	if !isTrusted(remote, trusted) {
		return remote
	}
	var hops []string
	for _, v := range forwardedFor {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := remote
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return client
		}
		client = addr.Unmap()
		if !isTrusted(client, trusted) {
			return client
		}
	}
	return client
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
