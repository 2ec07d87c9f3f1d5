package web

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddr is the address a request came from, which the sign-in rate
// limit counts by. Behind a proxy the connection comes from the proxy: when
// its address is among TrustedProxies, the client is the rightmost address
// of X-Forwarded-For that is not a trusted proxy itself. Entries further
// left are whatever the client sent, so they are never believed: otherwise
// a client could pick a fresh address for every attempt.
func (s *Server) clientAddr(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.IP()
	}
	remote = remote.Unmap()
	if !s.trustedProxy(remote) {
		return remote.String()
	}
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	client := remote
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // not written by a proxy of ours: stop at the last one that was
		}
		client = addr.Unmap()
		if !s.trustedProxy(client) {
			break
		}
	}
	return client.String()
}

func (s *Server) trustedProxy(addr netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
